package org.postalfunds.api.model;

import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Limits;

/**
 * Per-meter limits set at registration, in minor units.
 *
 * @param maxBalanceMinorUnits most the descending register may hold after a refill or an incoming transfer
 *     (escrow returned to a donor is never refused by it: nothing may get stuck)
 * @param maxPostagePerPieceMinorUnits most postage on one mail piece
 * @param maxTransferMinorUnits most one transfer out of this meter may carry
 */
public record MeterLimits(long maxBalanceMinorUnits, long maxPostagePerPieceMinorUnits, long maxTransferMinorUnits) {

    /**
     * Input check: every limit positive (else INVALID_ARGUMENT) and at most
     * {@link Limits#MAX_METER_BALANCE_MINOR_UNITS} (else LIMIT_EXCEEDED), the bound that keeps every register and
     * every audit sum inside a long (see Limits).
     */
    public MeterLimits validate() {
        requireBounded(maxBalanceMinorUnits, "limits.maxBalanceMinorUnits");
        requireBounded(maxPostagePerPieceMinorUnits, "limits.maxPostagePerPieceMinorUnits");
        requireBounded(maxTransferMinorUnits, "limits.maxTransferMinorUnits");
        return this;
    }

    private static void requireBounded(final long value, final String field) {
        if (value <= 0) {
            throw ErrorCode.INVALID_ARGUMENT.exception(field + " must be > 0, was " + value);
        }
        if (value > Limits.MAX_METER_BALANCE_MINOR_UNITS) {
            throw ErrorCode.LIMIT_EXCEEDED.exception(field + " must be at most "
                    + Limits.MAX_METER_BALANCE_MINOR_UNITS + " minor units, was " + value);
        }
    }
}
