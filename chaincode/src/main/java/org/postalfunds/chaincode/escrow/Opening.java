package org.postalfunds.chaincode.escrow;

import org.postalfunds.api.model.TransferAction;
import org.postalfunds.api.model.TransferStep;

/**
 * A new transfer as its opener asks for it, arguments already checked by the item's own service.
 *
 * @param donorId the donor meter's id; {@code DataCenterMSP} when {@code fromDataCenter}
 * @param fromDataCenter a download: the calling data center identity is the donor
 * @param item what the opening carries: funds' amount, an offer's package; null for a request of information
 * @param record builds the public record from the loaded parties and the first step
 */
public record Opening<R, I extends EscrowedItem>(
        String transferId,
        TransferAction action,
        String donorId,
        boolean fromDataCenter,
        String recipientMeterId,
        long deadlineEpochSeconds,
        I item,
        NewRecord<R> record) {

    /** The public record of a transfer just opened. */
    @FunctionalInterface
    public interface NewRecord<R> {
        R of(Parties parties, TransferStep first);
    }
}
