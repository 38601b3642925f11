package org.postalfunds.client.model;

/**
 * Limits the data center sets at registration, in minor units.
 *
 * @param maxBalanceMinorUnits most the meter may hold
 * @param maxPostagePerPieceMinorUnits most postage on one mail piece
 * @param maxTransferMinorUnits most one transfer out of the meter may carry
 */
public record MeterLimits(long maxBalanceMinorUnits, long maxPostagePerPieceMinorUnits, long maxTransferMinorUnits) {
    public MeterLimits {
        if (maxBalanceMinorUnits <= 0 || maxPostagePerPieceMinorUnits <= 0 || maxTransferMinorUnits <= 0) {
            throw new IllegalArgumentException("every meter limit must be greater than zero");
        }
    }
}
