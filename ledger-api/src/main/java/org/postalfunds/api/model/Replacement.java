package org.postalfunds.api.model;

/**
 * The replacement of a failed PSD's meter by a newly enrolled one of the same owner: its progress, one record per
 * failed meter at {@code replacement~{failedMeterId}}. Each replacePsd transaction moves at most
 * Limits.MAX_ITEMS_PER_REPLACEMENT_STEP open items and adds its counts here; the last one sets COMPLETE.
 *
 * @param steps replacePsd transactions so far
 * @param transfersMoved open transfers whose failed-meter party is now the replacement
 * @param allotmentsMoved allotments of the failed meter emptied into its meter account (then moved with the balance)
 * @param requestersMoved authorised requesters of the failed meter now on the replacement's list
 * @param refundsMoved pending refunds whose credit now goes to the replacement
 * @param fundsMovedMinorUnits the failed meter's balance moved to the replacement (meter -> meter, double entry)
 */
public record Replacement(
        String failedMeterId,
        String replacementMeterId,
        String ownerMsp,
        ReplacementState state,
        long startedAtEpochSeconds,
        long updatedAtEpochSeconds,
        String lastTxId,
        long steps,
        long transfersMoved,
        long allotmentsMoved,
        long requestersMoved,
        long refundsMoved,
        long fundsMovedMinorUnits) {

    public static Replacement started(final String failedMeterId, final String replacementMeterId, final String ownerMsp,
            final long atEpochSeconds, final String txId) {
        return new Replacement(failedMeterId, replacementMeterId, ownerMsp, ReplacementState.IN_PROGRESS, atEpochSeconds,
                atEpochSeconds, txId, 0, 0, 0, 0, 0, 0);
    }

    /** This record after one more step that moved these counts. */
    public Replacement step(final ReplacementState newState, final long atEpochSeconds, final String txId,
            final long transfers, final long allotments, final long requesters, final long refunds, final long funds) {
        return new Replacement(failedMeterId, replacementMeterId, ownerMsp, newState, startedAtEpochSeconds,
                atEpochSeconds, txId, steps + 1, transfersMoved + transfers, allotmentsMoved + allotments,
                requestersMoved + requesters, refundsMoved + refunds, Math.addExact(fundsMovedMinorUnits, funds));
    }
}
