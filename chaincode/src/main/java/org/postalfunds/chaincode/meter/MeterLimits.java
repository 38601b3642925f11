package org.postalfunds.chaincode.meter;

import org.postalfunds.chaincode.ErrorCode;

/**
 * Per-meter limits set at registration.
 *
 * @param maxBalanceMinorUnits most the descending register may hold after a refill or an incoming transfer
 *     (escrow returned to a donor is never refused by it: nothing may get stuck)
 * @param maxPostagePerPieceMinorUnits most postage on one mail piece
 * @param maxTransferMinorUnits most one transfer out of this meter may carry
 */
public record MeterLimits(long maxBalanceMinorUnits, long maxPostagePerPieceMinorUnits, long maxTransferMinorUnits) {

    /** Input check: every limit positive. */
    void validate() {
        requirePositive(maxBalanceMinorUnits, "limits.maxBalanceMinorUnits");
        requirePositive(maxPostagePerPieceMinorUnits, "limits.maxPostagePerPieceMinorUnits");
        requirePositive(maxTransferMinorUnits, "limits.maxTransferMinorUnits");
    }

    private static void requirePositive(final long value, final String field) {
        if (value <= 0) {
            throw ErrorCode.INVALID_ARGUMENT.exception(field + " must be > 0, was " + value);
        }
    }
}
