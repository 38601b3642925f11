package org.postalfunds.chaincode.escrow;

import static org.postalfunds.api.model.TransferAction.ACCEPT;
import static org.postalfunds.api.model.TransferAction.ACKNOWLEDGE;
import static org.postalfunds.api.model.TransferAction.CANCEL;
import static org.postalfunds.api.model.TransferAction.DENY;
import static org.postalfunds.api.model.TransferAction.EXPIRE;
import static org.postalfunds.api.model.TransferAction.GRANT;
import static org.postalfunds.api.model.TransferAction.OFFER;
import static org.postalfunds.api.model.TransferAction.REJECT;
import static org.postalfunds.api.model.TransferAction.REQUEST;
import static org.postalfunds.api.model.TransferState.ACCEPTED;
import static org.postalfunds.api.model.TransferState.ACKNOWLEDGED;
import static org.postalfunds.api.model.TransferState.CANCELLED;
import static org.postalfunds.api.model.TransferState.DENIED;
import static org.postalfunds.api.model.TransferState.EXPIRED;
import static org.postalfunds.api.model.TransferState.GRANTED;
import static org.postalfunds.api.model.TransferState.OFFERED;
import static org.postalfunds.api.model.TransferState.REJECTED;
import static org.postalfunds.api.model.TransferState.REQUESTED;
import static org.postalfunds.chaincode.escrow.DeadlineRule.AFTER_DEADLINE;
import static org.postalfunds.chaincode.escrow.DeadlineRule.ANY_TIME;
import static org.postalfunds.chaincode.escrow.DeadlineRule.BEFORE_DEADLINE;
import static org.postalfunds.chaincode.escrow.EscrowEffect.DELIVER;
import static org.postalfunds.chaincode.escrow.EscrowEffect.HOLD;
import static org.postalfunds.chaincode.escrow.EscrowEffect.NONE;
import static org.postalfunds.chaincode.escrow.EscrowEffect.RETURN;
import static org.postalfunds.chaincode.escrow.TransferParty.ANYONE;
import static org.postalfunds.chaincode.escrow.TransferParty.DONOR;
import static org.postalfunds.chaincode.escrow.TransferParty.RECIPIENT;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.model.TransferAction;
import org.postalfunds.api.model.TransferState;

/**
 * The one transfer state machine. {@link EscrowWorkflow} asks {@link #permit} before it touches state; the table
 * below is the whole protocol. It speaks of parties, deadlines and an escrowed item, never of money or packages, so
 * funds and sealed packages go through the same steps.
 */
public final class TransferStateMachine {

    /** Every legal step. A state with no outgoing row is final. */
    public static final List<Transition> TABLE = List.of(
            // pull transfer (Fig. 3a, Fig. 5): request 186, grant 188 or deny, accept 190 or cancel
            new Transition(null, REQUEST, RECIPIENT, ANY_TIME, REQUESTED, NONE),
            new Transition(REQUESTED, GRANT, DONOR, BEFORE_DEADLINE, GRANTED, HOLD),
            new Transition(REQUESTED, DENY, DONOR, ANY_TIME, DENIED, NONE),
            new Transition(REQUESTED, CANCEL, RECIPIENT, ANY_TIME, CANCELLED, NONE),
            new Transition(REQUESTED, EXPIRE, ANYONE, AFTER_DEADLINE, EXPIRED, NONE),
            new Transition(GRANTED, ACCEPT, RECIPIENT, BEFORE_DEADLINE, ACCEPTED, DELIVER),
            new Transition(GRANTED, CANCEL, RECIPIENT, ANY_TIME, CANCELLED, RETURN),
            new Transition(GRANTED, EXPIRE, ANYONE, AFTER_DEADLINE, EXPIRED, RETURN),
            // push transfer (Fig. 3b): command 212 offers, signal 192/194 acknowledges or rejects
            new Transition(null, OFFER, DONOR, ANY_TIME, OFFERED, HOLD),
            new Transition(OFFERED, ACKNOWLEDGE, RECIPIENT, BEFORE_DEADLINE, ACKNOWLEDGED, DELIVER),
            new Transition(OFFERED, REJECT, RECIPIENT, ANY_TIME, REJECTED, RETURN),
            new Transition(OFFERED, EXPIRE, ANYONE, AFTER_DEADLINE, EXPIRED, RETURN));

    private TransferStateMachine() {}

    /**
     * May {@code callerParties} take {@code action} on a transfer in state {@code current} (null: none yet)?
     * Returns the transition, or throws ILLEGAL_TRANSITION, NOT_AUTHORISED, DEADLINE_PASSED or
     * DEADLINE_NOT_REACHED, checked in that order.
     */
    public static Transition permit(
            final TransferState current,
            final TransferAction action,
            final Set<TransferParty> callerParties,
            final boolean deadlinePassed) {
        final Transition transition = TABLE.stream()
                .filter(row -> row.from() == current && row.action() == action)
                .findFirst()
                .orElseThrow(() -> ErrorCode.ILLEGAL_TRANSITION.exception(current == null
                        ? action + " does not open a transfer"
                        : "a " + current + " transfer cannot take " + action
                                + (isFinal(current) ? " (" + current + " is final)" : "; allowed: " + actionsFrom(current))));
        if (transition.party() != ANYONE && !callerParties.contains(transition.party())) {
            throw ErrorCode.NOT_AUTHORISED.exception(action + " is for the " + transition.party().name().toLowerCase(
                    java.util.Locale.ROOT) + " meter of the transfer");
        }
        if (!transition.deadline().allows(deadlinePassed)) {
            throw transition.deadline() == AFTER_DEADLINE
                    ? ErrorCode.DEADLINE_NOT_REACHED.exception(action + " only after the transfer's deadline")
                    : ErrorCode.DEADLINE_PASSED.exception(action + " only before the transfer's deadline, which has passed");
        }
        return transition;
    }

    public static boolean isFinal(final TransferState state) {
        return TABLE.stream().noneMatch(row -> row.from() == state);
    }

    private static String actionsFrom(final TransferState state) {
        return TABLE.stream().filter(row -> row.from() == state).map(row -> row.action().name())
                .collect(Collectors.joining(", "));
    }
}
