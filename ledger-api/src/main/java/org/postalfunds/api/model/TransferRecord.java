package org.postalfunds.api.model;

import java.util.List;

/**
 * What a funds transfer and an information transfer share: their place in the one transfer table. The contract's
 * escrow workflow drives either through these, whatever item (funds or a sealed package) the transfer holds.
 */
public interface TransferRecord {
    String transferId();

    TransferState state();

    String recipientMeterId();

    /** Of the request while REQUESTED, of the escrow once the item is held. */
    long deadlineEpochSeconds();

    /** The donor's reason for a denial, or the recipient's for a rejection; null otherwise. */
    String reason();

    List<TransferStep> steps();
}
