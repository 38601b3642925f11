package org.postalfunds.api;

/** Money arithmetic on long minor units: positive inputs, exact sums; refusals carry their error code. */
public final class Amounts {
    private Amounts() {}

    public static long requirePositive(final long amountMinorUnits, final String what) {
        if (amountMinorUnits <= 0) {
            throw ErrorCode.INVALID_AMOUNT.exception(what + " must be > 0 minor units, was " + amountMinorUnits);
        }
        return amountMinorUnits;
    }

    public static long add(final long left, final long right) {
        try {
            return Math.addExact(left, right);
        } catch (ArithmeticException overflow) {
            throw ErrorCode.AMOUNT_OVERFLOW.exception(left + " + " + right + " overflows a 64-bit amount");
        }
    }

    /** Subtracts from an account or register that must not go negative. */
    public static long debit(final long balance, final long amount, final String account) {
        if (amount > balance) {
            throw ErrorCode.INSUFFICIENT_FUNDS.exception(
                    account + " holds " + balance + " minor units, " + amount + " requested");
        }
        return balance - amount;
    }
}
