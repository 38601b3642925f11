package org.postalfunds.chaincode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postalfunds.chaincode.LedgerFixture.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.model.MeterKind;
import org.postalfunds.chaincode.access.Organisations;
import org.postalfunds.chaincode.fake.FakeLedger;
import org.postalfunds.chaincode.fake.FakeLedger.Validation;
import org.postalfunds.chaincode.fake.FakeStub;
import org.postalfunds.chaincode.state.Keys;

/**
 * Credits on the meter's own inflow key (issue 17): an accept into m writes {@code account~INFLOW~m} and never reads
 * or writes m's registers; m's debits touch the inflow only when the registers are short, to fold it in first.
 */
class MeterInflowTest {
    private static final String M1_REGISTERS = "~account~METER~m1~";
    private static final String M1_INFLOW = "~account~INFLOW~m1~";

    private final LedgerFixture fx = new LedgerFixture();

    @BeforeEach
    void meters() {
        fx.registerMeter("m1", Organisations.MAILER_A);
        fx.registerMeter("m2", Organisations.MAILER_B);
        fx.refill("m1", 1_000);
        fx.refill("m2", 10_000);
        fx.authorise("m2", "m1");
    }

    /** m2 -> m1, requested, granted and accepted; returns the transfer id. */
    private String pullIntoM1(final long amount) {
        final String transferId = fx.request("m1", "m2", amount);
        fx.grant(transferId, "m2");
        fx.accept(transferId, "m1");
        return transferId;
    }

    private JsonNode inflow(final String meterId) {
        return json(new String(fx.ledger.value(Keys.meterInflow(meterId)).orElseThrow(),
                java.nio.charset.StandardCharsets.UTF_8));
    }

    private void balanced() {
        LedgerInvariants.check(fx.ledger);
        assertThat(fx.auditTotals().at("/proof/balanced").asBoolean()).isTrue();
    }

    @Test
    void registration_creates_the_inflow_empty_under_the_meter_accounts_policy() {
        assertThat(inflow("m1").at("/pendingMinorUnits").asLong()).isZero();
        assertThat(Set.copyOf(FakeLedger.orgsOf(fx.ledger.validationParameter(Keys.meterInflow("m1")))))
                .containsExactlyInAnyOrder(Organisations.DATA_CENTER, Organisations.MAILER_A)
                .isEqualTo(Set.copyOf(FakeLedger.orgsOf(fx.ledger.validationParameter(Keys.meterAccount("m1")))));
    }

    @Nested
    class ACredit {
        @Test
        void writes_the_inflow_only_and_never_reads_the_recipients_registers() {
            final String transferId = fx.request("m1", "m2", 400);
            fx.grant(transferId, "m2");
            final JsonNode accepted = json(fx.submit(fx.meter("m1"),
                    ctx -> fx.contract.acceptTransfer(ctx, fx.nextRequestId(), transferId)));

            assertThat(accepted.at("/movements/0/creditAccount").asText()).isEqualTo("METER:m1");
            assertThat(fx.lastWrittenKeys()).contains(M1_INFLOW).doesNotContain(M1_REGISTERS);
            assertThat(fx.lastReadKeys()).contains(M1_INFLOW).doesNotContain(M1_REGISTERS);
            assertThat(accepted.has("registers")).isFalse();
            assertThat(inflow("m1").at("/pendingMinorUnits").asLong()).isEqualTo(400);
            assertThat(inflow("m1").at("/pendingCount").asLong()).isEqualTo(1);
            assertThat(inflow("m1").at("/balanceCeilingMinorUnits").asLong()).isEqualTo(1_400);
            balanced();
        }

        @Test
        void shows_in_every_view_as_if_it_were_in_the_registers() {
            pullIntoM1(400);
            pullIntoM1(100);
            final JsonNode view = fx.meterView("m1");
            assertThat(view.at("/registers/descendingRegisterMinorUnits").asLong()).isEqualTo(1_500);
            assertThat(view.at("/registers/transferredInMinorUnits").asLong()).isEqualTo(500);
            assertThat(view.at("/pendingInflowMinorUnits").asLong()).isEqualTo(500);
            final JsonNode audit = fx.auditTotals();
            assertThat(audit.at("/totalsMinorUnits/METER").asLong()).isEqualTo(1_000 + 10_000);
            assertThat(audit.at("/pendingInflowMinorUnits").asLong()).isEqualTo(500);
            assertThat(audit.at("/inflows").asLong()).isEqualTo(2);
            balanced();
        }

        @Test
        void returned_escrow_and_a_released_allotment_reach_the_inflow_too() {
            final String offered = fx.offer("m1", "m2", 300);
            fx.submit(fx.meter("m2"), ctx -> fx.contract.rejectTransfer(ctx, fx.nextRequestId(), offered, "not now"));
            assertThat(fx.lastWrittenKeys()).contains(M1_INFLOW).doesNotContain(M1_REGISTERS);
            assertThat(fx.lastReadKeys()).doesNotContain(M1_REGISTERS);

            fx.authorise("m1", "m2");
            fx.submit(fx.meter("m1"), ctx -> fx.contract.fundAllotment(ctx, fx.nextRequestId(), "m1", "m2", "200"));
            final JsonNode released = json(fx.submit(fx.meter("m1"),
                    ctx -> fx.contract.releaseAllotment(ctx, fx.nextRequestId(), "m1", "m2", "50")));
            assertThat(fx.lastReadKeys()).doesNotContain(M1_REGISTERS);
            assertThat(released.at("/inflow/pendingMinorUnits").asLong()).isEqualTo(350);
            assertThat(fx.available("m1")).isEqualTo(1_000 - 200 + 50);
            balanced();
        }
    }

    @Nested
    class ADebit {
        @Test
        void with_enough_in_the_registers_leaves_the_inflow_alone() {
            pullIntoM1(400);
            fx.print("m1", 85);
            assertThat(fx.lastReadKeys()).contains(M1_REGISTERS).doesNotContain(M1_INFLOW);
            assertThat(fx.lastWrittenKeys()).doesNotContain(M1_INFLOW);
            fx.offer("m1", "m2", 900);
            assertThat(fx.lastReadKeys()).doesNotContain(M1_INFLOW);
            assertThat(inflow("m1").at("/pendingMinorUnits").asLong()).isEqualTo(400);
            assertThat(fx.available("m1")).isEqualTo(1_400 - 85 - 900);
            balanced();
        }

        @Test
        void short_in_the_registers_folds_the_inflow_in_first() {
            pullIntoM1(400);
            final JsonNode offered = json(fx.submit(fx.meter("m1"), ctx -> fx.contract.offerTransfer(ctx,
                    fx.nextRequestId(), "m1", "m2", "1200", String.valueOf(fx.nowSeconds() + 3_600))));
            assertThat(fx.lastWrittenKeys()).contains(M1_INFLOW, M1_REGISTERS);
            assertThat(offered.at("/movements").size()).as("the fold is no movement").isEqualTo(1);
            assertThat(inflow("m1").at("/pendingMinorUnits").asLong()).isZero();
            assertThat(inflow("m1").at("/pendingCount").asLong()).isZero();
            assertThat(inflow("m1").at("/balanceCeilingMinorUnits").asLong()).isEqualTo(1_400);
            final JsonNode registers = fx.meterView("m1").at("/registers");
            assertThat(registers.at("/descendingRegisterMinorUnits").asLong()).isEqualTo(200);
            assertThat(registers.at("/transferredInMinorUnits").asLong()).isEqualTo(400);
            assertThat(registers.at("/transferredOutMinorUnits").asLong()).isEqualTo(1_200);
            balanced();
        }

        @Test
        void short_even_with_the_inflow_is_refused_naming_the_whole_balance() {
            pullIntoM1(400);
            final String message = fx.rejectsWith(ErrorCode.INSUFFICIENT_FUNDS, fx.meter("m1"),
                    ctx -> fx.contract.offerTransfer(ctx, "o-big", "m1", "m2", "1401",
                            String.valueOf(fx.nowSeconds() + 3_600)));
            assertThat(message).contains("holds 1400 minor units, 1401 requested");
        }
    }

    @Nested
    class TheWholeBalance {
        @Test
        void a_refill_folds_and_counts_the_pending_inflow_against_the_maximum() {
            pullIntoM1(400);
            final JsonNode refilled = json(fx.submit(fx.dataCenter,
                    ctx -> fx.contract.refillMeter(ctx, fx.nextRequestId(), "m1", "100")));
            assertThat(refilled.at("/registers/descendingRegisterMinorUnits").asLong()).isEqualTo(1_500);
            assertThat(inflow("m1").at("/pendingMinorUnits").asLong()).isZero();
            assertThat(inflow("m1").at("/balanceCeilingMinorUnits").asLong()).isEqualTo(1_500);
            final String message = fx.rejectsWith(ErrorCode.LIMIT_EXCEEDED, fx.dataCenter, ctx -> fx.contract
                    .refillMeter(ctx, "r-over", "m1", String.valueOf(LedgerFixture.DEFAULT_MAX_BALANCE - 1_499)));
            assertThat(message).contains("(holds 1500)");
            balanced();
        }

        @Test
        void a_withdrawal_takes_the_pending_inflow_back_as_well() {
            pullIntoM1(400);
            fx.submit(fx.dataCenter, ctx -> fx.contract.withdrawMeter(ctx, fx.nextRequestId(), "m1"));
            assertThat(fx.available("m1")).isZero();
            assertThat(inflow("m1").at("/pendingMinorUnits").asLong()).isZero();
            assertThat(fx.meterView("m1").at("/registers/withdrawnMinorUnits").asLong()).isEqualTo(1_400);
            balanced();
        }

        @Test
        void a_replacement_moves_what_arrived_at_the_failed_meter_with_its_balance() {
            fx.registerMeter("r1", Organisations.MAILER_A);
            final String offered = fx.offer("m1", "m2", 300);
            fx.submit(fx.meter("m2"), ctx -> fx.contract.rejectTransfer(ctx, fx.nextRequestId(), offered, "no"));
            assertThat(inflow("m1").at("/pendingMinorUnits").asLong()).isEqualTo(300);
            fx.submit(fx.dataCenter, ctx -> fx.contract.reportPsdFailure(ctx, fx.nextRequestId(), "m1", "tamper"));
            JsonNode step;
            do {
                step = json(fx.submit(fx.dataCenter,
                        ctx -> fx.contract.replacePsd(ctx, fx.nextRequestId(), "m1", "r1")));
            } while (!step.at("/replacement/state").asText().equals("COMPLETE"));
            assertThat(fx.available("r1")).isEqualTo(1_000);
            assertThat(inflow("m1").at("/pendingMinorUnits").asLong()).isZero();
            assertThat(json(fx.evaluate(fx.dataCenter, ctx -> fx.contract.getMeter(ctx, "m1")))
                    .at("/registers/descendingRegisterMinorUnits").asLong()).isZero();
            balanced();
        }
    }

    @Nested
    class TheBalanceLimit {
        @BeforeEach
        void capped() {
            fx.registerMeter("c1", Organisations.MAILER_A, MeterKind.POSTAL_METER, 1_000, 1_000, 1_000);
            fx.refill("c1", 600);
            fx.authorise("m2", "c1");
        }

        private String pullIntoC1(final long amount) {
            final String transferId = fx.request("c1", "m2", amount);
            fx.grant(transferId, "m2");
            return transferId;
        }

        @Test
        void within_the_ceiling_is_checked_without_the_registers_and_above_it_on_the_exact_balance() {
            final String first = pullIntoC1(300);
            fx.accept(first, "c1");
            assertThat(fx.lastReadKeys()).doesNotContain("~account~METER~c1~");
            fx.print("c1", 500);

            // The ceiling (900 + 300) is over the limit, the balance (100 + 300 + 300) is not: the exact balance
            // is read, the accept goes through, and the ceiling comes down to it.
            final String second = pullIntoC1(300);
            fx.accept(second, "c1");
            assertThat(fx.lastReadKeys()).contains("~account~METER~c1~");
            assertThat(inflow("c1").at("/balanceCeilingMinorUnits").asLong()).isEqualTo(700);

            final String third = pullIntoC1(301);
            final String message = fx.rejectsWith(ErrorCode.LIMIT_EXCEEDED, fx.meter("c1"),
                    ctx -> fx.contract.acceptTransfer(ctx, "a-over", third));
            assertThat(message).contains("accepting would bring meter c1 to 1001 minor units, its limit is 1000");
            fx.accept(pullIntoC1(300), "c1");
            assertThat(fx.available("c1")).isEqualTo(1_000);
            balanced();
        }
    }

    @Nested
    class AMeterRegisteredBeforeInflowKeys {
        @Test
        void gets_its_inflow_at_the_first_credit_protected_like_its_account() {
            final FakeStub drop = fx.ledger.newTransaction("drop-inflow", fx.now(), fx.dataCenter.creator());
            drop.delState(Keys.meterInflow("m1"));
            assertThat(fx.ledger.commit(drop, LedgerFixture.ALL_ORGS)).isEqualTo(Validation.VALID);
            assertThat(fx.available("m1")).isEqualTo(1_000);
            balanced();

            pullIntoM1(400);
            assertThat(inflow("m1").at("/pendingMinorUnits").asLong()).isEqualTo(400);
            assertThat(inflow("m1").at("/balanceCeilingMinorUnits").asLong()).isEqualTo(1_400);
            assertThat(Set.copyOf(FakeLedger.orgsOf(fx.ledger.validationParameter(Keys.meterInflow("m1")))))
                    .containsExactlyInAnyOrder(Organisations.DATA_CENTER, Organisations.MAILER_A);
            assertThat(fx.available("m1")).isEqualTo(1_400);
            balanced();
        }
    }

    @Nested
    class InOneBlock {
        @Test
        void the_meters_own_grant_and_an_accept_into_it_both_commit() {
            fx.registerMeter("m3", Organisations.MAILER_A);
            fx.authorise("m1", "m3");
            final String intoM1 = fx.request("m1", "m2", 400);
            fx.grant(intoM1, "m2");
            final String fromM1 = fx.request("m3", "m1", 300);

            final LedgerFixture.Endorsed accept = fx.endorse(fx.meter("m1"),
                    ctx -> fx.contract.acceptTransfer(ctx, fx.nextRequestId(), intoM1));
            final LedgerFixture.Endorsed grant = fx.endorse(fx.meter("m1"), ctx -> fx.contract.grantTransfer(ctx,
                    fx.nextRequestId(), fromM1, String.valueOf(fx.nowSeconds() + 3_600)));
            assertThat(accept.failure()).isNull();
            assertThat(grant.failure()).isNull();
            assertThat(fx.ledger.commitBlock(List.of(grant.stub(), accept.stub()),
                    List.of(LedgerFixture.ALL_ORGS, LedgerFixture.ALL_ORGS)))
                    .containsExactly(Validation.VALID, Validation.VALID);
            assertThat(fx.available("m1")).isEqualTo(1_000 + 400 - 300);
            balanced();
        }
    }
}
