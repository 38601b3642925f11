package org.postalfunds.hsm;

import org.postalfunds.api.Ids;

/**
 * Meter ids name a meter everywhere: the token's key label, the certificate's CN, the ledger account.
 *
 * <p>Restricted to a short, printable alphabet so an id can be a PKCS#11 label, a certificate CN and a
 * file name without escaping: the ledger's own id grammar ({@link Ids}, ledger-api).
 */
public final class MeterIds {
    /** Longest meter id accepted (also the X.509 upper bound for a CN is 64). */
    public static final int MAX_LENGTH = 64;

    private MeterIds() {
    }

    public static boolean isValid(final String meterId) {
        return Ids.isId(meterId);
    }

    /**
     * @throws IllegalArgumentException with the reason, when the id is not a valid meter id.
     */
    public static String requireValid(final String meterId) {
        if (meterId == null || meterId.isEmpty()) {
            throw new IllegalArgumentException("meter id is empty");
        }
        if (meterId.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("meter id is longer than " + MAX_LENGTH + " characters");
        }
        if (!Ids.isId(meterId)) {
            throw new IllegalArgumentException("meter id '" + printable(meterId)
                    + "' must be letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return meterId;
    }

    /** Makes an untrusted string safe to put in an error message or a log line. */
    public static String printable(final String text) {
        final StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_LENGTH + 3));
        for (int i = 0; i < text.length() && i < MAX_LENGTH; i++) {
            final char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        if (text.length() > MAX_LENGTH) {
            out.append("...");
        }
        return out.toString();
    }
}
