package org.postalfunds.chaincode.escrow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.LedgerRefusal;
import org.postalfunds.api.model.TransferAction;
import org.postalfunds.api.model.TransferState;

class TransferStateMachineTest {
    private static final Set<TransferParty> EVERYONE = EnumSet.allOf(TransferParty.class);

    private static String codeOf(final LedgerRefusal failure) {
        return failure.code().name();
    }

    @Test
    void every_state_action_pair_outside_the_table_is_an_illegal_transition() {
        final List<TransferState> states = new ArrayList<>(List.of(TransferState.values()));
        states.add(null);
        int illegal = 0;
        for (final TransferState state : states) {
            for (final TransferAction action : TransferAction.values()) {
                final boolean inTable = TransferStateMachine.TABLE.stream()
                        .anyMatch(row -> row.from() == state && row.action() == action);
                if (!inTable) {
                    illegal++;
                    final LedgerRefusal failure = catchThrowableOfType(LedgerRefusal.class,
                            () -> TransferStateMachine.permit(state, action, EVERYONE, false));
                    assertThat(failure).as(state + " + " + action).isNotNull();
                    assertThat(codeOf(failure)).isEqualTo("ILLEGAL_TRANSITION");
                }
            }
        }
        assertThat(illegal).isEqualTo(10 * 9 - TransferStateMachine.TABLE.size());
    }

    @Test
    void final_states_have_no_way_out() {
        assertThat(EnumSet.allOf(TransferState.class).stream().filter(TransferStateMachine::isFinal))
                .containsExactlyInAnyOrder(TransferState.DENIED, TransferState.ACCEPTED, TransferState.CANCELLED,
                        TransferState.ACKNOWLEDGED, TransferState.REJECTED, TransferState.EXPIRED);
    }

    @Test
    void each_row_is_refused_to_the_wrong_party() {
        for (final Transition row : TransferStateMachine.TABLE) {
            if (row.party() == TransferParty.ANYONE) {
                continue;
            }
            final Set<TransferParty> others = EnumSet.complementOf(EnumSet.of(row.party()));
            final LedgerRefusal failure = catchThrowableOfType(LedgerRefusal.class,
                    () -> TransferStateMachine.permit(row.from(), row.action(), others, false));
            assertThat(codeOf(failure)).as(row.toString()).isEqualTo("NOT_AUTHORISED");
        }
    }

    @Test
    void deadlines_decide_between_settling_and_expiring() {
        for (final Transition row : TransferStateMachine.TABLE) {
            final boolean allowedBefore = row.deadline() != DeadlineRule.AFTER_DEADLINE;
            final boolean allowedAfter = row.deadline() != DeadlineRule.BEFORE_DEADLINE;
            assertThat(permits(row, false)).as(row + " before").isEqualTo(allowedBefore);
            assertThat(permits(row, true)).as(row + " after").isEqualTo(allowedAfter);
        }
    }

    @Test
    void every_state_holding_escrow_can_be_left_by_expiry_so_nothing_is_stuck() {
        for (final TransferState state : TransferState.values()) {
            final boolean holds = holdsEscrow(state);
            if (holds) {
                assertThat(TransferStateMachine.TABLE).as(state.name()).anyMatch(row -> row.from() == state
                        && row.action() == TransferAction.EXPIRE && row.effect() == EscrowEffect.RETURN);
            }
        }
        assertThat(holdsEscrow(TransferState.GRANTED)).isTrue();
        assertThat(holdsEscrow(TransferState.OFFERED)).isTrue();
    }

    @Test
    void every_path_that_holds_an_item_releases_it_exactly_once() {
        for (final Transition row : TransferStateMachine.TABLE) {
            final boolean heldBefore = row.from() != null && holdsEscrow(row.from());
            final boolean heldAfter = holdsEscrow(row.to());
            final EscrowEffect expected = !heldBefore && heldAfter ? EscrowEffect.HOLD
                    : heldBefore && !heldAfter ? row.effect() : EscrowEffect.NONE;
            assertThat(row.effect()).as(row.toString()).isEqualTo(expected);
            if (heldBefore && !heldAfter) {
                assertThat(row.effect()).isIn(EscrowEffect.DELIVER, EscrowEffect.RETURN);
            }
        }
    }

    @Test
    void event_names_follow_the_state() {
        assertThat(TransferState.ACKNOWLEDGED.eventName()).isEqualTo("TransferAcknowledged");
        assertThat(TransferState.REQUESTED.eventName()).isEqualTo("TransferRequested");
    }

    /** A state holds escrow when the only way into it puts something into escrow. */
    private static boolean holdsEscrow(final TransferState state) {
        return TransferStateMachine.TABLE.stream().filter(row -> row.to() == state)
                .allMatch(row -> row.effect() == EscrowEffect.HOLD);
    }

    private static boolean permits(final Transition row, final boolean deadlinePassed) {
        try {
            TransferStateMachine.permit(row.from(), row.action(), EVERYONE, deadlinePassed);
            return true;
        } catch (LedgerRefusal refused) {
            return false;
        }
    }
}
