package org.postalfunds.api.model;

import org.postalfunds.api.Amounts;

/**
 * Funds that arrived at a meter from escrow or an allotment (accept, acknowledge, return to the donor, release of an
 * allotment) and are not yet in its PSD registers. They live on their own key, {@code account~INFLOW~{meterId}}, so
 * a credit into a meter never reads or writes its registers, and the meter's own debits (print, grant, offer) never
 * read or write this key while the registers hold enough: a grant by m and an accept into m then commit in the same
 * block. The meter's own transactions fold the pending funds into the registers (descending and transferred-in grow
 * by {@code pending}) when a debit finds the registers short, and always at a refill, a withdrawal and a replacement.
 * The meter's balance is its descending register plus {@code pending} (chaincode/README.md, "Hot keys").
 *
 * <p>{@code balanceCeiling} is an upper bound on that balance, so a credit can check the meter's maximum balance
 * without reading the registers: credits add to it, debits leave it (it can only over-estimate), a fold sets it
 * exact. Control check: nothing negative, {@code pendingCount == 0} exactly when {@code pending == 0}, and
 * {@code pending <= balanceCeiling}.
 *
 * @param pendingMinorUnits funds received since the last fold
 * @param pendingCount credits received since the last fold
 * @param balanceCeilingMinorUnits at least the meter's balance (registers' descending register + pending)
 */
public record MeterInflow(
        String meterId,
        long pendingMinorUnits,
        long pendingCount,
        long balanceCeilingMinorUnits) implements ControlSummed {

    /** A new meter's: nothing pending, balance zero. */
    public static MeterInflow empty(final String meterId) {
        return new MeterInflow(meterId, 0, 0, 0);
    }

    /** One more credit; the ceiling saturates rather than overflow (it stays an upper bound). */
    public MeterInflow credit(final long amount) {
        Amounts.requirePositive(amount, "inflow");
        final long ceiling = balanceCeilingMinorUnits > Long.MAX_VALUE - amount
                ? Long.MAX_VALUE : balanceCeilingMinorUnits + amount;
        return checked(new MeterInflow(meterId, Amounts.add(pendingMinorUnits, amount), Amounts.add(pendingCount, 1),
                ceiling));
    }

    /** Nothing pending any more, the ceiling the exact balance the fold found. */
    public MeterInflow folded(final long exactBalanceMinorUnits) {
        return checked(new MeterInflow(meterId, 0, 0, exactBalanceMinorUnits));
    }

    /** The same pending funds under a ceiling someone computed exactly (the registers' descending + pending). */
    public MeterInflow withCeiling(final long exactBalanceMinorUnits) {
        return checked(new MeterInflow(meterId, pendingMinorUnits, pendingCount, exactBalanceMinorUnits));
    }

    @Override
    public boolean controlSumHolds() {
        return pendingMinorUnits >= 0 && pendingCount >= 0 && balanceCeilingMinorUnits >= 0
                && (pendingCount == 0) == (pendingMinorUnits == 0)
                && pendingMinorUnits <= balanceCeilingMinorUnits;
    }

    @Override
    public String subject() {
        return "the inflow of meter " + meterId;
    }

    private static MeterInflow checked(final MeterInflow inflow) {
        inflow.requireControlSum();
        return inflow;
    }
}
