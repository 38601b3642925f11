package org.postalfunds.chaincode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postalfunds.chaincode.LedgerFixture.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Limits;
import org.postalfunds.api.model.MeterKind;
import org.postalfunds.chaincode.access.Organisations;
import org.postalfunds.chaincode.fake.FakeLedger;
import org.postalfunds.chaincode.fake.TestIdentity;
import org.postalfunds.chaincode.state.Keys;

/**
 * A failed PSD (issue 19): the data center reports meter m1 of MailerA failed, which revokes its key; with the postal
 * authority it then moves m1's funds and open items to r1, a newly enrolled meter of MailerA. mB of MailerB is the
 * counterparty of m1's transfers.
 */
class PsdReplacementTest {
    private final LedgerFixture fx = new LedgerFixture();
    private TestIdentity m1;
    private TestIdentity r1;
    private TestIdentity mB;

    @BeforeEach
    void meters() {
        m1 = fx.registerMeter("m1", Organisations.MAILER_A);
        r1 = fx.registerMeter("r1", Organisations.MAILER_A);
        mB = fx.registerMeter("mB", Organisations.MAILER_B);
        fx.refill("m1", 50_000);
        fx.refill("mB", 50_000);
    }

    private JsonNode reportFailure(final String meterId) {
        return json(fx.submit(fx.dataCenter,
                ctx -> fx.contract.reportPsdFailure(ctx, fx.nextRequestId(), meterId, "PSD tamper alarm")));
    }

    private JsonNode replace(final String failed, final String replacement) {
        return json(fx.submit(fx.dataCenter,
                ctx -> fx.contract.replacePsd(ctx, fx.nextRequestId(), failed, replacement)));
    }

    private void balanced() {
        LedgerInvariants.check(fx.ledger);
        assertThat(fx.auditTotals().at("/proof/balanced").asBoolean()).isTrue();
    }

    @Nested
    class ReportingAFailure {
        @Test
        void makes_the_meter_failed_revokes_its_key_and_puts_both_authorities_on_its_record() {
            final JsonNode reported = reportFailure("m1");
            assertThat(reported.at("/event").asText()).isEqualTo("PsdFailureReported");
            assertThat(reported.at("/meter/status").asText()).isEqualTo("FAILED");
            assertThat(reported.at("/meter/keyRevokedAtEpochSeconds").asLong()).isEqualTo(fx.nowSeconds());
            assertThat(reported.at("/meter/keyRevocationReason").asText()).isEqualTo("PSD tamper alarm");
            assertThat(reported.at("/previousStatus").asText()).isEqualTo("ACTIVE");
            assertThat(FakeLedger.orgsOf(fx.ledger.validationParameter(Keys.meter("m1"))))
                    .containsExactlyInAnyOrder(Organisations.DATA_CENTER, Organisations.POSTAL_AUTHORITY);
            // The funds stay where they are until the replacement moves them.
            assertThat(reported.at("/registers/descendingRegisterMinorUnits").asLong()).isEqualTo(50_000);
        }

        @Test
        void a_suspended_meter_may_be_reported_failed_but_not_twice_nor_a_withdrawn_one() {
            fx.submit(fx.dataCenter, ctx -> fx.contract.suspendMeter(ctx, "s1", "m1", "seal check"));
            assertThat(reportFailure("m1").at("/previousStatus").asText()).isEqualTo("SUSPENDED");
            fx.rejectsWith(ErrorCode.METER_KEY_REVOKED, fx.dataCenter,
                    ctx -> fx.contract.reportPsdFailure(ctx, "f2", "m1", "again"));
            fx.submit(fx.dataCenter, ctx -> fx.contract.withdrawMeter(ctx, "w1", "r1"));
            fx.rejectsWith(ErrorCode.METER_WITHDRAWN, fx.dataCenter,
                    ctx -> fx.contract.reportPsdFailure(ctx, "f3", "r1", "lost"));
            fx.rejectsWith(ErrorCode.UNKNOWN_METER, fx.dataCenter,
                    ctx -> fx.contract.reportPsdFailure(ctx, "f4", "nope", "lost"));
        }

        @Test
        void is_for_the_data_center_only_and_needs_a_reason() {
            for (final TestIdentity caller : List.of(fx.authority, fx.mailerA, m1)) {
                fx.rejectsWith(ErrorCode.NOT_AUTHORISED, caller,
                        ctx -> fx.contract.reportPsdFailure(ctx, "f1", "m1", "stolen"));
            }
            fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.dataCenter,
                    ctx -> fx.contract.reportPsdFailure(ctx, "f1", "m1", ""));
        }

        @Test
        void nothing_brings_a_failed_meter_back_or_moves_its_funds_but_a_replacement_or_a_withdrawal() {
            reportFailure("m1");
            fx.rejectsWith(ErrorCode.METER_KEY_REVOKED, fx.dataCenter, ctx -> fx.contract.resumeMeter(ctx, "x1", "m1"));
            fx.rejectsWith(ErrorCode.METER_KEY_REVOKED, fx.dataCenter,
                    ctx -> fx.contract.refillMeter(ctx, "x2", "m1", "10"));
            fx.rejectsWith(ErrorCode.METER_KEY_REVOKED, fx.dataCenter,
                    ctx -> fx.contract.suspendMeter(ctx, "x3", "m1", "again"));
            fx.rejectsWith(ErrorCode.METER_KEY_REVOKED, fx.dataCenter,
                    ctx -> fx.contract.recordInspection(ctx, "x4", "m1"));
            // A counterparty cannot open a transfer with it either.
            fx.rejectsWith(ErrorCode.METER_KEY_REVOKED, mB, ctx -> fx.contract.offerTransfer(ctx, "x5", "mB", "m1",
                    "10", String.valueOf(fx.nowSeconds() + 600)));
            final JsonNode withdrawn = json(fx.submit(fx.dataCenter, ctx -> fx.contract.withdrawMeter(ctx, "w1", "m1")));
            assertThat(withdrawn.at("/meter/status").asText()).isEqualTo("WITHDRAWN");
            balanced();
        }

        @Test
        void an_indicium_signed_before_the_revocation_cannot_be_printed_after_it() {
            final String indicium = fx.indicium("m1", 1, 100, m1);
            reportFailure("m1");
            fx.rejectsWith(ErrorCode.METER_KEY_REVOKED, m1, ctx -> fx.contract.printPostage(ctx, "p1", indicium));
            fx.rejectsWith(ErrorCode.METER_KEY_REVOKED, m1, ctx -> fx.contract.getMeter(ctx, "m1"));
        }
    }

    @Nested
    class ARefusedReplacement {
        @Test
        void of_a_meter_not_reported_failed() {
            assertThat(fx.rejectsWith(ErrorCode.METER_NOT_FAILED, fx.dataCenter,
                    ctx -> fx.contract.replacePsd(ctx, "x1", "m1", "r1"))).contains("m1", "ACTIVE");
            fx.submit(fx.dataCenter, ctx -> fx.contract.suspendMeter(ctx, "s1", "m1", "seal check"));
            fx.rejectsWith(ErrorCode.METER_NOT_FAILED, fx.dataCenter, ctx -> fx.contract.replacePsd(ctx, "x2", "m1", "r1"));
        }

        @Test
        void by_anyone_but_the_data_center() {
            reportFailure("m1");
            for (final TestIdentity caller : List.of(fx.authority, fx.mailerA, r1)) {
                fx.rejectsWith(ErrorCode.NOT_AUTHORISED, caller, ctx -> fx.contract.replacePsd(ctx, "x1", "m1", "r1"));
            }
        }

        @Test
        void by_a_meter_of_another_owner_another_kind_a_used_one_or_itself() {
            reportFailure("m1");
            assertThat(fx.rejectsWith(ErrorCode.REPLACEMENT_NOT_ELIGIBLE, fx.dataCenter,
                    ctx -> fx.contract.replacePsd(ctx, "x1", "m1", "mB"))).contains("MailerBMSP", "same owner");
            fx.registerMeter("h1", Organisations.MAILER_A, MeterKind.HANDHELD_METERING_UNIT, 1_000_000, 10_000, 500_000);
            assertThat(fx.rejectsWith(ErrorCode.REPLACEMENT_NOT_ELIGIBLE, fx.dataCenter,
                    ctx -> fx.contract.replacePsd(ctx, "x2", "m1", "h1"))).contains("HANDHELD_METERING_UNIT");
            fx.registerMeter("u1", Organisations.MAILER_A);
            fx.refill("u1", 1);
            assertThat(fx.rejectsWith(ErrorCode.REPLACEMENT_NOT_ELIGIBLE, fx.dataCenter,
                    ctx -> fx.contract.replacePsd(ctx, "x3", "m1", "u1"))).contains("has been used");
            fx.registerMeter("u2", Organisations.MAILER_A);
            fx.offer("mB", "u2", 10); // a transfer to it, not yet acknowledged: its registers are zero, used all the same
            fx.rejectsWith(ErrorCode.REPLACEMENT_NOT_ELIGIBLE, fx.dataCenter,
                    ctx -> fx.contract.replacePsd(ctx, "x4", "m1", "u2"));
            fx.rejectsWith(ErrorCode.REPLACEMENT_NOT_ELIGIBLE, fx.dataCenter,
                    ctx -> fx.contract.replacePsd(ctx, "x5", "m1", "m1"));
            fx.submit(fx.dataCenter, ctx -> fx.contract.suspendMeter(ctx, "s1", "r1", "not delivered yet"));
            fx.rejectsWith(ErrorCode.REPLACEMENT_NOT_ELIGIBLE, fx.dataCenter,
                    ctx -> fx.contract.replacePsd(ctx, "x6", "m1", "r1"));
            fx.rejectsWith(ErrorCode.UNKNOWN_METER, fx.dataCenter, ctx -> fx.contract.replacePsd(ctx, "x7", "m1", "nope"));
        }

        @Test
        void once_replaced_and_by_a_meter_that_replaces_another_already() {
            reportFailure("m1");
            replace("m1", "r1");
            assertThat(fx.rejectsWith(ErrorCode.METER_REPLACED, fx.dataCenter,
                    ctx -> fx.contract.replacePsd(ctx, "x1", "m1", "r1"))).contains("replaced by meter r1");
            fx.registerMeter("m2", Organisations.MAILER_A);
            reportFailure("m2");
            assertThat(fx.rejectsWith(ErrorCode.REPLACEMENT_NOT_ELIGIBLE, fx.dataCenter,
                    ctx -> fx.contract.replacePsd(ctx, "x2", "m2", "r1"))).contains("already replaces meter m1");
        }

        @Test
        void endorsed_by_the_data_center_and_the_owner_without_the_postal_authority() {
            reportFailure("m1");
            final LedgerFixture.Endorsed partly = fx.endorse(fx.dataCenter,
                    ctx -> fx.contract.replacePsd(ctx, "x1", "m1", "r1"));
            assertThat(partly.failure()).isNull();
            assertThat(fx.ledger.commit(partly.stub(), Set.of(Organisations.DATA_CENTER, Organisations.MAILER_A)))
                    .isEqualTo(FakeLedger.Validation.ENDORSEMENT_POLICY_FAILURE);
            assertThat(fx.meterView("m1").at("/registers/descendingRegisterMinorUnits").asLong()).isEqualTo(50_000);
            assertThat(fx.ledger.commit(fx.endorse(fx.dataCenter,
                            ctx -> fx.contract.replacePsd(ctx, "x2", "m1", "r1")).stub(),
                    Set.of(Organisations.POSTAL_AUTHORITY, Organisations.MAILER_A)))
                    .isEqualTo(FakeLedger.Validation.ENDORSEMENT_POLICY_FAILURE);
        }
    }

    @Nested
    class AReplacement {
        @Test
        void moves_the_balance_allotments_requesters_and_every_open_transfer_and_links_both_meters() {
            fx.authorise("m1", "mB");
            fx.authorise("mB", "m1");
            fx.submit(m1, ctx -> fx.contract.fundAllotment(ctx, "a1", "m1", "mB", "3000"));
            final String offeredByFailed = fx.offer("m1", "mB", 1_000);          // m1 donor, escrowed
            final String offeredToFailed = fx.offer("mB", "m1", 2_000);          // m1 recipient, escrowed
            final String grantedToFailed = fx.request("m1", "mB", 4_000);        // m1 recipient
            fx.grant(grantedToFailed, "mB");
            final String requestedOfFailed = fx.request("mB", "m1", 500);        // m1 donor, not yet granted
            final String grantedByFailed = fx.request("mB", "m1", 700);          // m1 donor, from its allotment
            fx.grant(grantedByFailed, "m1");
            // m1 keeps an allotment for mB, so its offer to mB and its grant to mB were both paid from the allotment.
            assertThat(fx.available("m1")).isEqualTo(50_000 - 3_000);
            reportFailure("m1");

            final JsonNode step = replace("m1", "r1");
            assertThat(step.at("/event").asText()).isEqualTo("PsdReplacementStep");
            assertThat(step.at("/replacement/state").asText()).isEqualTo("COMPLETE");
            assertThat(step.at("/replacement/transfersMoved").asLong()).isEqualTo(5);
            assertThat(step.at("/replacement/allotmentsMoved").asLong()).isEqualTo(1);
            assertThat(step.at("/replacement/requestersMoved").asLong()).isEqualTo(1);
            // The balance with what was left in the allotment (3000 - 1000 offered - 700 granted).
            assertThat(step.at("/replacement/fundsMovedMinorUnits").asLong()).isEqualTo(47_000 + 1_300);
            assertThat(step.at("/failedMeter/status").asText()).isEqualTo("REPLACED");
            assertThat(step.at("/failedMeter/replacedByMeterId").asText()).isEqualTo("r1");
            assertThat(step.at("/replacementMeter/replacesMeterId").asText()).isEqualTo("m1");
            assertThat(step.at("/failedRegisters/descendingRegisterMinorUnits").asLong()).isZero();
            assertThat(step.at("/movements/0/debitAccount").asText()).isEqualTo("ALLOTMENT:m1:mB");
            assertThat(fx.available("r1")).isEqualTo(48_300);
            balanced();
            // The failed meter keeps no open item: no transfer, nothing in its allotment, no requester.
            assertThat(json(fx.evaluate(fx.dataCenter, ctx -> fx.contract.listTransfers(ctx, "m1", "OFFERED", "10", "")))
                    .at("/transfers").size()).isZero();
            assertThat(json(fx.evaluate(fx.dataCenter, ctx -> fx.contract.getAllotment(ctx, "m1", "mB")))
                    .at("/allotment/availableMinorUnits").asLong()).isZero();
            assertThat(json(fx.evaluate(fx.dataCenter, ctx -> fx.contract.listAuthorisedRequesters(ctx, "r1", "10", "")))
                    .at("/authorisedRequesters/0/requesterMeterId").asText()).isEqualTo("mB");

            // Every transfer now completes against r1, from both sides.
            fx.submit(mB, ctx -> fx.contract.acknowledgeTransfer(ctx, "k1", offeredByFailed));
            fx.submit(r1, ctx -> fx.contract.acknowledgeTransfer(ctx, "k2", offeredToFailed));
            fx.accept(grantedToFailed, "r1");
            fx.grant(requestedOfFailed, "r1");
            fx.accept(requestedOfFailed, "mB");
            fx.accept(grantedByFailed, "mB");
            assertThat(fx.transfer(offeredByFailed).at("/transfer/donorMeterId").asText()).isEqualTo("r1");
            assertThat(fx.available("r1")).isEqualTo(48_300 + 2_000 + 4_000 - 500);
            assertThat(fx.available("mB")).isEqualTo(50_000 - 2_000 - 4_000 + 1_000 + 500 + 700);
            // And the old identity is refused everywhere, the new one works.
            fx.rejectsWith(ErrorCode.METER_KEY_REVOKED, m1, ctx -> fx.contract.getMeter(ctx, "m1"));
            fx.print("r1", 100);
            balanced();
        }

        @Test
        void a_pending_refund_of_the_failed_meter_is_credited_to_the_replacement_on_approval() {
            fx.print("m1", 120);
            fx.submit(m1, ctx -> fx.contract.requestRefund(ctx, "rf1", "m1", "1", "120", "envelope jammed"));
            reportFailure("m1");
            // Before the replacement the credit waits: the failed meter may not receive funds.
            fx.rejectsWith(ErrorCode.METER_KEY_REVOKED, fx.authority,
                    ctx -> fx.contract.approveRefund(ctx, "ap0", "m1", "1"));

            final JsonNode step = replace("m1", "r1");
            assertThat(step.at("/replacement/refundsMoved").asLong()).isEqualTo(1);
            assertThat(json(fx.evaluate(fx.dataCenter, ctx -> fx.contract.getRefund(ctx, "m1", "1")))
                    .at("/creditMeterId").asText()).isEqualTo("r1");
            fx.submit(fx.authority, ctx -> fx.contract.approveRefund(ctx, "ap1", "m1", "1"));
            assertThat(fx.available("r1")).isEqualTo(50_000 - 120 + 120);
            assertThat(fx.available("m1")).isZero();
            balanced();
        }

        @Test
        void an_escrow_the_failed_meter_offered_expires_back_to_the_replacement() {
            final String offered = fx.offer("m1", "mB", 1_000);
            reportFailure("m1");
            replace("m1", "r1");
            fx.advance(Duration.ofHours(2));
            final JsonNode expired = json(fx.submit(fx.authority, ctx -> fx.contract.expireTransfer(ctx, "e1", offered)));
            assertThat(expired.at("/movements/0/creditAccount").asText()).isEqualTo("METER:r1");
            assertThat(fx.available("r1")).isEqualTo(50_000);
            assertThat(fx.available("m1")).isZero();
            balanced();
        }

        @Test
        void an_escrow_that_expires_before_it_is_moved_returns_to_the_failed_meter_and_moves_with_its_balance() {
            final String offered = fx.offer("m1", "mB", 1_000);
            reportFailure("m1");
            fx.advance(Duration.ofHours(2));
            fx.submit(fx.authority, ctx -> fx.contract.expireTransfer(ctx, "e1", offered));
            assertThat(fx.available("m1")).isEqualTo(50_000);
            assertThat(replace("m1", "r1").at("/replacement/fundsMovedMinorUnits").asLong()).isEqualTo(50_000);
            balanced();
        }

        @Test
        void is_resumable_in_bounded_steps_each_balanced_and_idempotent_by_request_id() {
            final int transfers = Limits.MAX_ITEMS_PER_REPLACEMENT_STEP + 5;
            final List<String> offers = new ArrayList<>();
            for (int i = 0; i < transfers; i++) {
                offers.add(fx.offer("mB", "m1", 10));
            }
            reportFailure("m1");

            final JsonNode first = json(fx.submit(fx.dataCenter, ctx -> fx.contract.replacePsd(ctx, "rep-1", "m1", "r1")));
            assertThat(first.at("/replacement/state").asText()).isEqualTo("IN_PROGRESS");
            assertThat(first.at("/replacement/transfersMoved").asLong()).isEqualTo(Limits.MAX_ITEMS_PER_REPLACEMENT_STEP);
            assertThat(first.at("/replacement/fundsMovedMinorUnits").asLong()).isZero();
            assertThat(first.at("/failedMeter/status").asText()).isEqualTo("FAILED");
            assertThat(first.at("/failedMeter/replacedByMeterId").asText()).isEqualTo("r1");
            balanced();
            // Between steps (as after a crash): the record says where it stands; a retry of the same request changes nothing.
            assertThat(json(fx.evaluate(fx.authority, ctx -> fx.contract.getReplacement(ctx, "m1")))
                    .at("/replacement/steps").asLong()).isEqualTo(1);
            assertThat(json(fx.submit(fx.dataCenter, ctx -> fx.contract.replacePsd(ctx, "rep-1", "m1", "r1"))))
                    .isEqualTo(first);
            // Resuming with another meter than the one named is refused.
            fx.registerMeter("r2", Organisations.MAILER_A);
            assertThat(fx.rejectsWith(ErrorCode.REPLACEMENT_NOT_ELIGIBLE, fx.dataCenter,
                    ctx -> fx.contract.replacePsd(ctx, "rep-x", "m1", "r2"))).contains("in progress", "r1");
            // A moved transfer completes against r1 meanwhile; one not yet moved still belongs to m1.
            fx.submit(r1, ctx -> fx.contract.acknowledgeTransfer(ctx, "k1", offers.get(0)));
            assertThat(fx.transfer(offers.get(transfers - 1)).at("/transfer/recipientMeterId").asText()).isEqualTo("m1");

            final JsonNode second = json(fx.submit(fx.dataCenter, ctx -> fx.contract.replacePsd(ctx, "rep-2", "m1", "r1")));
            assertThat(second.at("/replacement/state").asText()).isEqualTo("COMPLETE");
            assertThat(second.at("/replacement/steps").asLong()).isEqualTo(2);
            assertThat(second.at("/replacement/transfersMoved").asLong()).isEqualTo(transfers);
            assertThat(second.at("/replacement/fundsMovedMinorUnits").asLong()).isEqualTo(50_000);
            assertThat(second.at("/failedMeter/status").asText()).isEqualTo("REPLACED");
            balanced();
            for (final String offer : offers.subList(1, transfers)) {
                fx.submit(r1, ctx -> fx.contract.acknowledgeTransfer(ctx, fx.nextRequestId(), offer));
            }
            assertThat(fx.available("r1")).isEqualTo(50_000 + 10L * transfers);
            balanced();
        }
    }
}
