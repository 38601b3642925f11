package org.postalfunds.api.model;

/**
 * A meter's request to have the postage of one spoiled indicium credited back, keyed by the indicium's identity on
 * the ledger (the printing meter and its piece number).
 *
 * @param meterId the meter that printed the indicium (part of the key; never changes)
 * @param pieceNumber the indicium's piece number (part of the key)
 * @param amountMinorUnits the postage recorded for the piece, credited back on approval
 * @param creditMeterId the meter whose funds the approval credits: the printing meter, unless its credit has been
 *     taken over by another meter (a replacement PSD) while the refund was pending
 * @param ownerMsp the printing meter's owner, who may read the refund
 * @param reason the meter's reason (a spoiled piece: jammed envelope, wrong date)
 * @param decisionReason the postal authority's reason for a rejection; absent otherwise
 * @param decidedTxId the transaction that approved or rejected it; absent while REQUESTED
 */
public record Refund(
        String meterId,
        long pieceNumber,
        long amountMinorUnits,
        String creditMeterId,
        String ownerMsp,
        RefundState state,
        String reason,
        String requestedTxId,
        long requestedAtEpochSeconds,
        String decisionReason,
        String decidedTxId,
        Long decidedAtEpochSeconds) {

    /** The refund after the postal authority's answer. */
    public Refund decide(final RefundState to, final String why, final String txId, final long nowEpochSeconds) {
        return new Refund(meterId, pieceNumber, amountMinorUnits, creditMeterId, ownerMsp, to, reason, requestedTxId,
                requestedAtEpochSeconds, why, txId, nowEpochSeconds);
    }

    /** The pending refund with its credit taken over by {@code replacementMeterId}. */
    public Refund creditTo(final String replacementMeterId) {
        return new Refund(meterId, pieceNumber, amountMinorUnits, replacementMeterId, ownerMsp, state, reason,
                requestedTxId, requestedAtEpochSeconds, decisionReason, decidedTxId, decidedAtEpochSeconds);
    }
}
