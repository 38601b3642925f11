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
        String trimmed = text.strip();
        if (trimmed.isEmpty() || trimmed.length() > MAX_TEXT_LENGTH) {
            throw new IllegalArgumentException("amount must be 1 to " + MAX_TEXT_LENGTH + " characters: '" + text + "'");
        }
        if (!trimmed.matches("[0-9]+(\\.[0-9]+)?")) {
            throw new IllegalArgumentException("amount must be digits with an optional decimal point, e.g. 12.34: '" + text + "'");
        }
        BigDecimal units = new BigDecimal(trimmed);
        if (units.scale() > fractionDigits) {
            throw new IllegalArgumentException("amount has more than " + fractionDigits + " decimal places: '" + text + "'");
        }
        BigInteger minor = units.movePointRight(fractionDigits).toBigIntegerExact();
        if (minor.signum() <= 0) {
            throw new IllegalArgumentException("amount must be greater than zero: '" + text + "'");
        }
        if (minor.bitLength() > 63) {
            throw new IllegalArgumentException("amount is too large: '" + text + "'");
        }
        return minor.longValueExact();
    }

    /** Formats minor units as currency units with exactly the currency's fraction digits. */
    public String format(final long minorUnits) {
        return BigDecimal.valueOf(minorUnits, fractionDigits).toPlainString();
    }
}
