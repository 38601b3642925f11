package org.postalfunds.client.model;

/**
 * A meter's PSD registers, as the ledger reports them. The client re-checks the control sum itself
 * (an auditor trusts no one): {@code descending + ascending + transferredOut + withdrawn == refilled + transferredIn}.
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

    /** Funds available to print or transfer. */
    public long availableMinorUnits() {
        return descendingRegisterMinorUnits;
    }

    /** True when no register is negative and the control sum holds (without overflow). */
    public boolean controlSumHolds() {
        if (descendingRegisterMinorUnits < 0 || ascendingRegisterMinorUnits < 0 || pieceCount < 0 || refilledMinorUnits < 0
                || transferredInMinorUnits < 0 || transferredOutMinorUnits < 0 || withdrawnMinorUnits < 0) {
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

    /** The meter's share of the data center's issued-funds account (never positive). */
    public long issuedFundsBalanceMinorUnits() {
        return withdrawnMinorUnits - refilledMinorUnits;
    }
}
