package org.postalfunds.client.model;

import java.util.List;

/**
 * A transfer between two meters; its id is the id of the transaction that opened it.
 *
 * @param deadlineEpochSeconds the request's deadline while REQUESTED, the escrow's once funds are held
 * @param fundingAccount where held funds came from and return to (absent until funds are held)
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
        steps = steps == null ? List.of() : List.copyOf(steps);
    }
}
