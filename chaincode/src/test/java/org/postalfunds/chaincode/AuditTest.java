package org.postalfunds.chaincode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postalfunds.chaincode.LedgerFixture.json;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Limits;
import org.postalfunds.chaincode.access.Organisations;
import org.postalfunds.chaincode.fake.TestIdentity;

class AuditTest {
    private final LedgerFixture fx = new LedgerFixture();
    private String openTransfer;

    @BeforeEach
    void someActivity() {
        fx.registerMeter("m1", Organisations.MAILER_A);
        fx.registerMeter("m2", Organisations.MAILER_B);
        fx.refill("m1", 5_000);
        fx.refill("m2", 1_000);
        fx.print("m1", 120);
        fx.print("m1", 80);
        fx.authorise("m1", "m2");
        fx.submit(fx.meter("m1"), ctx -> fx.contract.fundAllotment(ctx, "f1", "m1", "m2", "700"));
        openTransfer = fx.offer("m2", "m1", 300);
    }

    @Nested
    class AuditTotals {
        @Test
        void every_account_class_is_summed_and_the_sum_is_zero() {
            final JsonNode totals = fx.auditTotals();
            assertThat(totals.at("/totalsMinorUnits").toString()).isEqualTo("{\"ALLOTMENT\":700,\"ESCROW\":300,"
                    + "\"ISSUED_FUNDS\":-6000,\"METER\":4800,\"POSTAGE_REVENUE\":200}");
            assertThat(totals.at("/proof/sumMinorUnits").asLong()).isZero();
            assertThat(totals.at("/proof/balanced").asBoolean()).isTrue();
            assertThat(totals.at("/proof/controlSumsChecked").asLong()).isEqualTo(3);
            assertThat(totals.at("/pieces").asLong()).isEqualTo(2);
            assertThat(totals.at("/openEscrows").asLong()).isEqualTo(1);
        }

        @Test
        void only_the_authority_and_the_data_center_audit_the_whole_ledger() {
            fx.evaluate(fx.dataCenter, ctx -> fx.contract.auditTotals(ctx));
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.mailerA, ctx -> fx.contract.auditTotals(ctx));
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.meter("m1"), ctx -> fx.contract.auditTotals(ctx));
        }
    }

    @Nested
    class GetAccountHistory {
        @Test
        void the_history_of_a_meter_account_lists_its_versions_newest_first() {
            final JsonNode history = json(fx.evaluate(fx.authority,
                    ctx -> fx.contract.getAccountHistory(ctx, "METER:m1", "10")));
            assertThat(history.at("/accountId").asText()).isEqualTo("METER:m1");
            assertThat(history.at("/history").size()).isEqualTo(5);
            assertThat(history.at("/history/0/value/descendingRegisterMinorUnits").asLong()).isEqualTo(4_100);
            assertThat(history.at("/history/4/value/descendingRegisterMinorUnits").asLong()).isZero();
            final JsonNode newest = json(fx.evaluate(fx.mailerA,
                    ctx -> fx.contract.getAccountHistory(ctx, "POSTAGE_REVENUE:m1", "1")));
            assertThat(newest.at("/history").size()).isEqualTo(1);
        }

        @Test
        void a_settled_escrow_shows_its_deletion() {
            fx.submit(fx.meter("m1"), ctx -> fx.contract.acknowledgeTransfer(ctx, "k1", openTransfer));
            final JsonNode history = json(fx.evaluate(fx.mailerB,
                    ctx -> fx.contract.getAccountHistory(ctx, "ESCROW:" + openTransfer, "10")));
            assertThat(history.at("/history/0/deleted").asBoolean()).isTrue();
            assertThat(history.at("/history/1/value/heldMinorUnits").asLong()).isEqualTo(300);
        }

        @Test
        void owners_see_only_their_own_accounts_and_names_are_checked() {
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.mailerB,
                    ctx -> fx.contract.getAccountHistory(ctx, "METER:m1", "10"));
            fx.evaluate(fx.mailerB, ctx -> fx.contract.getAccountHistory(ctx, "ALLOTMENT:m1:m2", "10"));
            final TestIdentity outsider = TestIdentity.p256("OtherMSP", "x");
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, outsider,
                    ctx -> fx.contract.getAccountHistory(ctx, "ESCROW:" + openTransfer, "10"));
            fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.authority,
                    ctx -> fx.contract.getAccountHistory(ctx, "WALLET:m1", "10"));
            fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.authority,
                    ctx -> fx.contract.getAccountHistory(ctx, "ALLOTMENT:m1", "10"));
            fx.rejectsWith(ErrorCode.INVALID_COUNT, fx.authority,
                    ctx -> fx.contract.getAccountHistory(ctx, "METER:m1", "0"));
            fx.rejectsWith(ErrorCode.INVALID_COUNT, fx.authority,
                    ctx -> fx.contract.getAccountHistory(ctx, "METER:m1", String.valueOf(Limits.MAX_HISTORY_ENTRIES + 1)));
        }
    }
}
