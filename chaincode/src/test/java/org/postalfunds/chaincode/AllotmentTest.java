package org.postalfunds.chaincode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postalfunds.chaincode.LedgerFixture.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.chaincode.access.Organisations;
import org.postalfunds.chaincode.fake.FakeLedger;
import org.postalfunds.chaincode.state.Keys;

/** A distributor's vault split into per-recipient allotments (Fig. 4). */
class AllotmentTest {
    private final LedgerFixture fx = new LedgerFixture();

    @BeforeEach
    void distributorWithOneRecipient() {
        fx.registerMeter("dist", Organisations.MAILER_A);
        fx.registerMeter("r1", Organisations.MAILER_B);
        fx.refill("dist", 10_000);
        fx.authorise("dist", "r1");
    }

    @Nested
    class FundAllotment {
        @Test
        void the_distributor_moves_funds_from_its_meter_into_an_allotment_endorsed_by_its_owner() {
            final JsonNode result = json(fx.submit(fx.meter("dist"),
                    ctx -> fx.contract.fundAllotment(ctx, "f1", "dist", "r1", "3000")));
            assertThat(result.at("/event").asText()).isEqualTo("AllotmentFunded");
            assertThat(result.at("/allotment/availableMinorUnits").asLong()).isEqualTo(3_000);
            assertThat(result.at("/registers/descendingRegisterMinorUnits").asLong()).isEqualTo(7_000);
            assertThat(result.at("/registers/transferredOutMinorUnits").asLong()).isEqualTo(3_000);
            assertThat(FakeLedger.orgsOf(fx.ledger.validationParameter(Keys.allotment("dist", "r1"))))
                    .containsExactlyInAnyOrder("DataCenterMSP", "MailerAMSP");
            assertThat(fx.auditTotals().at("/totalsMinorUnits/ALLOTMENT").asLong()).isEqualTo(3_000);
        }

        @Test
        void only_for_an_authorised_requester_and_only_by_the_distributor_meter() {
            fx.registerMeter("r2", Organisations.MAILER_B);
            fx.rejectsWith(ErrorCode.REQUESTER_NOT_AUTHORISED, fx.meter("dist"),
                    ctx -> fx.contract.fundAllotment(ctx, "f1", "dist", "r2", "10"));
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.mailerA,
                    ctx -> fx.contract.fundAllotment(ctx, "f1", "dist", "r1", "10"));
            fx.rejectsWith(ErrorCode.INSUFFICIENT_FUNDS, fx.meter("dist"),
                    ctx -> fx.contract.fundAllotment(ctx, "f1", "dist", "r1", "10001"));
            fx.rejectsWith(ErrorCode.INVALID_AMOUNT, fx.meter("dist"),
                    ctx -> fx.contract.fundAllotment(ctx, "f1", "dist", "r1", "0"));
        }
    }

    @Nested
    class GrantFromAllotment {
        @Test
        void grants_to_the_recipient_debit_its_allotment_and_never_the_distributors_psd() {
            fx.submit(fx.meter("dist"), ctx -> fx.contract.fundAllotment(ctx, "f1", "dist", "r1", "3000"));
            final String transferId = fx.request("r1", "dist", 500);
            fx.grant(transferId, "dist");
            assertThat(fx.lastWrittenKeys()).doesNotContain("~account~METER~dist~")
                    .contains("~account~ALLOTMENT~dist~r1~");
            assertThat(fx.transfer(transferId).at("/transfer/fundingAccount").asText())
                    .isEqualTo("ALLOTMENT:dist:r1");

            fx.submit(fx.meter("r1"), ctx -> fx.contract.cancelTransfer(ctx, "c1", transferId));
            assertThat(fx.lastWrittenKeys()).doesNotContain("~account~METER~dist~");
            final JsonNode allotment = json(fx.evaluate(fx.mailerB,
                    ctx -> fx.contract.getAllotment(ctx, "dist", "r1")));
            assertThat(allotment.at("/allotment/availableMinorUnits").asLong()).isEqualTo(3_000);
            assertThat(allotment.at("/allotment/returnedMinorUnits").asLong()).isEqualTo(500);
        }

        @Test
        void an_allotment_too_small_for_the_grant_is_insufficient_funds() {
            fx.submit(fx.meter("dist"), ctx -> fx.contract.fundAllotment(ctx, "f1", "dist", "r1", "100"));
            final String transferId = fx.request("r1", "dist", 500);
            fx.rejectsWith(ErrorCode.INSUFFICIENT_FUNDS, fx.meter("dist"),
                    ctx -> fx.contract.grantTransfer(ctx, "g1", transferId, String.valueOf(fx.nowSeconds() + 60)));
        }
    }

    @Nested
    class ReleaseAllotment {
        @Test
        void the_distributor_takes_funds_back_from_an_allotment() {
            fx.submit(fx.meter("dist"), ctx -> fx.contract.fundAllotment(ctx, "f1", "dist", "r1", "3000"));
            final JsonNode result = json(fx.submit(fx.meter("dist"),
                    ctx -> fx.contract.releaseAllotment(ctx, "l1", "dist", "r1", "1000")));
            assertThat(result.at("/event").asText()).isEqualTo("AllotmentReleased");
            assertThat(result.at("/allotment/availableMinorUnits").asLong()).isEqualTo(2_000);
            assertThat(fx.available("dist")).isEqualTo(8_000);
            fx.rejectsWith(ErrorCode.INSUFFICIENT_FUNDS, fx.meter("dist"),
                    ctx -> fx.contract.releaseAllotment(ctx, "l2", "dist", "r1", "2001"));
            fx.rejectsWith(ErrorCode.UNKNOWN_ALLOTMENT, fx.meter("dist"),
                    ctx -> fx.contract.releaseAllotment(ctx, "l3", "dist", "r9", "1"));
        }

        @Test
        void withdrawing_the_distributor_waits_for_its_grants_then_sweeps_its_allotments() {
            fx.submit(fx.meter("dist"), ctx -> fx.contract.fundAllotment(ctx, "f1", "dist", "r1", "3000"));
            final String transferId = fx.request("r1", "dist", 500);
            fx.grant(transferId, "dist");
            // A grant from the allotment is still open: no withdrawal until it settles.
            fx.rejectsWith(ErrorCode.TRANSFERS_OPEN, fx.dataCenter,
                    ctx -> fx.contract.withdrawMeter(ctx, "w1", "dist"));
            fx.advance(Duration.ofHours(2));
            fx.submit(fx.authority, ctx -> fx.contract.expireTransfer(ctx, "e1", transferId));
            fx.submit(fx.dataCenter, ctx -> fx.contract.withdrawMeter(ctx, "w1", "dist"));
            final JsonNode totals = fx.auditTotals();
            assertThat(totals.at("/totalsMinorUnits/ALLOTMENT").asLong()).isZero();
            assertThat(totals.at("/totalsMinorUnits/ISSUED_FUNDS").asLong()).isZero();
            assertThat(totals.at("/proof/balanced").asBoolean()).isTrue();
        }
    }
}
