package org.postalfunds.chaincode.replacement;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.hyperledger.fabric.shim.ledger.CompositeKey;
import org.hyperledger.fabric.shim.ledger.KeyValue;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Ids;
import org.postalfunds.api.Limits;
import org.postalfunds.api.model.Allotment;
import org.postalfunds.api.model.AuthorisedRequester;
import org.postalfunds.api.model.Meter;
import org.postalfunds.api.model.MeterStatus;
import org.postalfunds.api.model.PsdRegisters;
import org.postalfunds.api.model.Refund;
import org.postalfunds.api.model.Replacement;
import org.postalfunds.api.model.ReplacementState;
import org.postalfunds.api.model.Transfer;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.chaincode.access.Caller;
import org.postalfunds.chaincode.access.RevokedKey;
import org.postalfunds.chaincode.command.Command;
import org.postalfunds.chaincode.command.Outcome;
import org.postalfunds.chaincode.ledger.AccountId;
import org.postalfunds.chaincode.ledger.Books;
import org.postalfunds.chaincode.refund.RefundService;
import org.postalfunds.chaincode.state.Keys;
import org.postalfunds.chaincode.state.LedgerTx;
import org.postalfunds.chaincode.meter.MeterAction;
import org.postalfunds.chaincode.meter.MeterLifecycle;
import org.postalfunds.chaincode.meter.Meters;
import org.postalfunds.chaincode.support.Json;
import org.postalfunds.chaincode.transfer.PartySubstitution;
import org.postalfunds.chaincode.transfer.TransferService;

/**
 * A failed PSD: the data center revokes its key ({@link #reportFailure}), then, with the postal authority, moves the
 * failed meter's funds and open items to a newly enrolled meter of the same owner ({@link #replace}).
 *
 * <p>Both organisations approve a replacement by endorsing it: reportFailure puts a key-level policy of the data
 * center's and the postal authority's peers on the failed meter's record, and every replacePsd step writes that
 * record, so a step endorsed by one of them alone is invalidated at commit. (The failed meter's account and its open
 * transfers keep their own policies, which add the owner's and the counterparties' peers.)
 *
 * <p>Each step moves at most {@link Limits#MAX_ITEMS_PER_REPLACEMENT_STEP} items, in this order: open transfers
 * (the failed meter's side becomes the replacement's), then allotments (emptied into the failed meter's account; the emptied ones stay, at zero),
 * then authorised requesters, then pending refunds, then the balance (meter -> meter, double entry). Transfers go
 * first because an escrow that returns before it is moved returns to the failed meter's account or allotment, which
 * must still be there; the balance goes last, once nothing can return to the failed meter any more. A step that
 * finds nothing left marks the failed meter REPLACED. Every step is one balanced transaction, so a crash between two
 * leaves a consistent ledger, and the next replacePsd (a new request id) resumes where the record says.
 */
public final class PsdReplacement {
    public static final String PSD_FAILURE_REPORTED = "PsdFailureReported";
    public static final String PSD_REPLACEMENT_STEP = "PsdReplacementStep";

    public Outcome reportFailure(final Command command, final String meterId, final String reason) {
        command.caller().requireDataCenter("reportPsdFailure");
        // The revocation's reason is what auditors and the bridge's log show for a key that is gone: required.
        if (reason == null || reason.isBlank()) {
            throw ErrorCode.INVALID_ARGUMENT.exception("a PSD failure report needs a reason");
        }
        Ids.requireReason(reason);
        final LedgerTx tx = command.tx();
        final Meter meter = Meters.require(tx, meterId);
        final MeterStatus failed = MeterLifecycle.permit(meterId, meter, MeterAction.REPORT_FAILURE);
        final long now = tx.nowEpochSeconds();
        final Meter revoked = meter.withKeyRevoked(failed, reason, now);
        tx.write(Keys.meter(meterId), revoked);
        tx.write(Keys.revokedKey(meter.publicKeyFingerprint()),
                new RevokedKey(meterId, meter.publicKeyFingerprint(), now, reason));
        final var consortium = command.caller().consortium();
        // From here on the failed meter's record changes only with both the data center's and the postal
        // authority's peers endorsing: every replacement step writes it.
        tx.requireEndorsement(Keys.meter(meterId),
                List.of(consortium.dataCenterMsp(), consortium.postalAuthorityMsp()));
        return Outcome.event(PSD_FAILURE_REPORTED).with("meter", revoked).with("previousStatus", meter.status())
                .with("registers", Books.registersWithPending(tx, meterId));
    }

    public Outcome replace(final Command command, final String failedMeterId, final String replacementMeterId) {
        final Caller caller = command.caller();
        caller.requireDataCenter("replacePsd");
        final LedgerTx tx = command.tx();
        final Meter failed = Meters.require(tx, failedMeterId);
        MeterLifecycle.permit(failedMeterId, failed, MeterAction.REPLACE);
        Ids.require(replacementMeterId, "replacementMeterId");
        if (failedMeterId.equals(replacementMeterId)) {
            throw ErrorCode.REPLACEMENT_NOT_ELIGIBLE.exception("meter " + failedMeterId + " cannot replace itself");
        }
        final var inProgress = tx.read(Keys.replacement(failedMeterId), Replacement.class);
        final Meter replacement = Meters.require(tx, replacementMeterId);
        final Replacement before;
        if (inProgress.isPresent()) {
            before = inProgress.get();
            if (!before.replacementMeterId().equals(replacementMeterId)) {
                throw ErrorCode.REPLACEMENT_NOT_ELIGIBLE.exception("the replacement of meter " + failedMeterId
                        + " by meter " + before.replacementMeterId() + " is in progress; resume it with that meter, not "
                        + replacementMeterId);
            }
            requireMayReceive(replacement, failed);
        } else {
            requireEligible(tx, failed, replacement);
            before = Replacement.started(failedMeterId, replacementMeterId, failed.ownerMsp(), tx.nowEpochSeconds(),
                    tx.txId());
            tx.write(Keys.meter(replacementMeterId), replacement.withReplaces(failedMeterId));
        }

        final Step step = new Step(Limits.MAX_ITEMS_PER_REPLACEMENT_STEP);
        final long transfers = moveTransfers(tx, failedMeterId, replacementMeterId, step);
        final long allotments = step.open() ? emptyAllotments(command, failedMeterId, step) : 0;
        final long requesters = step.open() ? moveRequesters(tx, caller, failedMeterId, replacementMeterId, step) : 0;
        final long refunds = step.open() ? moveRefunds(tx, failedMeterId, replacementMeterId, step) : 0;
        long funds = 0;
        if (step.open()) {
            // Whatever arrived at the failed meter's inflow (returned escrows) moves with its balance.
            funds = command.books().fold(failedMeterId).descendingRegisterMinorUnits();
            if (funds > 0) {
                command.books().move(AccountId.meter(failedMeterId), AccountId.meter(replacementMeterId), funds);
                step.take(1);
            }
        }
        final boolean complete = step.open() || !itemsLeft(tx, failedMeterId);
        final Replacement after = before.step(complete ? ReplacementState.COMPLETE : ReplacementState.IN_PROGRESS,
                tx.nowEpochSeconds(), tx.txId(), transfers, allotments, requesters, refunds, funds);
        tx.write(Keys.replacement(failedMeterId), after);
        // Written at every step, also when unchanged: the failed meter's key-level policy (data center AND postal
        // authority) then applies to every step.
        final Meter linked = failed.withReplacedBy(replacementMeterId);
        final Meter failedAfter = complete
                ? linked.withStatus(MeterStatus.REPLACED, "replaced by meter " + replacementMeterId, tx.nowEpochSeconds())
                : linked;
        tx.write(Keys.meter(failedMeterId), failedAfter);
        return Outcome.event(PSD_REPLACEMENT_STEP).with("replacement", after).with("failedMeter", failedAfter)
                .with("replacementMeter", tx.read(Keys.meter(replacementMeterId), Meter.class).orElseThrow())
                .with("failedRegisters", Books.registersWithPending(tx, failedMeterId))
                .with("replacementRegisters", Books.registersWithPending(tx, replacementMeterId))
                .with("movedTransferIds", step.transferIds);
    }

    /** The replacement and its progress, for the data center, the postal authority and the owner. */
    public Map<String, Object> view(final LedgerTx tx, final Caller caller, final String failedMeterId) {
        final Meter failed = Meters.require(tx, failedMeterId);
        Meters.requireCanRead(caller, failed);
        final Map<String, Object> view = new TreeMap<>();
        view.put("failedMeter", failed);
        tx.read(Keys.replacement(failedMeterId), Replacement.class).ifPresent(record -> view.put("replacement", record));
        return view;
    }

    /**
     * The first step's checks on the proposed meter: newly enrolled (active, never used: zero registers, no transfer,
     * no allotment), of the same owner and kind, and no other failed meter's replacement.
     */
    private static void requireEligible(final LedgerTx tx, final Meter failed, final Meter replacement) {
        final String id = replacement.meterId();
        if (!replacement.ownerMsp().equals(failed.ownerMsp())) {
            throw notEligible(id, "belongs to " + replacement.ownerMsp() + ", meter " + failed.meterId()
                    + " to " + failed.ownerMsp() + "; a replacement has the same owner");
        }
        if (replacement.kind() != failed.kind()) {
            throw notEligible(id, "is a " + replacement.kind() + ", meter " + failed.meterId() + " a " + failed.kind());
        }
        if (replacement.status() != MeterStatus.ACTIVE) {
            throw notEligible(id, "is " + replacement.status() + "; a replacement is active");
        }
        if (replacement.replacesMeterId() != null) {
            throw notEligible(id, "already replaces meter " + replacement.replacesMeterId());
        }
        final PsdRegisters registers = Books.registersWithPending(tx, id);
        if (!registers.equals(PsdRegisters.empty(id)) || tx.firstKey(Keys.TRANSFER_BY_METER, id).isPresent()
                || tx.firstKey(Keys.ACCOUNT, "ALLOTMENT", id).isPresent()) {
            throw notEligible(id, "has been used (registers " + Json.text(registers)
                    + ", or a transfer or allotment); a replacement is a newly enrolled meter");
        }
    }

    /** Later steps: the replacement named at the first step must still be able to hold funds. */
    private static void requireMayReceive(final Meter replacement, final Meter failed) {
        if (replacement.status() == MeterStatus.WITHDRAWN || replacement.status() == MeterStatus.REPLACED) {
            throw notEligible(replacement.meterId(), "is " + replacement.status() + "; the replacement of meter "
                    + failed.meterId() + " cannot continue with it");
        }
    }

    private static RuntimeException notEligible(final String meterId, final String why) {
        return ErrorCode.REPLACEMENT_NOT_ELIGIBLE.exception("meter " + meterId + " " + why);
    }

    private static long moveTransfers(final LedgerTx tx, final String failedMeterId, final String replacementMeterId,
            final Step step) {
        long moved = 0;
        for (final TransferState open : TransferState.OPEN) {
            if (!step.open()) {
                break;
            }
            for (final KeyValue entry : tx.first(Keys.TRANSFER_BY_METER, step.left(), failedMeterId, open.name())) {
                final String transferId = CompositeKey.parseCompositeKey(entry.getKey()).getAttributes().get(2);
                final Transfer transfer = TransferService.require(tx, transferId);
                PartySubstitution.substitute(tx, transfer, failedMeterId, replacementMeterId);
                step.transferIds.add(transferId);
                step.take(1);
                moved++;
            }
        }
        return moved;
    }

    /**
     * The failed meter's allotments (it was a distributor): what each holds goes back to its meter account, to move
     * with the balance. The emptied allotments stay (at zero), as a withdrawal leaves them: auditors read every
     * allotment the events named. A distributor keeps at most Limits.MAX_ALLOTMENTS_PER_DISTRIBUTOR of them.
     */
    private static long emptyAllotments(final Command command, final String failedMeterId, final Step step) {
        final LedgerTx tx = command.tx();
        long moved = 0;
        for (final KeyValue entry : tx.list(Keys.ACCOUNT, Limits.MAX_ALLOTMENTS_PER_DISTRIBUTOR, "ALLOTMENT",
                failedMeterId)) {
            if (!step.open()) {
                break;
            }
            final Allotment allotment = tx.read(entry.getKey(), Allotment.class).orElseThrow();
            if (allotment.availableMinorUnits() > 0) {
                command.books().move(AccountId.allotment(failedMeterId, allotment.recipientMeterId()),
                        AccountId.meter(failedMeterId), allotment.availableMinorUnits());
                step.take(1);
                moved++;
            }
        }
        return moved;
    }

    /** Meters allowed to request from the failed meter may request from its replacement. */
    private static long moveRequesters(final LedgerTx tx, final Caller caller, final String failedMeterId,
            final String replacementMeterId, final Step step) {
        long moved = 0;
        for (final KeyValue entry : tx.first(Keys.REQUESTER, step.left(), failedMeterId)) {
            final AuthorisedRequester requester = Json.stored(entry.getValue(), AuthorisedRequester.class, entry.getKey());
            final String key = Keys.requester(replacementMeterId, requester.requesterMeterId());
            if (!requester.requesterMeterId().equals(replacementMeterId) && !tx.exists(key)) {
                tx.write(key, new AuthorisedRequester(replacementMeterId, requester.requesterMeterId(),
                        tx.nowEpochSeconds(), caller.mspId()));
            }
            tx.delete(entry.getKey());
            step.take(1);
            moved++;
        }
        return moved;
    }

    /**
     * Pending refunds of the failed meter's spoiled pieces: their credit goes to the replacement (an approval then
     * credits it). They stay keyed by the failed meter and its piece, so they are verified and refused as before.
     */
    private static long moveRefunds(final LedgerTx tx, final String failedMeterId, final String replacementMeterId,
            final Step step) {
        long moved = 0;
        for (final Refund refund : RefundService.pending(tx, failedMeterId)) {
            if (!step.open()) {
                break;
            }
            if (refund.creditMeterId().equals(failedMeterId)) {
                RefundService.creditTo(tx, refund, replacementMeterId);
                step.take(1);
                moved++;
            }
        }
        return moved;
    }

    /**
     * After a full step: does anything of the failed meter remain to move? The range reads see the state before this
     * transaction, so the keys this step already moved (deleted in its unit of work) are skipped.
     */
    private static boolean itemsLeft(final LedgerTx tx, final String failedMeterId) {
        final int seen = Limits.MAX_ITEMS_PER_REPLACEMENT_STEP + 1;
        for (final TransferState open : TransferState.OPEN) {
            if (anyLeft(tx, tx.first(Keys.TRANSFER_BY_METER, seen, failedMeterId, open.name()))) {
                return true;
            }
        }
        for (final KeyValue entry : tx.list(Keys.ACCOUNT, Limits.MAX_ALLOTMENTS_PER_DISTRIBUTOR, "ALLOTMENT",
                failedMeterId)) {
            if (tx.read(entry.getKey(), Allotment.class).orElseThrow().availableMinorUnits() > 0) {
                return true;
            }
        }
        if (RefundService.pending(tx, failedMeterId).stream()
                .anyMatch(refund -> refund.creditMeterId().equals(failedMeterId))) {
            return true;
        }
        return anyLeft(tx, tx.first(Keys.REQUESTER, seen, failedMeterId))
                || Books.registersWithPending(tx, failedMeterId).descendingRegisterMinorUnits() > 0;
    }

    private static boolean anyLeft(final LedgerTx tx, final List<KeyValue> entries) {
        return entries.stream().anyMatch(entry -> tx.exists(entry.getKey()));
    }

    /** The items one step may still move. */
    private static final class Step {
        private int left;
        private final List<String> transferIds = new java.util.ArrayList<>();

        Step(final int budget) {
            this.left = budget;
        }

        boolean open() {
            return left > 0;
        }

        int left() {
            return left;
        }

        void take(final int items) {
            left -= items;
        }
    }
}
