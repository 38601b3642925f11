package org.postalfunds.chaincode.refund;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.LedgerRefusal;
import org.postalfunds.api.model.Refund;
import org.postalfunds.api.model.RefundState;
import org.postalfunds.chaincode.support.TransitionTable;

/** The refund table: one cell per state (and none) x action; both answers final; a piece is asked for once. */
class RefundLifecycleTest {
    private static final List<TransitionTable.Cell<RefundState, RefundAction>> CELLS = RefundLifecycle.TABLE.cells();

    @Test
    void has_exactly_one_cell_per_state_and_action() {
        final var states = Stream.concat(Stream.of((RefundState) null), Arrays.stream(RefundState.values())).toList();
        assertThat(CELLS).hasSize(states.size() * RefundAction.values().length);
        for (final RefundState state : states) {
            for (final RefundAction action : RefundAction.values()) {
                assertThat(CELLS.stream().filter(row -> row.from() == state && row.action() == action))
                        .as(state + " x " + action).hasSize(1);
            }
        }
    }

    @Test
    void only_a_requested_refund_is_answered_and_only_once() {
        assertThat(RefundLifecycle.permit("m1", 1, null, RefundAction.REQUEST)).isEqualTo(RefundState.REQUESTED);
        final Refund requested = refund(RefundState.REQUESTED);
        assertThat(RefundLifecycle.permit("m1", 1, requested, RefundAction.APPROVE)).isEqualTo(RefundState.APPROVED);
        assertThat(RefundLifecycle.permit("m1", 1, requested, RefundAction.REJECT)).isEqualTo(RefundState.REJECTED);
        assertRefused(null, RefundAction.APPROVE, ErrorCode.UNKNOWN_REFUND);
        assertRefused(null, RefundAction.REJECT, ErrorCode.UNKNOWN_REFUND);
        for (final RefundState state : RefundState.values()) {
            assertRefused(refund(state), RefundAction.REQUEST, ErrorCode.REFUND_ALREADY_REQUESTED);
        }
        for (final RefundState decided : new RefundState[] {RefundState.APPROVED, RefundState.REJECTED}) {
            assertRefused(refund(decided), RefundAction.APPROVE, ErrorCode.ILLEGAL_TRANSITION);
            assertRefused(refund(decided), RefundAction.REJECT, ErrorCode.ILLEGAL_TRANSITION);
        }
    }

    /** The words of every refusal, letter for letter. */
    @Test
    void every_refusal_keeps_its_message() {
        assertThat(messageOf(null, RefundAction.APPROVE))
                .isEqualTo("UNKNOWN_REFUND: no refund has been requested for piece 1 of meter m1");
        assertThat(messageOf(refund(RefundState.REJECTED), RefundAction.REQUEST))
                .isEqualTo("REFUND_ALREADY_REQUESTED: the refund of piece 1 of meter m1 was requested in transaction"
                        + " tx1 and is REJECTED; a piece is refunded once");
        assertThat(messageOf(refund(RefundState.APPROVED), RefundAction.REJECT)).isEqualTo("ILLEGAL_TRANSITION: the"
                + " refund of piece 1 of meter m1 is APPROVED: reject is not possible (allowed: none, it is final)");
    }

    private static String messageOf(final Refund refund, final RefundAction action) {
        return catchThrowableOfType(LedgerRefusal.class, () -> RefundLifecycle.permit("m1", 1, refund, action))
                .getMessage();
    }

    private static void assertRefused(final Refund refund, final RefundAction action, final ErrorCode code) {
        assertThatThrownBy(() -> RefundLifecycle.permit("m1", 1, refund, action))
                .isInstanceOfSatisfying(LedgerRefusal.class, refusal -> assertThat(refusal.code()).isEqualTo(code))
                .hasMessageContaining("piece 1 of meter m1");
    }

    private static Refund refund(final RefundState state) {
        return new Refund("m1", 1, 85, "m1", "MailerAMSP", state, "jammed", "tx1", 100, null, null, null);
    }
}
