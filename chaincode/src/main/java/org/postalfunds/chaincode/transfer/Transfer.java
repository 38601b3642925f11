package org.postalfunds.chaincode.transfer;

import java.util.ArrayList;
import java.util.List;

/**
 * A transfer between two meters. Its id is the id of the transaction that opened it.
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
        List<TransferStep> steps) {

    public Transfer {
        steps = List.copyOf(steps);
    }

    Transfer advance(
            final Transition transition,
            final long nowEpochSeconds,
            final String txId,
            final long newDeadlineEpochSeconds,
            final String newFundingAccount,
            final String newReason) {
        final List<TransferStep> moreSteps = new ArrayList<>(steps);
        moreSteps.add(new TransferStep(transition.action(), transition.to(), nowEpochSeconds, txId));
        return new Transfer(transferId, kind, transition.to(), donorMeterId, recipientMeterId, donorOwnerMsp,
                recipientOwnerMsp, amountMinorUnits, newFundingAccount, newDeadlineEpochSeconds, createdAtEpochSeconds,
                nowEpochSeconds, newReason, moreSteps);
    }
}
