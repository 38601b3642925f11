package org.postalfunds.chaincode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postalfunds.chaincode.LedgerFixture.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Limits;
import org.postalfunds.chaincode.access.Organisations;
import org.postalfunds.chaincode.fake.FakeLedger;
import org.postalfunds.chaincode.fake.TestIdentity;
import org.postalfunds.chaincode.state.Keys;

/** Pull transfers (Fig. 3a, Fig. 5): donor m1 (MailerA) and recipient m2 (MailerB). */
class PullTransferTest {
    private final LedgerFixture fx = new LedgerFixture();
    private TestIdentity donor;
    private TestIdentity recipient;

    @BeforeEach
    void donorAuthorisesRecipient() {
        donor = fx.registerMeter("m1", Organisations.MAILER_A);
        recipient = fx.registerMeter("m2", Organisations.MAILER_B);
        fx.refill("m1", 10_000);
        fx.authorise("m1", "m2");
    }

    private long inOneDay() {
        return fx.nowSeconds() + 86_400;
    }

    @Nested
    class RequestTransfer {
        @Test
        void an_authorised_recipient_requests_and_nothing_moves_yet() {
            final JsonNode result = json(fx.submit(recipient,
                    ctx -> fx.contract.requestTransfer(ctx, "q1", "m2", "m1", "400", String.valueOf(inOneDay()))));
            final String transferId = result.at("/transfer/transferId").asText();

            assertThat(result.at("/event").asText()).isEqualTo("TransferRequested");
            assertThat(transferId).isEqualTo(fx.lastStub().getTxId());
            assertThat(result.at("/transfer/state").asText()).isEqualTo("REQUESTED");
            assertThat(result.at("/transfer/kind").asText()).isEqualTo("PULL");
            assertThat(result.has("movements")).isFalse();
            assertThat(fx.lastWrittenKeys()).containsExactly("~request~MailerBMSP~q1~",
                    "~transfer-by-meter~m1~REQUESTED~" + transferId + "~",
                    "~transfer-by-meter~m2~REQUESTED~" + transferId + "~", "~transfer~" + transferId + "~");
            assertThat(FakeLedger.orgsOf(fx.ledger.validationParameter(Keys.transfer(transferId))))
                    .containsExactlyInAnyOrder("DataCenterMSP", "MailerAMSP", "MailerBMSP");
            assertThat(fx.available("m1")).isEqualTo(10_000);
        }

        @Test
        void a_meter_not_on_the_donors_list_is_refused_at_request_time() {
            final TestIdentity stranger = fx.registerMeter("m3", Organisations.MAILER_B);
            fx.rejectsWith(ErrorCode.REQUESTER_NOT_AUTHORISED, stranger,
                    ctx -> fx.contract.requestTransfer(ctx, "q1", "m3", "m1", "400", String.valueOf(inOneDay())));
        }

        @Test
        void only_the_recipient_meter_itself_may_request() {
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.mailerB,
                    ctx -> fx.contract.requestTransfer(ctx, "q1", "m2", "m1", "400", String.valueOf(inOneDay())));
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, donor,
                    ctx -> fx.contract.requestTransfer(ctx, "q1", "m2", "m1", "400", String.valueOf(inOneDay())));
        }

        @Test
        void bad_amounts_deadlines_and_ids_are_refused() {
            fx.rejectsWith(ErrorCode.INVALID_AMOUNT, recipient,
                    ctx -> fx.contract.requestTransfer(ctx, "q1", "m2", "m1", "0", String.valueOf(inOneDay())));
            fx.rejectsWith(ErrorCode.INVALID_AMOUNT, recipient,
                    ctx -> fx.contract.requestTransfer(ctx, "q1", "m2", "m1", "-1", String.valueOf(inOneDay())));
            fx.rejectsWith(ErrorCode.LIMIT_EXCEEDED, recipient, ctx -> fx.contract.requestTransfer(ctx, "q1", "m2",
                    "m1", String.valueOf(LedgerFixture.DEFAULT_MAX_TRANSFER + 1), String.valueOf(inOneDay())));
            fx.rejectsWith(ErrorCode.INVALID_DEADLINE, recipient,
                    ctx -> fx.contract.requestTransfer(ctx, "q1", "m2", "m1", "400", String.valueOf(fx.nowSeconds())));
            fx.rejectsWith(ErrorCode.INVALID_DEADLINE, recipient, ctx -> fx.contract.requestTransfer(ctx, "q1", "m2",
                    "m1", "400", String.valueOf(fx.nowSeconds() + Limits.MAX_REQUEST_WINDOW_SECONDS + 1)));
            fx.rejectsWith(ErrorCode.UNKNOWN_METER, recipient,
                    ctx -> fx.contract.requestTransfer(ctx, "q1", "m2", "ghost", "400", String.valueOf(inOneDay())));
            fx.rejectsWith(ErrorCode.SELF_TRANSFER, recipient,
                    ctx -> fx.contract.requestTransfer(ctx, "q1", "m2", "m2", "400", String.valueOf(inOneDay())));
            fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, recipient,
                    ctx -> fx.contract.requestTransfer(ctx, "q1", "m2", null, "400", String.valueOf(inOneDay())));
        }

        @Test
        void a_suspended_or_overdue_recipient_cannot_request_and_nobody_requests_from_a_suspended_donor() {
            fx.submit(fx.dataCenter, ctx -> fx.contract.suspendMeter(ctx, "s1", "m1", "audit"));
            fx.rejectsWith(ErrorCode.METER_SUSPENDED, recipient,
                    ctx -> fx.contract.requestTransfer(ctx, "q1", "m2", "m1", "400", String.valueOf(inOneDay())));
            fx.submit(fx.dataCenter, ctx -> fx.contract.resumeMeter(ctx, "s2", "m1"));
            fx.advance(Duration.ofDays(121));
            fx.submit(fx.dataCenter, ctx -> fx.contract.recordInspection(ctx, "i1", "m1"));
            fx.rejectsWith(ErrorCode.INSPECTION_OVERDUE, recipient,
                    ctx -> fx.contract.requestTransfer(ctx, "q2", "m2", "m1", "400", String.valueOf(inOneDay())));
        }
    }

    @Nested
    class GrantTransfer {
        @Test
        void the_donor_grants_moving_funds_into_escrow_under_all_parties_endorsement() {
            final String transferId = fx.request("m2", "m1", 400);
            final long escrowDeadline = fx.nowSeconds() + 3_600;
            final JsonNode result = json(fx.submit(donor,
                    ctx -> fx.contract.grantTransfer(ctx, "g1", transferId, String.valueOf(escrowDeadline))));

            assertThat(result.at("/event").asText()).isEqualTo("TransferGranted");
            assertThat(result.at("/transfer/state").asText()).isEqualTo("GRANTED");
            assertThat(result.at("/transfer/deadlineEpochSeconds").asLong()).isEqualTo(escrowDeadline);
            assertThat(result.at("/transfer/fundingAccount").asText()).isEqualTo("METER:m1");
            assertThat(result.at("/escrow/heldMinorUnits").asLong()).isEqualTo(400);
            assertThat(result.at("/movements/0/debitAccount").asText()).isEqualTo("METER:m1");
            assertThat(result.at("/movements/0/creditAccount").asText()).isEqualTo("ESCROW:" + transferId);
            assertThat(fx.lastWrittenKeys()).containsExactly("~account~ESCROW~" + transferId + "~",
                    "~account~METER~m1~", "~request~MailerAMSP~g1~",
                    "~transfer-by-meter~m1~GRANTED~" + transferId + "~",
                    "~transfer-by-meter~m1~REQUESTED~" + transferId + "~",
                    "~transfer-by-meter~m2~GRANTED~" + transferId + "~",
                    "~transfer-by-meter~m2~REQUESTED~" + transferId + "~", "~transfer~" + transferId + "~");
            assertThat(FakeLedger.orgsOf(fx.ledger.validationParameter(Keys.escrow(transferId))))
                    .containsExactlyInAnyOrder("DataCenterMSP", "MailerAMSP", "MailerBMSP");
            assertThat(fx.available("m1")).isEqualTo(9_600);
            assertThat(fx.meterView("m1").at("/registers/transferredOutMinorUnits").asLong()).isEqualTo(400);
        }

        @Test
        void granting_twice_is_an_illegal_transition() {
            final String transferId = fx.request("m2", "m1", 400);
            fx.grant(transferId, "m1");
            assertThat(fx.rejectsWith(ErrorCode.ILLEGAL_TRANSITION, donor, ctx -> fx.contract.grantTransfer(ctx, "g2",
                    transferId, String.valueOf(fx.nowSeconds() + 60)))).contains("GRANTED");
        }

        @Test
        void only_the_donor_meter_grants() {
            final String transferId = fx.request("m2", "m1", 400);
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, recipient,
                    ctx -> fx.contract.grantTransfer(ctx, "g1", transferId, String.valueOf(fx.nowSeconds() + 60)));
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.mailerA,
                    ctx -> fx.contract.grantTransfer(ctx, "g1", transferId, String.valueOf(fx.nowSeconds() + 60)));
        }

        @Test
        void a_grant_after_the_request_deadline_is_too_late() {
            final String transferId = fx.request("m2", "m1", 400);
            fx.advance(Duration.ofDays(1));
            fx.rejectsWith(ErrorCode.DEADLINE_PASSED, donor,
                    ctx -> fx.contract.grantTransfer(ctx, "g1", transferId, String.valueOf(fx.nowSeconds() + 60)));
        }

        @Test
        void a_grant_beyond_the_donors_funds_is_refused() {
            final TestIdentity poor = fx.registerMeter("m3", Organisations.MAILER_A);
            fx.authorise("m3", "m2");
            final String transferId = fx.request("m2", "m3", 400);
            fx.rejectsWith(ErrorCode.INSUFFICIENT_FUNDS, poor,
                    ctx -> fx.contract.grantTransfer(ctx, "g1", transferId, String.valueOf(fx.nowSeconds() + 60)));
        }

        @Test
        void a_suspended_donor_cannot_spend() {
            final String transferId = fx.request("m2", "m1", 400);
            fx.submit(fx.dataCenter, ctx -> fx.contract.suspendMeter(ctx, "s1", "m1", "audit"));
            fx.rejectsWith(ErrorCode.METER_SUSPENDED, donor,
                    ctx -> fx.contract.grantTransfer(ctx, "g1", transferId, String.valueOf(fx.nowSeconds() + 60)));
        }

        @Test
        void an_inspection_overdue_donor_cannot_spend() {
            fx.advance(Duration.ofDays(119));
            fx.refill("m2", 1);
            final String transferId = json(fx.submit(recipient, ctx -> fx.contract.requestTransfer(ctx, "q1", "m2",
                    "m1", "400", String.valueOf(fx.nowSeconds() + 5 * 86_400)))).at("/transfer/transferId").asText();
            fx.advance(Duration.ofDays(2));
            fx.rejectsWith(ErrorCode.INSPECTION_OVERDUE, donor,
                    ctx -> fx.contract.grantTransfer(ctx, "g1", transferId, String.valueOf(fx.nowSeconds() + 60)));
        }

        @Test
        void the_escrow_deadline_must_lie_within_the_escrow_window() {
            final String transferId = fx.request("m2", "m1", 400);
            fx.rejectsWith(ErrorCode.INVALID_DEADLINE, donor,
                    ctx -> fx.contract.grantTransfer(ctx, "g1", transferId, String.valueOf(fx.nowSeconds() - 1)));
            fx.rejectsWith(ErrorCode.INVALID_DEADLINE, donor, ctx -> fx.contract.grantTransfer(ctx, "g1", transferId,
                    String.valueOf(fx.nowSeconds() + Limits.MAX_ESCROW_WINDOW_SECONDS + 1)));
        }

        @Test
        void an_unknown_transfer_cannot_be_granted() {
            fx.rejectsWith(ErrorCode.UNKNOWN_TRANSFER, donor,
                    ctx -> fx.contract.grantTransfer(ctx, "g1", "feedbeef", String.valueOf(fx.nowSeconds() + 60)));
        }
    }

    @Nested
    class DenyTransfer {
        @Test
        void the_donor_denies_with_a_reason_and_nothing_moves() {
            final String transferId = fx.request("m2", "m1", 400);
            final JsonNode result = json(fx.submit(donor,
                    ctx -> fx.contract.denyTransfer(ctx, "d1", transferId, "over budget")));
            assertThat(result.at("/event").asText()).isEqualTo("TransferDenied");
            assertThat(result.at("/transfer/state").asText()).isEqualTo("DENIED");
            assertThat(result.at("/transfer/reason").asText()).isEqualTo("over budget");
            assertThat(result.has("movements")).isFalse();
            assertThat(fx.available("m1")).isEqualTo(10_000);
        }

        @Test
        void a_granted_transfer_cannot_be_denied_and_a_denied_one_cannot_be_granted() {
            final String granted = fx.request("m2", "m1", 400);
            fx.grant(granted, "m1");
            fx.rejectsWith(ErrorCode.ILLEGAL_TRANSITION, donor,
                    ctx -> fx.contract.denyTransfer(ctx, "d1", granted, "no"));
            final String denied = fx.request("m2", "m1", 400);
            fx.submit(donor, ctx -> fx.contract.denyTransfer(ctx, "d2", denied, "no"));
            fx.rejectsWith(ErrorCode.ILLEGAL_TRANSITION, donor,
                    ctx -> fx.contract.grantTransfer(ctx, "g1", denied, String.valueOf(fx.nowSeconds() + 60)));
        }

        @Test
        void only_the_donor_denies() {
            final String transferId = fx.request("m2", "m1", 400);
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, recipient,
                    ctx -> fx.contract.denyTransfer(ctx, "d1", transferId, "no"));
        }
    }

    @Nested
    class AcceptTransfer {
        @Test
        void the_recipient_accepts_moving_the_escrow_to_its_meter() {
            final String transferId = fx.request("m2", "m1", 400);
            fx.grant(transferId, "m1");
            final JsonNode result = json(fx.submit(recipient,
                    ctx -> fx.contract.acceptTransfer(ctx, "a1", transferId)));

            assertThat(result.at("/event").asText()).isEqualTo("TransferAccepted");
            assertThat(result.at("/transfer/state").asText()).isEqualTo("ACCEPTED");
            assertThat(result.has("escrow")).isFalse();
            assertThat(result.at("/movements/0/creditAccount").asText()).isEqualTo("METER:m2");
            // The credit reaches the recipient's inflow, never its registers (README, "Hot keys").
            assertThat(fx.lastWrittenKeys()).contains("~account~ESCROW~" + transferId + "~", "~account~INFLOW~m2~")
                    .doesNotContain("~account~METER~m1~", "~account~METER~m2~");
            assertThat(fx.ledger.value(Keys.escrow(transferId))).isEmpty();
            assertThat(fx.available("m2")).isEqualTo(400);
            assertThat(fx.meterView("m2").at("/registers/transferredInMinorUnits").asLong()).isEqualTo(400);
        }

        @Test
        void accepting_after_cancel_is_an_illegal_transition() {
            final String transferId = fx.request("m2", "m1", 400);
            fx.grant(transferId, "m1");
            fx.submit(recipient, ctx -> fx.contract.cancelTransfer(ctx, "c1", transferId));
            assertThat(fx.rejectsWith(ErrorCode.ILLEGAL_TRANSITION, recipient,
                    ctx -> fx.contract.acceptTransfer(ctx, "a1", transferId))).contains("CANCELLED is final");
        }

        @Test
        void accepting_a_request_not_yet_granted_is_an_illegal_transition() {
            final String transferId = fx.request("m2", "m1", 400);
            fx.rejectsWith(ErrorCode.ILLEGAL_TRANSITION, recipient,
                    ctx -> fx.contract.acceptTransfer(ctx, "a1", transferId));
        }

        @Test
        void accepting_after_the_escrow_deadline_is_too_late() {
            final String transferId = fx.request("m2", "m1", 400);
            fx.grant(transferId, "m1");
            fx.advance(Duration.ofHours(1));
            fx.rejectsWith(ErrorCode.DEADLINE_PASSED, recipient,
                    ctx -> fx.contract.acceptTransfer(ctx, "a1", transferId));
        }

        @Test
        void only_the_recipient_accepts() {
            final String transferId = fx.request("m2", "m1", 400);
            fx.grant(transferId, "m1");
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, donor, ctx -> fx.contract.acceptTransfer(ctx, "a1", transferId));
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.mailerB,
                    ctx -> fx.contract.acceptTransfer(ctx, "a1", transferId));
        }

        @Test
        void accepting_beyond_the_recipients_balance_limit_is_refused() {
            fx.refill("m2", LedgerFixture.DEFAULT_MAX_BALANCE - 100);
            final String transferId = fx.request("m2", "m1", 400);
            fx.grant(transferId, "m1");
            fx.rejectsWith(ErrorCode.LIMIT_EXCEEDED, recipient,
                    ctx -> fx.contract.acceptTransfer(ctx, "a1", transferId));
        }

        @Test
        void a_suspended_recipient_cannot_accept() {
            final String transferId = fx.request("m2", "m1", 400);
            fx.grant(transferId, "m1");
            fx.submit(fx.dataCenter, ctx -> fx.contract.suspendMeter(ctx, "s1", "m2", "audit"));
            fx.rejectsWith(ErrorCode.METER_SUSPENDED, recipient,
                    ctx -> fx.contract.acceptTransfer(ctx, "a1", transferId));
        }
    }

    @Nested
    class CancelTransfer {
        @Test
        void the_recipient_cancels_a_grant_and_the_escrow_returns_to_the_donor() {
            final String transferId = fx.request("m2", "m1", 400);
            fx.grant(transferId, "m1");
            final JsonNode result = json(fx.submit(recipient,
                    ctx -> fx.contract.cancelTransfer(ctx, "c1", transferId)));
            assertThat(result.at("/event").asText()).isEqualTo("TransferCancelled");
            assertThat(result.at("/movements/0/debitAccount").asText()).isEqualTo("ESCROW:" + transferId);
            assertThat(result.at("/movements/0/creditAccount").asText()).isEqualTo("METER:m1");
            assertThat(fx.available("m1")).isEqualTo(10_000);
            assertThat(fx.ledger.value(Keys.escrow(transferId))).isEmpty();
        }

        @Test
        void the_recipient_may_withdraw_a_pending_request() {
            final String transferId = fx.request("m2", "m1", 400);
            fx.submit(recipient, ctx -> fx.contract.cancelTransfer(ctx, "c1", transferId));
            assertThat(fx.transfer(transferId).at("/transfer/state").asText()).isEqualTo("CANCELLED");
            fx.rejectsWith(ErrorCode.ILLEGAL_TRANSITION, donor,
                    ctx -> fx.contract.grantTransfer(ctx, "g1", transferId, String.valueOf(fx.nowSeconds() + 60)));
        }

        @Test
        void cancelling_after_accept_is_an_illegal_transition_and_only_the_recipient_cancels() {
            final String transferId = fx.request("m2", "m1", 400);
            fx.grant(transferId, "m1");
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, donor, ctx -> fx.contract.cancelTransfer(ctx, "c1", transferId));
            fx.accept(transferId, "m2");
            fx.rejectsWith(ErrorCode.ILLEGAL_TRANSITION, recipient,
                    ctx -> fx.contract.cancelTransfer(ctx, "c2", transferId));
        }
    }

    @Nested
    class ExpireTransfer {
        @Test
        void expiring_before_the_deadline_is_refused() {
            final String transferId = fx.request("m2", "m1", 400);
            fx.grant(transferId, "m1");
            fx.advance(Duration.ofMinutes(59));
            fx.rejectsWith(ErrorCode.DEADLINE_NOT_REACHED, fx.authority,
                    ctx -> fx.contract.expireTransfer(ctx, "e1", transferId));
        }

        @Test
        void anyone_expires_a_grant_at_its_deadline_and_the_escrow_returns_to_the_donor() {
            final String transferId = fx.request("m2", "m1", 400);
            fx.grant(transferId, "m1");
            fx.advance(Duration.ofHours(1));
            final JsonNode result = json(fx.submit(fx.authority,
                    ctx -> fx.contract.expireTransfer(ctx, "e1", transferId)));
            assertThat(result.at("/event").asText()).isEqualTo("TransferExpired");
            assertThat(result.at("/movements/0/creditAccount").asText()).isEqualTo("METER:m1");
            assertThat(fx.available("m1")).isEqualTo(10_000);
            assertThat(fx.auditTotals().at("/openEscrows").asLong()).isZero();
        }

        @Test
        void a_pending_request_lapses_at_its_deadline() {
            final String transferId = fx.request("m2", "m1", 400);
            fx.advance(Duration.ofDays(1));
            final JsonNode result = json(fx.submit(fx.mailerA,
                    ctx -> fx.contract.expireTransfer(ctx, "e1", transferId)));
            assertThat(result.at("/transfer/state").asText()).isEqualTo("EXPIRED");
            assertThat(result.has("movements")).isFalse();
        }

        @Test
        void an_expired_transfer_is_final() {
            final String transferId = fx.request("m2", "m1", 400);
            fx.advance(Duration.ofDays(1));
            fx.submit(fx.mailerA, ctx -> fx.contract.expireTransfer(ctx, "e1", transferId));
            fx.rejectsWith(ErrorCode.ILLEGAL_TRANSITION, fx.mailerA,
                    ctx -> fx.contract.expireTransfer(ctx, "e2", transferId));
            fx.rejectsWith(ErrorCode.ILLEGAL_TRANSITION, recipient,
                    ctx -> fx.contract.cancelTransfer(ctx, "c1", transferId));
        }

        @Test
        void a_party_to_an_open_transfer_is_not_withdrawn_until_it_settles() {
            final String transferId = fx.request("m2", "m1", 400);
            // Requested: neither party may be withdrawn.
            fx.rejectsWith(ErrorCode.TRANSFERS_OPEN, fx.dataCenter, ctx -> fx.contract.withdrawMeter(ctx, "w1", "m1"));
            fx.rejectsWith(ErrorCode.TRANSFERS_OPEN, fx.dataCenter, ctx -> fx.contract.withdrawMeter(ctx, "w2", "m2"));
            fx.grant(transferId, "m1");
            // Granted: the escrow could still deliver from the donor or return to it.
            fx.rejectsWith(ErrorCode.TRANSFERS_OPEN, fx.dataCenter, ctx -> fx.contract.withdrawMeter(ctx, "w1", "m1"));
            fx.rejectsWith(ErrorCode.TRANSFERS_OPEN, fx.dataCenter, ctx -> fx.contract.withdrawMeter(ctx, "w2", "m2"));
            // The procedure: suspend (no new transfers), let the open ones settle or expire, then withdraw.
            fx.submit(fx.dataCenter, ctx -> fx.contract.suspendMeter(ctx, "s1", "m1", "to be withdrawn"));
            fx.rejectsWith(ErrorCode.METER_SUSPENDED, fx.meter("m2"), ctx -> fx.contract.requestTransfer(ctx, "q9",
                    "m2", "m1", "10", String.valueOf(inOneDay())));
            fx.advance(Duration.ofHours(2));
            fx.submit(fx.authority, ctx -> fx.contract.expireTransfer(ctx, "e1", transferId));
            final JsonNode withdrawn = json(fx.submit(fx.dataCenter,
                    ctx -> fx.contract.withdrawMeter(ctx, "w1", "m1")));
            assertThat(withdrawn.at("/meter/status").asText()).isEqualTo("WITHDRAWN");
            assertThat(withdrawn.at("/registers/descendingRegisterMinorUnits").asLong()).isZero();
            final JsonNode totals = fx.auditTotals();
            assertThat(totals.at("/totalsMinorUnits/ESCROW").asLong()).isZero();
            assertThat(totals.at("/proof/balanced").asBoolean()).isTrue();
        }
    }

    @Nested
    class Queries {
        @Test
        void a_meters_transfers_are_listed_by_state_a_page_at_a_time() {
            final String first = fx.request("m2", "m1", 100);
            final String second = fx.request("m2", "m1", 200);
            final String third = fx.request("m2", "m1", 300);
            fx.grant(third, "m1");

            final JsonNode page1 = json(fx.evaluate(fx.mailerB,
                    ctx -> fx.contract.listTransfers(ctx, "m2", "REQUESTED", "1", "")));
            assertThat(page1.at("/transfers").size()).isEqualTo(1);
            final String bookmark = page1.at("/bookmark").asText();
            assertThat(bookmark).isNotEmpty();
            final JsonNode page2 = json(fx.evaluate(fx.mailerB,
                    ctx -> fx.contract.listTransfers(ctx, "m2", "REQUESTED", "1", bookmark)));
            assertThat(java.util.List.of(page1.at("/transfers/0/transferId").asText(),
                    page2.at("/transfers/0/transferId").asText())).containsExactlyInAnyOrder(first, second);
            final JsonNode granted = json(fx.evaluate(fx.mailerA,
                    ctx -> fx.contract.listTransfers(ctx, "m1", "GRANTED", "10", "")));
            assertThat(granted.at("/transfers/0/transferId").asText()).isEqualTo(third);
            assertThat(granted.at("/bookmark").asText()).isEmpty();
        }

        @Test
        void listing_checks_state_page_size_and_reader() {
            fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.mailerB,
                    ctx -> fx.contract.listTransfers(ctx, "m2", "DONE", "10", ""));
            fx.rejectsWith(ErrorCode.INVALID_COUNT, fx.mailerB,
                    ctx -> fx.contract.listTransfers(ctx, "m2", "REQUESTED", "0", ""));
            fx.rejectsWith(ErrorCode.INVALID_COUNT, fx.mailerB,
                    ctx -> fx.contract.listTransfers(ctx, "m2", "REQUESTED", String.valueOf(Limits.MAX_PAGE_SIZE + 1), ""));
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.mailerA,
                    ctx -> fx.contract.listTransfers(ctx, "m2", "REQUESTED", "10", ""));
        }

        @Test
        void a_transfer_is_visible_to_its_parties_owners_the_data_center_and_the_authority_only() {
            final String transferId = fx.request("m2", "m1", 100);
            fx.evaluate(fx.mailerA, ctx -> fx.contract.getTransfer(ctx, transferId));
            fx.evaluate(fx.mailerB, ctx -> fx.contract.getTransfer(ctx, transferId));
            fx.evaluate(fx.authority, ctx -> fx.contract.getTransfer(ctx, transferId));
            final TestIdentity outsider = TestIdentity.p256("OtherMSP", "outsider");
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, outsider, ctx -> fx.contract.getTransfer(ctx, transferId));
            fx.rejectsWith(ErrorCode.UNKNOWN_TRANSFER, fx.mailerA, ctx -> fx.contract.getTransfer(ctx, "nothing"));
        }
    }
}
