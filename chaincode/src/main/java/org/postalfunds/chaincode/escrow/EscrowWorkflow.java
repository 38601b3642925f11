package org.postalfunds.chaincode.escrow;

import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Ids;
import org.postalfunds.api.Invariants;
import org.postalfunds.api.Limits;
import org.postalfunds.api.model.Meter;
import org.postalfunds.api.model.TransferAction;
import org.postalfunds.api.model.TransferRecord;
import org.postalfunds.api.model.TransferStep;
import org.postalfunds.chaincode.command.Command;
import org.postalfunds.chaincode.command.Outcome;
import org.postalfunds.chaincode.meter.Meters;
import org.postalfunds.chaincode.state.LedgerTx;

/**
 * The one escrow workflow: every transfer, of funds or of a sealed package, opens and advances here, step by step
 * of {@link TransferStateMachine#TABLE}. It checks the deadline window, loads the parties, asks the table, applies
 * the meter rules of the step, carries out the transition's effect through the item's {@link EscrowKind}, records
 * the step and reports it. The item's services only check their own arguments and build the item.
 *
 * <p>Meter rules: to open, the acting meter must be what the item asks of a handler (funds: active and not
 * inspection-overdue; a package: active) and its counterpart active (a download's recipient only not withdrawn: the
 * data center may still reach a suspended meter). To hold, the donor meets the item's rule; to take delivery, the
 * recipient. Releasing steps (deny, cancel, reject, expire) work in any status, so nothing gets stuck.
 */
public final class EscrowWorkflow<R extends TransferRecord, I extends EscrowedItem> {
    private final EscrowKind<R, I> kind;

    public EscrowWorkflow(final EscrowKind<R, I> kind) {
        this.kind = kind;
    }

    public Outcome open(final Command command, final Opening<R, I> opening) {
        final LedgerTx tx = command.tx();
        requireDeadline(tx, opening.deadlineEpochSeconds(), windowOf(opening.action()));
        if (opening.donorId().equals(opening.recipientMeterId())) {
            throw ErrorCode.SELF_TRANSFER.exception("meter " + opening.donorId() + " cannot transfer to itself");
        }
        final Meter donorMeter = opening.fromDataCenter() ? null : Meters.require(tx, opening.donorId());
        final Meter recipient = Meters.require(tx, opening.recipientMeterId());
        final Parties parties = opening.fromDataCenter() ? Parties.dataCenterTo(command.caller(), recipient)
                : Parties.between(donorMeter, recipient);
        final Transition transition = TransferStateMachine.permit(null, opening.action(), parties.of(command.caller()),
                false);

        final Meter actor = transition.party() == TransferParty.DONOR ? donorMeter : recipient;
        final Meter counterpart = actor == recipient ? donorMeter : recipient;
        if (actor != null) {
            kind.requireMayHandle(tx, actor);
        }
        if (parties.donorIsDataCenter()) {
            Meters.requireNotWithdrawn(counterpart);
        } else {
            Meters.requireActive(counterpart);
        }
        kind.requireMayOpen(tx, opening.action(), parties, opening.item());

        final String transferId = opening.transferId();
        // The id is this transaction's or derives from the opener's request id, whose record comes first: an
        // existing transfer here is a broken invariant, not bad input.
        Invariants.check(!tx.exists(kind.recordKey(transferId)), "transfer " + transferId + " exists already");
        final TransferStep first = new TransferStep(transition.action(), transition.to(), tx.nowEpochSeconds(),
                tx.txId());
        final R opened = opening.record().of(parties, first);
        tx.requireEndorsement(kind.recordKey(transferId), parties.endorsers(command.caller()));
        final R settled = applyEffect(command, transition.effect(), opened, parties, opening.item());
        kind.save(tx, settled, null);
        return kind.outcome(tx, settled);
    }

    /** Donor: grants a request, holding the item the record names (funds) until the new deadline. */
    public Outcome grant(final Command command, final String transferId, final long escrowDeadlineEpochSeconds) {
        return advance(command, transferId, TransferAction.GRANT, escrowDeadlineEpochSeconds, null, null);
    }

    /** Donor: grants a request with the item the grant carries (a sealed package), held until the new deadline. */
    public Outcome grant(final Command command, final String transferId, final long escrowDeadlineEpochSeconds,
            final I carried) {
        return advance(command, transferId, TransferAction.GRANT, escrowDeadlineEpochSeconds, null, carried);
    }

    public Outcome deny(final Command command, final String transferId, final String reason) {
        return advance(command, transferId, TransferAction.DENY, 0, Ids.requireReason(reason), null);
    }

    public Outcome accept(final Command command, final String transferId) {
        return advance(command, transferId, TransferAction.ACCEPT, 0, null, null);
    }

    public Outcome cancel(final Command command, final String transferId) {
        return advance(command, transferId, TransferAction.CANCEL, 0, null, null);
    }

    public Outcome acknowledge(final Command command, final String transferId) {
        return advance(command, transferId, TransferAction.ACKNOWLEDGE, 0, null, null);
    }

    public Outcome reject(final Command command, final String transferId, final String reason) {
        return advance(command, transferId, TransferAction.REJECT, 0, Ids.requireReason(reason), null);
    }

    public Outcome expire(final Command command, final String transferId) {
        return advance(command, transferId, TransferAction.EXPIRE, 0, null, null);
    }

    /**
     * One step on a recorded transfer. {@code newDeadlineEpochSeconds} counts only for a step that holds the item
     * (a grant: the escrow's deadline); {@code reason} only for a denial or rejection; {@code carried} is the item a
     * grant carries when the record does not name it yet (a package), null otherwise.
     */
    private Outcome advance(final Command command, final String transferId, final TransferAction action,
            final long newDeadlineEpochSeconds, final String reason, final I carried) {
        final LedgerTx tx = command.tx();
        final R record = kind.require(tx, transferId);
        final Parties parties = kind.parties(tx, record);
        final boolean deadlinePassed = tx.nowEpochSeconds() >= record.deadlineEpochSeconds();
        final Transition transition = TransferStateMachine.permit(record.state(), action, parties.of(command.caller()),
                deadlinePassed);

        long deadline = record.deadlineEpochSeconds();
        if (transition.effect() == EscrowEffect.HOLD) {
            requireDeadline(tx, newDeadlineEpochSeconds, Limits.MAX_ESCROW_WINDOW_SECONDS);
            kind.requireMayHandle(tx, parties.donorMeter() != null ? parties.donorMeter()
                    : Meters.require(tx, parties.donorId()));
            deadline = newDeadlineEpochSeconds;
        }
        if (transition.effect() == EscrowEffect.DELIVER) {
            kind.requireMayHandle(tx, parties.recipient());
        }
        final TransferStep step = new TransferStep(transition.action(), transition.to(), tx.nowEpochSeconds(),
                tx.txId());
        final R advanced = kind.advanced(record, step, deadline, reason == null ? record.reason() : reason);
        final R settled = applyEffect(command, transition.effect(), advanced, parties,
                carried != null ? carried : kind.itemOf(record));
        kind.save(tx, settled, record.state());
        return kind.outcome(tx, settled);
    }

    private R applyEffect(final Command command, final EscrowEffect effect, final R record, final Parties parties,
            final I item) {
        return switch (effect) {
            case NONE -> record;
            case HOLD -> kind.hold(command, record, parties, item);
            case DELIVER -> kind.deliver(command, record, parties, item);
            case RETURN -> kind.giveBack(command, record, parties, item);
        };
    }

    /** A request waits at most the request window; an opening that holds the item at once, the escrow window. */
    private static long windowOf(final TransferAction opening) {
        final boolean holds = TransferStateMachine.TABLE.stream()
                .anyMatch(row -> row.from() == null && row.action() == opening && row.effect() == EscrowEffect.HOLD);
        return holds ? Limits.MAX_ESCROW_WINDOW_SECONDS : Limits.MAX_REQUEST_WINDOW_SECONDS;
    }

    private static void requireDeadline(final LedgerTx tx, final long deadlineEpochSeconds, final long maxWindowSeconds) {
        final long now = tx.nowEpochSeconds();
        if (deadlineEpochSeconds <= now || deadlineEpochSeconds - now > maxWindowSeconds) {
            throw ErrorCode.INVALID_DEADLINE.exception("deadline must be after the transaction time " + now
                    + " and at most " + maxWindowSeconds + " seconds later, was " + deadlineEpochSeconds);
        }
    }
}
