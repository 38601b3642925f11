package org.postalfunds.api;

import java.util.regex.Pattern;

/**
 * The id grammar, the one definition: meter ids, request ids and transfer ids become composite-key attributes, so
 * their alphabet is narrow. The contract refuses anything else with INVALID_ARGUMENT; clients check before they call.
 */
public final class Ids {
    /** 1-64 characters of [A-Za-z0-9._-], starting with a letter or digit. */
    public static final String ID_REGEX = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}";
    /** An organisation's MSP id as Fabric configurations name them (1-64 of [A-Za-z0-9._-]). */
    public static final String MSP_ID_REGEX = "[A-Za-z0-9._-]{1,64}";
    /** How {@link #ID_REGEX} reads in a message. */
    public static final String ID_FORM = "1-64 characters of A-Z a-z 0-9 . _ - starting with a letter or digit";

    private static final Pattern ID = Pattern.compile(ID_REGEX);
    private static final Pattern MSP_ID = Pattern.compile(MSP_ID_REGEX);
    private static final Pattern REASON = Pattern.compile("[\\p{L}\\p{N}\\p{P}\\p{Zs}]*");

    private Ids() {}

    /** True when {@code id} is a meter, request or transfer id. */
    public static boolean isId(final String id) {
        return id != null && ID.matcher(id).matches();
    }

    public static boolean isMspId(final String mspId) {
        return mspId != null && MSP_ID.matcher(mspId).matches();
    }

    /** Meter ids, request ids and transfer ids; refused with INVALID_ARGUMENT. */
    public static String require(final String id, final String what) {
        if (!isId(id)) {
            throw ErrorCode.INVALID_ARGUMENT.exception(what + " must be " + ID_FORM + ", was " + quote(id));
        }
        return id;
    }

    /** True for a free-text reason (deny, reject, suspend): printable, at most {@link Limits#MAX_REASON_CHARS}. */
    public static boolean isReason(final String reason) {
        return reason != null && reason.length() <= Limits.MAX_REASON_CHARS && REASON.matcher(reason).matches();
    }

    public static String requireReason(final String reason) {
        if (!isReason(reason)) {
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

    /** A text quoted for a message, cut at 80 characters. */
    public static String quote(final String text) {
        if (text == null) {
            return "null";
        }
        final String shown = text.length() > 80 ? text.substring(0, 80) + "..." : text;
        return "'" + shown + "'";
    }
}
