package org.postalfunds.api.model;

import org.postalfunds.api.Amounts;

/**
 * The registers of a meter's Postal Security Device, as real meters keep them. All ascending registers only grow.
 *
 * <p>Control sum, checked by the contract whenever registers are read from or written to the ledger, and by every
 * operation here: {@code descending + ascending + transferredOut + withdrawn == refilled + transferredIn}.
 *
 * <p>The same key carries three double-entry accounts: the meter account (balance = descending register), the
 * meter's share of the data center's issued-funds account (balance = withdrawn - refilled, never positive) and its
 * share of postage revenue (balance = ascending register). Keeping the two system accounts per meter, on a key that
 * the same transactions already write, is what keeps them from being hot keys: see chaincode/README.md, "Hot keys".
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
        long withdrawnMinorUnits) implements ControlSummed {

    public static PsdRegisters empty(final String meterId) {
        return new PsdRegisters(meterId, 0, 0, 0, 0, 0, 0, 0);
    }

    /** Issued funds -> meter. */
    public PsdRegisters refill(final long amount) {
        requireTotalFits(amount);
        return checked(new PsdRegisters(meterId, Amounts.add(descendingRegisterMinorUnits, amount),
                ascendingRegisterMinorUnits, pieceCount, Amounts.add(refilledMinorUnits, amount),
                transferredInMinorUnits, transferredOutMinorUnits, withdrawnMinorUnits));
    }

    /** Meter -> postage revenue, one more piece. */
    public PsdRegisters print(final long amount) {
        return checked(new PsdRegisters(meterId, debitDescending(amount), Amounts.add(ascendingRegisterMinorUnits, amount),
                Amounts.add(pieceCount, 1), refilledMinorUnits, transferredInMinorUnits, transferredOutMinorUnits,
                withdrawnMinorUnits));
    }

    /** Meter -> issued funds (the data center takes the funds back). */
    public PsdRegisters withdraw(final long amount) {
        return checked(new PsdRegisters(meterId, debitDescending(amount), ascendingRegisterMinorUnits, pieceCount,
                refilledMinorUnits, transferredInMinorUnits, transferredOutMinorUnits,
                Amounts.add(withdrawnMinorUnits, amount)));
    }

    /** Meter -> escrow or allotment. */
    public PsdRegisters transferOut(final long amount) {
        return checked(new PsdRegisters(meterId, debitDescending(amount), ascendingRegisterMinorUnits, pieceCount,
                refilledMinorUnits, transferredInMinorUnits, Amounts.add(transferredOutMinorUnits, amount),
                withdrawnMinorUnits));
    }

    /** Escrow or allotment -> meter. */
    public PsdRegisters transferIn(final long amount) {
        requireTotalFits(amount);
        return checked(new PsdRegisters(meterId, Amounts.add(descendingRegisterMinorUnits, amount),
                ascendingRegisterMinorUnits, pieceCount, refilledMinorUnits,
                Amounts.add(transferredInMinorUnits, amount), transferredOutMinorUnits, withdrawnMinorUnits));
    }

    /** Funds available to print or transfer. */
    public long availableMinorUnits() {
        return descendingRegisterMinorUnits;
    }

    /** The sum this key contributes to the ledger: meter + issued-funds share + postage-revenue share. */
    public long netBalanceMinorUnits() {
        return descendingRegisterMinorUnits + ascendingRegisterMinorUnits + withdrawnMinorUnits - refilledMinorUnits;
    }

    /** Issued-funds share (never positive): what the data center issued to this meter and did not take back. */
    public long issuedFundsBalanceMinorUnits() {
        return withdrawnMinorUnits - refilledMinorUnits;
    }

    @Override
    public boolean controlSumHolds() {
        if (descendingRegisterMinorUnits < 0 || ascendingRegisterMinorUnits < 0 || pieceCount < 0
                || refilledMinorUnits < 0 || transferredInMinorUnits < 0 || transferredOutMinorUnits < 0
                || withdrawnMinorUnits < 0) {
            return false;
        }
        try {
            return Math.addExact(Math.addExact(descendingRegisterMinorUnits, ascendingRegisterMinorUnits),
                    Math.addExact(transferredOutMinorUnits, withdrawnMinorUnits))
                    == Math.addExact(refilledMinorUnits, transferredInMinorUnits);
        } catch (ArithmeticException overflow) {
            return false;
        }
    }

    @Override
    public String subject() {
        return "the PSD registers of meter " + meterId;
    }

    private long debitDescending(final long amount) {
        return Amounts.debit(descendingRegisterMinorUnits, amount, "meter " + meterId + " descending register");
    }

    /** Both sides of the control sum must stay representable; checked before any register grows. */
    private void requireTotalFits(final long amount) {
        Amounts.add(Amounts.add(refilledMinorUnits, transferredInMinorUnits), amount);
    }

    private static PsdRegisters checked(final PsdRegisters registers) {
        registers.requireControlSum();
        return registers;
    }
}
