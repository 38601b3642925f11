package org.postalfunds.chaincode.support;

import java.util.regex.Pattern;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Ids;
import org.postalfunds.api.Limits;

/**
 * The contract's one grammar for numeric arguments. Peers hand every argument over as a string; the contract
 * functions take strings and parse them here, so that no conversion runs before the contract's own checks (the
 * shim's {@code Long.parseLong} answered "1.5", "" or 2^63 with an uncoded error and took "+7" and "٥").
 *
 * <p>A number is ASCII digits only: no sign, no spaces, no decimal point or exponent, no leading zero (only "0"
 * itself starts with 0), at most 19 digits, and within the bounds of what it counts. Each kind of number refuses
 * with its own code: amounts INVALID_AMOUNT, deadlines INVALID_DEADLINE, counts INVALID_COUNT.
 */
public final class Arguments {
    /** Canonical decimal: the text is exactly what {@code Long.toString} would print for a value >= 0. */
    private static final Pattern NUMBER = Pattern.compile("0|[1-9][0-9]{0,18}");

    private Arguments() {}

    /** An amount in minor units: 1..{@link Limits#MAX_AMOUNT_MINOR_UNITS}. */
    public static long amount(final String text, final String what) {
        return parse(text, what, 1, Limits.MAX_AMOUNT_MINOR_UNITS, ErrorCode.INVALID_AMOUNT, "an amount in minor units");
    }

    /** A deadline in epoch seconds: 1..{@link Limits#MAX_EPOCH_SECONDS}; its window is checked by the caller. */
    public static long deadline(final String text, final String what) {
        return parse(text, what, 1, Limits.MAX_EPOCH_SECONDS, ErrorCode.INVALID_DEADLINE, "epoch seconds");
    }

    /** A count (page size, history limit, days, piece number) within {@code min..max}. */
    public static long count(final String text, final String what, final long min, final long max) {
        return parse(text, what, min, max, ErrorCode.INVALID_COUNT, "a count");
    }

    private static long parse(final String text, final String what, final long min, final long max,
            final ErrorCode code, final String kind) {
        if (text == null || !NUMBER.matcher(text).matches()) {
            throw code.exception(what + " must be " + kind + ": ASCII digits only, no sign, spaces, point, exponent"
                    + " or leading zero, was " + Ids.quote(text));
        }
        final long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException tooLarge) {
            throw code.exception(what + " must be at most " + max + ", was " + Ids.quote(text));
        }
        if (value < min || value > max) {
            throw code.exception(what + " must be " + min + ".." + max + ", was " + value);
        }
        return value;
    }
}
