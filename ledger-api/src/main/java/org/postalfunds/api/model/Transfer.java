package org.postalfunds.api.model;

import java.util.ArrayList;
import java.util.List;

/**
 * A transfer of funds between two meters. Its id is the id of the transaction that opened it.
 *
 * @param fundingAccount where the escrowed funds came from (set when funds are held); they return there
 * @param deadlineEpochSeconds the current deadline: of the request while REQUESTED, of the escrow once held
 * @param reason the donor's reason for a denial, or the recipient's for a rejection
 * @param steps every step so far, oldest first (at most three: the table's longest path)
 */
public record Transfer(
        String transferId,
        TransferKind kind,
        TransferState state,
        String donorMeterId,
        String recipientMeterId,
        String donorOwnerMsp,
        String recipientOwnerMsp,
        long amountMinorUnits,
        String fundingAccount,
        long deadlineEpochSeconds,
        long createdAtEpochSeconds,
        long updatedAtEpochSeconds,
        String reason,
        List<TransferStep> steps) implements TransferRecord {

    public Transfer {
        steps = steps == null ? List.of() : List.copyOf(steps);
    }

    /** The transfer after one more step of the transfer table: {@code action} led to state {@code to}. */
    public Transfer advance(
            final TransferAction action,
            final TransferState to,
            final long nowEpochSeconds,
            final String txId,
            final long newDeadlineEpochSeconds,
            final String newFundingAccount,
            final String newReason) {
        final List<TransferStep> moreSteps = new ArrayList<>(steps);
        moreSteps.add(new TransferStep(action, to, nowEpochSeconds, txId));
        return new Transfer(transferId, kind, to, donorMeterId, recipientMeterId, donorOwnerMsp,
                recipientOwnerMsp, amountMinorUnits, newFundingAccount, newDeadlineEpochSeconds, createdAtEpochSeconds,
                nowEpochSeconds, newReason, moreSteps);
    }
}
