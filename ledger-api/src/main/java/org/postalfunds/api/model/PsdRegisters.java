package org.postalfunds.api.model;

import org.postalfunds.api.Amounts;

/**
 * The registers of a meter's Postal Security Device, as real meters keep them. All ascending registers only grow.
 *
 * <p>Control sum, checked by the contract whenever registers are read from or written to the ledger, and by every
 * operation here: {@code descending + ascending + transferredOut + withdrawn == refilled + transferredIn +
 * refundsCredited}, and {@code refunded <= ascending}.
 *
 * <p>The same key carries three double-entry accounts: the meter account (balance = descending register), the
 * meter's share of the data center's issued-funds account (balance = withdrawn - refilled, never positive) and its
 * share of postage revenue (balance = ascending - refunded). Keeping the two system accounts per meter, on a key that
 * the same transactions already write, is what keeps them from being hot keys: see chaincode/README.md, "Hot keys".
 *
 * <p>Refunds: the ascending register stays what the PSD printed, ever (a refund does not un-print a piece, and a
 * real PSD's ascending register never goes down); {@code refunded} counts the postage of this meter's pieces that
 * the postal authority refunded, so postage revenue is {@code ascending - refunded}. The meter the refund is credited
 * to (the printing meter, or its replacement) counts it in {@code refundsCredited}, an inflow of its descending
 * register like a refill. When both are the same meter, {@code ascending - refunded + descending} stays what it was.
 *
 * @param descendingRegisterMinorUnits funds available to print or transfer
 * @param ascendingRegisterMinorUnits postage printed, ever (refunds do not reduce it)
 * @param pieceCount mail pieces printed, ever; the next indicium carries pieceCount + 1
 * @param transferredOutMinorUnits funds that left for escrow or for this meter's allotments, ever
 * @param transferredInMinorUnits funds that came from escrow (delivered or returned) or from allotments, ever
 * @param refundedMinorUnits postage of this meter's pieces refunded, ever (taken out of its postage revenue)
 * @param refundsCreditedMinorUnits refunds credited to this meter's descending register, ever
 */
public record PsdRegisters(
        String meterId,
        long descendingRegisterMinorUnits,
        long ascendingRegisterMinorUnits,
        long pieceCount,
        long refilledMinorUnits,
        long transferredInMinorUnits,
        long transferredOutMinorUnits,
        long withdrawnMinorUnits,
        long refundedMinorUnits,
        long refundsCreditedMinorUnits) implements ControlSummed {

    public static PsdRegisters empty(final String meterId) {
        return new PsdRegisters(meterId, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    /** Issued funds -> meter. */
    public PsdRegisters refill(final long amount) {
        requireTotalFits(amount);
        return checked(new PsdRegisters(meterId, Amounts.add(descendingRegisterMinorUnits, amount),
                ascendingRegisterMinorUnits, pieceCount, Amounts.add(refilledMinorUnits, amount),
                transferredInMinorUnits, transferredOutMinorUnits, withdrawnMinorUnits, refundedMinorUnits,
                refundsCreditedMinorUnits));
    }

    /** Meter -> postage revenue, one more piece. */
    public PsdRegisters print(final long amount) {
        return checked(new PsdRegisters(meterId, debitDescending(amount), Amounts.add(ascendingRegisterMinorUnits, amount),
                Amounts.add(pieceCount, 1), refilledMinorUnits, transferredInMinorUnits, transferredOutMinorUnits,
                withdrawnMinorUnits, refundedMinorUnits, refundsCreditedMinorUnits));
    }

    /** Meter -> issued funds (the data center takes the funds back). */
    public PsdRegisters withdraw(final long amount) {
        return checked(new PsdRegisters(meterId, debitDescending(amount), ascendingRegisterMinorUnits, pieceCount,
                refilledMinorUnits, transferredInMinorUnits, transferredOutMinorUnits,
                Amounts.add(withdrawnMinorUnits, amount), refundedMinorUnits, refundsCreditedMinorUnits));
    }

    /** Meter -> escrow or allotment. */
    public PsdRegisters transferOut(final long amount) {
        return checked(new PsdRegisters(meterId, debitDescending(amount), ascendingRegisterMinorUnits, pieceCount,
                refilledMinorUnits, transferredInMinorUnits, Amounts.add(transferredOutMinorUnits, amount),
                withdrawnMinorUnits, refundedMinorUnits, refundsCreditedMinorUnits));
    }

    /** Escrow or allotment -> meter. */
    public PsdRegisters transferIn(final long amount) {
        requireTotalFits(amount);
        return checked(new PsdRegisters(meterId, Amounts.add(descendingRegisterMinorUnits, amount),
                ascendingRegisterMinorUnits, pieceCount, refilledMinorUnits,
                Amounts.add(transferredInMinorUnits, amount), transferredOutMinorUnits, withdrawnMinorUnits,
                refundedMinorUnits, refundsCreditedMinorUnits));
    }

    /** The debit side of a refund, on the printing meter: its postage revenue gives back {@code amount}. */
    public PsdRegisters refundPostage(final long amount) {
        final long refunded = Amounts.add(refundedMinorUnits, amount);
        // A refund is of a piece this meter printed, for its recorded amount: more than it ever printed is a bug.
        org.postalfunds.api.Invariants.check(refunded <= ascendingRegisterMinorUnits,
                "meter " + meterId + " would have refunded " + refunded + " minor units of "
                        + ascendingRegisterMinorUnits + " printed");
        return checked(new PsdRegisters(meterId, descendingRegisterMinorUnits, ascendingRegisterMinorUnits, pieceCount,
                refilledMinorUnits, transferredInMinorUnits, transferredOutMinorUnits, withdrawnMinorUnits, refunded,
                refundsCreditedMinorUnits));
    }

    /** The credit side of a refund, on the meter it is credited to: its descending register goes back up. */
    public PsdRegisters creditRefund(final long amount) {
        requireTotalFits(amount);
        return checked(new PsdRegisters(meterId, Amounts.add(descendingRegisterMinorUnits, amount),
                ascendingRegisterMinorUnits, pieceCount, refilledMinorUnits, transferredInMinorUnits,
                transferredOutMinorUnits, withdrawnMinorUnits, refundedMinorUnits,
                Amounts.add(refundsCreditedMinorUnits, amount)));
    }

    /** Funds available to print or transfer. */
    public long availableMinorUnits() {
        return descendingRegisterMinorUnits;
    }

    /** This meter's share of postage revenue: postage printed less postage refunded. */
    public long postageRevenueMinorUnits() {
        return ascendingRegisterMinorUnits - refundedMinorUnits;
    }

    /** The sum this key contributes to the ledger: meter + issued-funds share + postage-revenue share. */
    public long netBalanceMinorUnits() {
        return descendingRegisterMinorUnits + postageRevenueMinorUnits() + withdrawnMinorUnits - refilledMinorUnits;
    }

    /** Issued-funds share (never positive): what the data center issued to this meter and did not take back. */
    public long issuedFundsBalanceMinorUnits() {
        return withdrawnMinorUnits - refilledMinorUnits;
    }

    @Override
    public boolean controlSumHolds() {
        if (descendingRegisterMinorUnits < 0 || ascendingRegisterMinorUnits < 0 || pieceCount < 0
                || refilledMinorUnits < 0 || transferredInMinorUnits < 0 || transferredOutMinorUnits < 0
                || withdrawnMinorUnits < 0 || refundedMinorUnits < 0 || refundsCreditedMinorUnits < 0
                || refundedMinorUnits > ascendingRegisterMinorUnits) {
            return false;
        }
        try {
            return Math.addExact(Math.addExact(descendingRegisterMinorUnits, ascendingRegisterMinorUnits),
                    Math.addExact(transferredOutMinorUnits, withdrawnMinorUnits))
                    == Math.addExact(Math.addExact(refilledMinorUnits, transferredInMinorUnits),
                            refundsCreditedMinorUnits);
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
        Amounts.add(Amounts.add(Amounts.add(refilledMinorUnits, transferredInMinorUnits), refundsCreditedMinorUnits),
                amount);
    }

    private static PsdRegisters checked(final PsdRegisters registers) {
        registers.requireControlSum();
        return registers;
    }
}
