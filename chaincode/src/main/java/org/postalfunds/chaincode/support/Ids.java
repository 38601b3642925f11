package org.postalfunds.chaincode.support;

import java.util.regex.Pattern;
import org.postalfunds.chaincode.ErrorCode;
import org.postalfunds.chaincode.Limits;

/** Validation of identifiers and short texts; ids become composite-key attributes, so their alphabet is narrow. */
public final class Ids {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern REASON = Pattern.compile("[\\p{L}\\p{N}\\p{P}\\p{Zs}]*");

    private Ids() {}

    /** Meter ids, request ids and transfer ids: 1-64 characters of [A-Za-z0-9._-], starting alphanumeric. */
    public static String require(final String id, final String what) {
        if (id == null || !ID.matcher(id).matches()) {
            throw ErrorCode.INVALID_ARGUMENT.exception(
                    what + " must be 1-64 characters of A-Z a-z 0-9 . _ - starting with a letter or digit, was "
                            + quote(id));
        }
        return id;
    }

    /** A free-text reason (deny, reject, suspend): printable, at most {@link Limits#MAX_REASON_CHARS}. */
    public static String requireReason(final String reason) {
        if (reason == null || reason.length() > Limits.MAX_REASON_CHARS || !REASON.matcher(reason).matches()) {
            throw ErrorCode.INVALID_ARGUMENT.exception(
                    "reason must be printable text of at most " + Limits.MAX_REASON_CHARS + " characters");
        }
        return reason;
    }

    public static int requirePageSize(final int pageSize) {
        if (pageSize < 1 || pageSize > Limits.MAX_PAGE_SIZE) {
            throw ErrorCode.INVALID_ARGUMENT.exception(
                    "pageSize must be 1.." + Limits.MAX_PAGE_SIZE + ", was " + pageSize);
        }
        return pageSize;
    }

    static String quote(final String text) {
        if (text == null) {
            return "null";
        }
        final String shown = text.length() > 80 ? text.substring(0, 80) + "..." : text;
        return "'" + shown + "'";
    }
}
