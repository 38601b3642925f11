package org.postalfunds.chaincode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postalfunds.chaincode.LedgerFixture.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Limits;
import org.postalfunds.api.model.Refund;
import org.postalfunds.chaincode.access.Organisations;
import org.postalfunds.chaincode.fake.FakeLedger;
import org.postalfunds.chaincode.fake.FakeStub;
import org.postalfunds.chaincode.refund.RefundService;
import org.postalfunds.chaincode.state.Keys;
import org.postalfunds.chaincode.state.LedgerTx;

/**
 * Refunds of spoiled indicia on the model: the meter asks, the postal authority approves (postage revenue back to
 * the meter, by double entry) or rejects; every rule's refusal has its own code and changes nothing (rejectsWith
 * compares the whole ledger before and after); a refunded indicium verifies and scans as REFUNDED.
 */
class RefundTest {
    private static final String REASON = "envelope jammed in the printer";
    private final LedgerFixture fx = new LedgerFixture();
    private String piece1;

    @BeforeEach
    void aMeterThatPrintedTwoPieces() {
        fx.registerMeter("m1", Organisations.MAILER_A);
        fx.registerMeter("m2", Organisations.MAILER_A);
        fx.registerMeter("mB", Organisations.MAILER_B);
        fx.refill("m1", 1_000);
        piece1 = fx.indicium("m1", 1, 85, fx.meter("m1"));
        fx.submit(fx.meter("m1"), ctx -> fx.contract.printPostage(ctx, "print-1", piece1));
        fx.print("m1", 60);
    }

    private JsonNode request(final String requestId, final long piece, final long amount) {
        return json(fx.submit(fx.meter("m1"), ctx -> fx.contract.requestRefund(ctx, requestId, "m1",
                String.valueOf(piece), String.valueOf(amount), REASON)));
    }

    private JsonNode approve(final String requestId, final long piece) {
        return json(fx.submit(fx.authority, ctx -> fx.contract.approveRefund(ctx, requestId, "m1", String.valueOf(piece))));
    }

    private String verdictOf(final String indicium) {
        return json(fx.evaluate(fx.authority, ctx -> fx.contract.verifyIndicium(ctx, indicium))).at("/verdict").asText();
    }

    private JsonNode registers(final String meterId) {
        return fx.meterView(meterId).at("/registers");
    }

    @Nested
    class Request {
        @Test
        void records_the_refund_and_moves_nothing_yet() {
            final JsonNode result = request("refund-1", 1, 85);
            assertThat(fx.lastWrittenKeys()).contains("~refund~m1~0000000000000000001~",
                    "~refund-by-state~m1~REQUESTED~0000000000000000001~", "~refund-day~m1~2026-03-02~");
            assertThat(result.at("/event").asText()).isEqualTo("RefundRequested");
            assertThat(result.at("/refund/state").asText()).isEqualTo("REQUESTED");
            assertThat(result.at("/refund/creditMeterId").asText()).isEqualTo("m1");
            assertThat(result.at("/refund/ownerMsp").asText()).isEqualTo(Organisations.MAILER_A);
            assertThat(result.at("/refund/reason").asText()).isEqualTo(REASON);
            assertThat(result.has("movements")).isFalse();
            assertThat(fx.available("m1")).isEqualTo(1_000 - 85 - 60);
            assertThat(verdictOf(piece1)).as("pending: still genuine until approved").isEqualTo("GENUINE");
        }

        @Test
        void is_for_the_meter_itself_only() {
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.mailerA, ctx -> fx.contract.requestRefund(ctx, "r", "m1",
                    "1", "85", REASON));
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.meter("m2"), ctx -> fx.contract.requestRefund(ctx, "r", "m1",
                    "1", "85", REASON));
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.authority, ctx -> fx.contract.requestRefund(ctx, "r", "m1",
                    "1", "85", REASON));
            fx.rejectsWith(ErrorCode.UNKNOWN_METER, fx.meter("m1"), ctx -> fx.contract.requestRefund(ctx, "r", "m9",
                    "1", "85", REASON));
        }

        @Test
        void needs_a_piece_on_the_ledger_for_its_recorded_amount() {
            assertThat(fx.rejectsWith(ErrorCode.UNKNOWN_INDICIUM, fx.meter("m1"),
                    ctx -> fx.contract.requestRefund(ctx, "r", "m1", "3", "85", REASON))).contains("no piece 3");
            assertThat(fx.rejectsWith(ErrorCode.REFUND_AMOUNT_MISMATCH, fx.meter("m1"),
                    ctx -> fx.contract.requestRefund(ctx, "r", "m1", "1", "86", REASON)))
                    .contains("recorded for 85").contains("asks for 86");
            fx.rejectsWith(ErrorCode.INVALID_AMOUNT, fx.meter("m1"),
                    ctx -> fx.contract.requestRefund(ctx, "r", "m1", "1", "0", REASON));
            fx.rejectsWith(ErrorCode.INVALID_COUNT, fx.meter("m1"),
                    ctx -> fx.contract.requestRefund(ctx, "r", "m1", "0", "85", REASON));
        }

        @Test
        void needs_a_reason_of_bounded_length() {
            fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.meter("m1"),
                    ctx -> fx.contract.requestRefund(ctx, "r", "m1", "1", "85", ""));
            fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.meter("m1"),
                    ctx -> fx.contract.requestRefund(ctx, "r", "m1", "1", "85", "   "));
            fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.meter("m1"),
                    ctx -> fx.contract.requestRefund(ctx, "r", "m1", "1", "85", null));
            assertThat(fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.meter("m1"), ctx -> fx.contract.requestRefund(
                    ctx, "r", "m1", "1", "85", "x".repeat(Limits.MAX_REFUND_REASON_LENGTH + 1))))
                    .contains(String.valueOf(Limits.MAX_REFUND_REASON_LENGTH));
            fx.submit(fx.meter("m1"), ctx -> fx.contract.requestRefund(ctx, "r", "m1", "1", "85",
                    "x".repeat(Limits.MAX_REFUND_REASON_LENGTH)));
        }

        @Test
        void is_made_once_per_piece_whatever_became_of_the_first() {
            request("refund-1", 1, 85);
            assertThat(fx.rejectsWith(ErrorCode.REFUND_ALREADY_REQUESTED, fx.meter("m1"),
                    ctx -> fx.contract.requestRefund(ctx, "refund-2", "m1", "1", "85", REASON))).contains("REQUESTED");
            approve("approve-1", 1);
            assertThat(fx.rejectsWith(ErrorCode.REFUND_ALREADY_REQUESTED, fx.meter("m1"),
                    ctx -> fx.contract.requestRefund(ctx, "refund-2", "m1", "1", "85", REASON))).contains("APPROVED");
            request("refund-3", 2, 60);
            fx.submit(fx.authority, ctx -> fx.contract.rejectRefund(ctx, "reject-1", "m1", "2", "seen intact"));
            assertThat(fx.rejectsWith(ErrorCode.REFUND_ALREADY_REQUESTED, fx.meter("m1"),
                    ctx -> fx.contract.requestRefund(ctx, "refund-4", "m1", "2", "60", REASON))).contains("REJECTED");
        }

        @Test
        void a_retry_with_the_same_request_id_returns_the_same_answer_and_writes_nothing() {
            final JsonNode first = request("refund-1", 1, 85);
            final JsonNode again = request("refund-1", 1, 85);
            assertThat(again).isEqualTo(first);
            assertThat(fx.lastStub().putOrder()).isEmpty();
            fx.rejectsWith(ErrorCode.REQUEST_ID_REUSED, fx.meter("m1"),
                    ctx -> fx.contract.requestRefund(ctx, "refund-1", "m1", "2", "60", REASON));
        }

        @Test
        void is_possible_within_the_refund_window_from_the_recorded_time_only() {
            final JsonNode printed = json(fx.evaluate(fx.mailerA, ctx -> fx.contract.getIndicium(ctx, "m1", "1")));
            final long recordedAt = printed.at("/recordedAtEpochSeconds").asLong();
            fx.setNow(java.time.Instant.ofEpochSecond(recordedAt + Limits.REFUND_WINDOW_SECONDS + 1));
            assertThat(fx.rejectsWith(ErrorCode.REFUND_WINDOW_CLOSED, fx.meter("m1"),
                    ctx -> fx.contract.requestRefund(ctx, "r", "m1", "1", "85", REASON)))
                    .contains(String.valueOf(recordedAt + Limits.REFUND_WINDOW_SECONDS));
            fx.setNow(java.time.Instant.ofEpochSecond(recordedAt + Limits.REFUND_WINDOW_SECONDS));
            assertThat(request("r", 1, 85).at("/refund/state").asText()).isEqualTo("REQUESTED");
        }

        @Test
        void is_refused_for_a_piece_already_scanned_at_a_mail_centre() {
            fx.submit(fx.authority, ctx -> fx.contract.recordIndiciumScan(ctx, "scan-1", piece1));
            assertThat(fx.rejectsWith(ErrorCode.INDICIUM_ALREADY_SCANNED, fx.meter("m1"),
                    ctx -> fx.contract.requestRefund(ctx, "r", "m1", "1", "85", REASON))).contains("mailed");
        }

        @Test
        void is_limited_per_meter_per_utc_day() {
            final int limit = Limits.MAX_REFUND_REQUESTS_PER_METER_PER_DAY;
            for (int i = 0; i < limit + 1; i++) {
                fx.print("m1", 1);
            }
            // Pieces 3 .. limit + 3 cost 1 each; the first `limit` requests pass, the next one is refused.
            for (int piece = 3; piece < 3 + limit; piece++) {
                request("refund-" + piece, piece, 1);
            }
            final long next = 3 + limit;
            assertThat(fx.rejectsWith(ErrorCode.REFUND_RATE_LIMITED, fx.meter("m1"),
                    ctx -> fx.contract.requestRefund(ctx, "r", "m1", String.valueOf(next), "1", REASON)))
                    .contains(String.valueOf(limit)).contains("2026-03-02");
            // Other meters keep their own count; the next UTC day starts again.
            fx.advance(Duration.ofHours(14));
            assertThat(request("r", next, 1).at("/refund/state").asText()).isEqualTo("REQUESTED");
        }

        @Test
        void is_refused_while_the_meter_is_suspended() {
            fx.submit(fx.dataCenter, ctx -> fx.contract.suspendMeter(ctx, "s", "m1", "PSD reports a fault"));
            fx.rejectsWith(ErrorCode.METER_SUSPENDED, fx.meter("m1"),
                    ctx -> fx.contract.requestRefund(ctx, "r", "m1", "1", "85", REASON));
        }
    }

    @Nested
    class Approve {
        @Test
        void credits_the_postage_back_by_double_entry_and_keeps_the_books_balanced() {
            request("refund-1", 1, 85);
            final long before = fx.available("m1");
            final JsonNode result = approve("approve-1", 1);
            assertThat(fx.lastWrittenKeys()).contains("~refund-by-state~m1~APPROVED~0000000000000000001~",
                    "~refund-by-state~m1~REQUESTED~0000000000000000001~"); // the second one deleted
            assertThat(fx.lastStub().writes()).containsEntry(Keys.refundByState("m1", "REQUESTED", 1), null);
            assertThat(result.at("/event").asText()).isEqualTo("RefundApproved");
            assertThat(result.at("/refund/state").asText()).isEqualTo("APPROVED");
            assertThat(result.at("/refund/decidedTxId").asText()).isEqualTo(result.at("/txId").asText());
            assertThat(result.at("/movements/0/debitAccount").asText()).isEqualTo("POSTAGE_REVENUE:m1");
            assertThat(result.at("/movements/0/creditAccount").asText()).isEqualTo("METER:m1");
            assertThat(result.at("/movements/0/amountMinorUnits").asLong()).isEqualTo(85);
            assertThat(fx.available("m1")).isEqualTo(before + 85);
            final JsonNode registers = registers("m1");
            assertThat(registers.at("/ascendingRegisterMinorUnits").asLong()).as("printed, ever").isEqualTo(145);
            assertThat(registers.at("/refundedMinorUnits").asLong()).isEqualTo(85);
            assertThat(registers.at("/refundsCreditedMinorUnits").asLong()).isEqualTo(85);
            assertThat(registers.at("/pieceCount").asLong()).isEqualTo(2);
            final JsonNode totals = fx.auditTotals();
            assertThat(totals.at("/proof/balanced").asBoolean()).isTrue();
            assertThat(totals.at("/totalsMinorUnits/POSTAGE_REVENUE").asLong()).isEqualTo(60);
            assertThat(totals.at("/totalsMinorUnits/METER").asLong()).isEqualTo(1_000 - 60);
            assertThat(totals.at("/refundedMinorUnits").asLong()).isEqualTo(85);
            assertThat(totals.at("/refundsCreditedMinorUnits").asLong()).isEqualTo(85);
            LedgerInvariants.check(fx.ledger);
        }

        @Test
        void makes_the_indicium_refunded_for_every_verifier_and_every_scan() {
            request("refund-1", 1, 85);
            approve("approve-1", 1);
            assertThat(verdictOf(piece1)).isEqualTo("REFUNDED");
            assertThat(json(fx.evaluate(fx.dataCenter, ctx -> fx.contract.verifyIndicium(ctx, piece1)))
                    .at("/verdict").asText()).isEqualTo("REFUNDED");
            final JsonNode first = json(fx.submit(fx.authority, ctx -> fx.contract.recordIndiciumScan(ctx, "s1", piece1)));
            assertThat(first.at("/verification/verdict").asText()).isEqualTo("REFUNDED");
            assertThat(first.at("/verification/scanCount").asLong()).as("the sighting is counted").isEqualTo(1);
            final JsonNode second = json(fx.submit(fx.authority, ctx -> fx.contract.recordIndiciumScan(ctx, "s2", piece1)));
            assertThat(second.at("/verification/verdict").asText()).as("never DUPLICATE").isEqualTo("REFUNDED");
            assertThat(second.at("/verification/scanCount").asLong()).isEqualTo(2);
            assertThat(verdictOf(piece1)).isEqualTo("REFUNDED");
            assertThat(verdictOf(fx.indicium("m1", 2, 60, fx.meter("m1")))).as("the other piece").isEqualTo("GENUINE");
        }

        @Test
        void is_refused_if_the_piece_was_scanned_after_the_request() {
            request("refund-1", 1, 85);
            fx.submit(fx.authority, ctx -> fx.contract.recordIndiciumScan(ctx, "scan-1", piece1));
            fx.rejectsWith(ErrorCode.INDICIUM_ALREADY_SCANNED, fx.authority,
                    ctx -> fx.contract.approveRefund(ctx, "a", "m1", "1"));
            // The postal authority rejects it instead.
            fx.submit(fx.authority, ctx -> fx.contract.rejectRefund(ctx, "j", "m1", "1", "scanned in Berlin"));
        }

        @Test
        void is_for_the_postal_authority_only_and_for_a_requested_refund_only() {
            fx.rejectsWith(ErrorCode.UNKNOWN_REFUND, fx.authority, ctx -> fx.contract.approveRefund(ctx, "a", "m1", "1"));
            request("refund-1", 1, 85);
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.dataCenter, ctx -> fx.contract.approveRefund(ctx, "a", "m1", "1"));
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.meter("m1"), ctx -> fx.contract.approveRefund(ctx, "a", "m1", "1"));
            fx.rejectsWith(ErrorCode.UNKNOWN_METER, fx.authority, ctx -> fx.contract.approveRefund(ctx, "a", "m9", "1"));
            approve("approve-1", 1);
            assertThat(fx.rejectsWith(ErrorCode.ILLEGAL_TRANSITION, fx.authority,
                    ctx -> fx.contract.approveRefund(ctx, "approve-2", "m1", "1"))).contains("APPROVED");
            fx.rejectsWith(ErrorCode.ILLEGAL_TRANSITION, fx.authority,
                    ctx -> fx.contract.rejectRefund(ctx, "reject-2", "m1", "1", "too late"));
            // The same approval again is a retry: the first answer, nothing credited twice.
            final long available = fx.available("m1");
            approve("approve-1", 1);
            assertThat(fx.available("m1")).isEqualTo(available);
        }

        @Test
        void waits_while_the_credit_meter_is_suspended() {
            request("refund-1", 1, 85);
            fx.submit(fx.dataCenter, ctx -> fx.contract.suspendMeter(ctx, "s", "m1", "PSD reports a fault"));
            fx.rejectsWith(ErrorCode.METER_SUSPENDED, fx.authority, ctx -> fx.contract.approveRefund(ctx, "a", "m1", "1"));
        }

        @Test
        void credits_the_meter_that_took_the_credit_over() {
            request("refund-1", 1, 85);
            request("refund-2", 2, 60);
            // What a PSD replacement does in its own transaction: the pending refunds' credit moves to m2.
            final FakeStub stub = fx.ledger.newTransaction("f".repeat(64), fx.now(), fx.dataCenter.creator());
            final LedgerTx tx = new LedgerTx(stub);
            final List<Refund> pending = RefundService.pending(tx, "m1");
            assertThat(pending).extracting(Refund::pieceNumber).containsExactly(1L, 2L);
            pending.forEach(refund -> RefundService.creditTo(tx, refund, "m2"));
            tx.commit();
            assertThat(fx.ledger.commit(stub, LedgerFixture.ALL_ORGS)).isEqualTo(FakeLedger.Validation.VALID);

            final JsonNode result = approve("approve-1", 1);
            assertThat(result.at("/movements/0/debitAccount").asText()).isEqualTo("POSTAGE_REVENUE:m1");
            assertThat(result.at("/movements/0/creditAccount").asText()).isEqualTo("METER:m2");
            assertThat(fx.available("m2")).isEqualTo(85);
            assertThat(registers("m1").at("/refundedMinorUnits").asLong()).isEqualTo(85);
            assertThat(registers("m1").at("/refundsCreditedMinorUnits").asLong()).isZero();
            assertThat(registers("m2").at("/refundsCreditedMinorUnits").asLong()).isEqualTo(85);
            assertThat(fx.auditTotals().at("/proof/balanced").asBoolean()).isTrue();
            LedgerInvariants.check(fx.ledger);
            assertThat(verdictOf(piece1)).isEqualTo("REFUNDED");
        }
    }

    @Nested
    class Reject {
        @Test
        void records_the_answer_and_moves_nothing() {
            request("refund-1", 1, 85);
            final long before = fx.available("m1");
            final JsonNode result = json(fx.submit(fx.authority,
                    ctx -> fx.contract.rejectRefund(ctx, "reject-1", "m1", "1", "piece seen intact")));
            assertThat(result.at("/event").asText()).isEqualTo("RefundRejected");
            assertThat(result.at("/refund/state").asText()).isEqualTo("REJECTED");
            assertThat(result.at("/refund/decisionReason").asText()).isEqualTo("piece seen intact");
            assertThat(result.has("movements")).isFalse();
            assertThat(fx.available("m1")).isEqualTo(before);
            assertThat(verdictOf(piece1)).isEqualTo("GENUINE");
            fx.rejectsWith(ErrorCode.ILLEGAL_TRANSITION, fx.authority, ctx -> fx.contract.approveRefund(ctx, "a", "m1", "1"));
        }

        @Test
        void needs_the_postal_authority_a_reason_and_a_refund() {
            fx.rejectsWith(ErrorCode.UNKNOWN_REFUND, fx.authority,
                    ctx -> fx.contract.rejectRefund(ctx, "j", "m1", "1", "no"));
            request("refund-1", 1, 85);
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.dataCenter,
                    ctx -> fx.contract.rejectRefund(ctx, "j", "m1", "1", "no"));
            fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.authority,
                    ctx -> fx.contract.rejectRefund(ctx, "j", "m1", "1", ""));
        }
    }

    @Nested
    class Reading {
        @Test
        void get_and_list_by_state_a_page_at_a_time() {
            request("refund-1", 1, 85);
            request("refund-2", 2, 60);
            approve("approve-1", 1);
            final JsonNode refund = json(fx.evaluate(fx.mailerA, ctx -> fx.contract.getRefund(ctx, "m1", "2")));
            assertThat(refund.at("/state").asText()).isEqualTo("REQUESTED");
            fx.rejectsWith(ErrorCode.UNKNOWN_REFUND, fx.authority, ctx -> fx.contract.getRefund(ctx, "m1", "3"));
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.mailerB, ctx -> fx.contract.getRefund(ctx, "m1", "1"));

            final JsonNode approved = json(fx.evaluate(fx.authority,
                    ctx -> fx.contract.listRefunds(ctx, "m1", "APPROVED", "10", "")));
            assertThat(approved.at("/refunds").findValuesAsText("pieceNumber")).containsExactly("1");
            final JsonNode firstPage = json(fx.evaluate(fx.mailerA, ctx -> fx.contract.listRefunds(ctx, "m1", "", "1", "")));
            assertThat(firstPage.at("/refunds/0/pieceNumber").asLong()).isEqualTo(1);
            final String bookmark = firstPage.at("/bookmark").asText();
            assertThat(bookmark).isNotEmpty();
            final JsonNode secondPage = json(fx.evaluate(fx.mailerA,
                    ctx -> fx.contract.listRefunds(ctx, "m1", "", "1", bookmark)));
            assertThat(secondPage.at("/refunds/0/pieceNumber").asLong()).isEqualTo(2);
            final JsonNode all = json(fx.evaluate(fx.dataCenter, ctx -> fx.contract.listRefunds(ctx, "m1", "ALL", "10", "")));
            assertThat(all.at("/refunds")).hasSize(2);
            assertThat(all.at("/bookmark").asText()).isEmpty();
            fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.authority,
                    ctx -> fx.contract.listRefunds(ctx, "m1", "GRANTED", "10", ""));
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.mailerB, ctx -> fx.contract.listRefunds(ctx, "m1", "", "10", ""));
            // A bookmark of another meter's range is refused, not followed.
            fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.mailerA,
                    ctx -> fx.contract.listRefunds(ctx, "m2", "", "1", bookmark));
        }
    }
}
