package org.postalfunds.client;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Objects;

/**
 * Converts between what people type and read (currency units, e.g. {@code 12.34}) and what the
 * ledger stores (a {@code long} of minor units, e.g. {@code 1234} cents). Exact decimal arithmetic:
 * an amount with more fraction digits than the currency has is refused, never rounded.
 */
public final class Money {
    /** Two fraction digits, as the dollar and the euro have. */
    public static final Money CENTS = new Money(2);

    /** Longest text accepted, so a hostile argument cannot make BigDecimal work hard. */
    private static final int MAX_TEXT_LENGTH = 32;

    /**
     * The largest amount the contract accepts, in minor units (chaincode Limits.MAX_AMOUNT_MINOR_UNITS, 10^18: all
     * funds a ledger can hold). Refused here with a clear message instead of by the ledger.
     */
    public static final long MAX_AMOUNT_MINOR_UNITS = 1_000_000_000_000_000_000L;

    /**
     * The same grammar as the contract's for minor units, in currency units: ASCII digits, no sign, no spaces
     * (nothing is trimmed: " 5.00" is refused, as the contract refuses " 500"), no leading zero before the point
     * except a lone "0", an optional fraction.
     */
    private static final java.util.regex.Pattern AMOUNT = java.util.regex.Pattern.compile("(0|[1-9][0-9]*)(\\.[0-9]+)?");

    private final int fractionDigits;

    public Money(final int fractionDigits) {
        if (fractionDigits < 0 || fractionDigits > 6) {
            throw new IllegalArgumentException("fraction digits must be 0..6: " + fractionDigits);
        }
        this.fractionDigits = fractionDigits;
    }

    /**
     * Parses a positive amount in currency units into minor units.
     *
     * @throws IllegalArgumentException with a message that says what is wrong with the text
     */
    public long parsePositive(final String text) {
        Objects.requireNonNull(text, "amount");
        if (text.isEmpty() || text.length() > MAX_TEXT_LENGTH) {
            throw new IllegalArgumentException("amount must be 1 to " + MAX_TEXT_LENGTH + " characters: '" + text + "'");
        }
        if (!AMOUNT.matcher(text).matches()) {
            throw new IllegalArgumentException("amount must be ASCII digits with an optional decimal point, e.g. 12.34,"
                    + " without spaces, sign or leading zeros: '" + text + "'");
        }
        BigDecimal units = new BigDecimal(text);
        if (units.scale() > fractionDigits) {
            throw new IllegalArgumentException("amount has more than " + fractionDigits + " decimal places: '" + text + "'");
        }
        BigInteger minor = units.movePointRight(fractionDigits).toBigIntegerExact();
        if (minor.signum() <= 0) {
            throw new IllegalArgumentException("amount must be greater than zero: '" + text + "'");
        }
        if (minor.compareTo(BigInteger.valueOf(MAX_AMOUNT_MINOR_UNITS)) > 0) {
            throw new IllegalArgumentException("amount is too large: '" + text + "', the ledger takes at most "
                    + format(MAX_AMOUNT_MINOR_UNITS));
        }
        return minor.longValueExact();
    }

    /** Formats minor units as currency units with exactly the currency's fraction digits. */
    public String format(final long minorUnits) {
        return BigDecimal.valueOf(minorUnits, fractionDigits).toPlainString();
    }
}
