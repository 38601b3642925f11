package org.postalfunds.chaincode.meter;

import org.postalfunds.chaincode.support.Amounts;
import org.postalfunds.chaincode.support.Invariants;

/**
 * The registers of a meter's Postal Security Device, as real meters keep them. All ascending registers only grow.
 *
 * <p>Control sum, checked whenever registers are built (every read from and every write to the ledger):
 * {@code descending + ascending + transferredOut + withdrawn == refilled + transferredIn}.
 *
 * <p>The same key carries three double-entry accounts: the meter account (balance = descending register), the
 * meter's share of the data center's issued-funds account (balance = withdrawn - refilled, never positive) and its
 * share of postage revenue (balance = ascending register). Keeping the two system accounts per meter, on a key that
 * the same transactions already write, is what keeps them from being hot keys: see README, "Hot keys".
 *
 * @param descendingRegisterMinorUnits funds available to print or transfer
 * @param ascendingRegisterMinorUnits postage used, ever
 * @param pieceCount mail pieces printed, ever; the next indicium carries pieceCount + 1
 * @param transferredOutMinorUnits funds that left for escrow or for this meter's allotments, ever
 * @param transferredInMinorUnits funds that came from escrow (delivered or returned) or from allotments, ever
 */
public record PsdRegisters(
        String meterId,
        long descendingRegisterMinorUnits,
        long ascendingRegisterMinorUnits,
        long pieceCount,
        long refilledMinorUnits,
        long transferredInMinorUnits,
        long transferredOutMinorUnits,
        long withdrawnMinorUnits) {

    public PsdRegisters {
        Invariants.check(descendingRegisterMinorUnits >= 0 && ascendingRegisterMinorUnits >= 0 && pieceCount >= 0
                        && refilledMinorUnits >= 0 && transferredInMinorUnits >= 0 && transferredOutMinorUnits >= 0
                        && withdrawnMinorUnits >= 0,
                "negative PSD register on meter " + meterId);
        Invariants.check(controlSumHolds(descendingRegisterMinorUnits, ascendingRegisterMinorUnits,
                        transferredOutMinorUnits, withdrawnMinorUnits, refilledMinorUnits, transferredInMinorUnits),
                "PSD control sum broken on meter " + meterId + ": DR + AR + out + withdrawn != refilled + in");
    }

    public static PsdRegisters empty(final String meterId) {
        return new PsdRegisters(meterId, 0, 0, 0, 0, 0, 0, 0);
    }

    /** Issued funds -> meter. */
    public PsdRegisters refill(final long amount) {
        requireTotalFits(amount);
        return new PsdRegisters(meterId, Amounts.add(descendingRegisterMinorUnits, amount), ascendingRegisterMinorUnits,
                pieceCount, Amounts.add(refilledMinorUnits, amount), transferredInMinorUnits, transferredOutMinorUnits,
                withdrawnMinorUnits);
    }

    /** Meter -> postage revenue, one more piece. */
    public PsdRegisters print(final long amount) {
        return new PsdRegisters(meterId, debitDescending(amount), Amounts.add(ascendingRegisterMinorUnits, amount),
                Amounts.add(pieceCount, 1), refilledMinorUnits, transferredInMinorUnits, transferredOutMinorUnits,
                withdrawnMinorUnits);
    }

    /** Meter -> issued funds (the data center takes the funds back). */
    public PsdRegisters withdraw(final long amount) {
        return new PsdRegisters(meterId, debitDescending(amount), ascendingRegisterMinorUnits, pieceCount,
                refilledMinorUnits, transferredInMinorUnits, transferredOutMinorUnits,
                Amounts.add(withdrawnMinorUnits, amount));
    }

    /** Meter -> escrow or allotment. */
    public PsdRegisters transferOut(final long amount) {
        return new PsdRegisters(meterId, debitDescending(amount), ascendingRegisterMinorUnits, pieceCount,
                refilledMinorUnits, transferredInMinorUnits, Amounts.add(transferredOutMinorUnits, amount),
                withdrawnMinorUnits);
    }

    /** Escrow or allotment -> meter. */
    public PsdRegisters transferIn(final long amount) {
        requireTotalFits(amount);
        return new PsdRegisters(meterId, Amounts.add(descendingRegisterMinorUnits, amount), ascendingRegisterMinorUnits,
                pieceCount, refilledMinorUnits, Amounts.add(transferredInMinorUnits, amount), transferredOutMinorUnits,
                withdrawnMinorUnits);
    }

    /** The sum this key contributes to the ledger: meter + issued-funds share + postage-revenue share. */
    public long netBalanceMinorUnits() {
        return descendingRegisterMinorUnits + ascendingRegisterMinorUnits + withdrawnMinorUnits - refilledMinorUnits;
    }

    /** Issued-funds share (never positive): what the data center issued to this meter and did not take back. */
    public long issuedFundsBalanceMinorUnits() {
        return withdrawnMinorUnits - refilledMinorUnits;
    }

    private long debitDescending(final long amount) {
        return Amounts.debit(descendingRegisterMinorUnits, amount, "meter " + meterId + " descending register");
    }

    /** Both sides of the control sum must stay representable; checked before any register grows. */
    private void requireTotalFits(final long amount) {
        Amounts.add(Amounts.add(refilledMinorUnits, transferredInMinorUnits), amount);
    }

    private static boolean controlSumHolds(
            final long descending, final long ascending, final long out, final long withdrawn, final long refilled,
            final long in) {
        try {
            return Math.addExact(Math.addExact(descending, ascending), Math.addExact(out, withdrawn))
                    == Math.addExact(refilled, in);
        } catch (ArithmeticException overflow) {
            return false;
        }
    }
}
