package org.postalfunds.client;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.UUID;
import org.postalfunds.api.Ids;

/**
 * The client-chosen id of one submit. The contract answers a repeated id (same caller organisation, same
 * content) with its first result and moves nothing again, so a request id is what makes a retry, or a
 * re-run of a script, safe. Choose one per intended action and reuse it for every attempt of that action.
 */
public final class RequestId {
    /** The contract's alphabet for ids: 1-64 of A-Z a-z 0-9 . _ -, starting with a letter or digit. */
    public static final int MAX_LENGTH = 64;

    private final String value;

    private RequestId(final String value) {
        this.value = value;
    }

    /** A fresh id for an action typed by a person: "req-" and a random UUID. */
    public static RequestId random() {
        return new RequestId("req-" + UUID.randomUUID());
    }

    /**
     * An id supplied by the user (e.g. a script that wants to be re-runnable).
     *
     * @throws IllegalArgumentException when it is not in the contract's form
     */
    public static RequestId of(final String value) {
        Objects.requireNonNull(value, "request id");
        if (!Ids.isId(value)) {
            throw new IllegalArgumentException("a request id must be 1-" + MAX_LENGTH
                    + " characters of A-Z a-z 0-9 . _ - starting with a letter or digit, was '" + printable(value) + "'");
        }
        return new RequestId(value);
    }

    /**
     * The id of step {@code n} of a multi-step action under this id (e.g. a PSD replacement): this id with "-s" and n
     * appended, shortened by its SHA-256 when it would not fit. The same id and n always give the same step id.
     */
    public RequestId step(final int n) {
        if (n < 1) {
            throw new IllegalArgumentException("steps count from 1, was " + n);
        }
        final String suffix = "-s" + n;
        if (value.length() + suffix.length() <= MAX_LENGTH) {
            return new RequestId(value + suffix);
        }
        final String hash = java.util.HexFormat.of().formatHex(sha256(value));
        return new RequestId(hash.substring(0, MAX_LENGTH - suffix.length()) + suffix);
    }

    /**
     * The id of an automatic reaction to a transfer, e.g. {@code derived("watch-grant", transferId)}: the
     * same transfer always yields the same id, so a watcher that handles an event twice acts once.
     * Transfer ids that do not fit after the prefix are replaced by their SHA-256 (hex, cut to fit).
     */
    public static RequestId derived(final String prefix, final String transferId) {
        Objects.requireNonNull(transferId, "transferId");
        if (!Ids.isId(prefix) || prefix.length() > 24) {
            throw new IllegalArgumentException("a derived request id needs a short prefix in the id alphabet: " + prefix);
        }
        String candidate = prefix + "-" + transferId;
        if (candidate.length() <= MAX_LENGTH && Ids.isId(candidate)) {
            return new RequestId(candidate);
        }
        String hash = HexFormat.of().formatHex(sha256(transferId));
        return new RequestId((prefix + "-" + hash).substring(0, MAX_LENGTH));
    }

    public String value() {
        return value;
    }

    private static byte[] sha256(final String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static String printable(final String text) {
        String cut = text.length() > 80 ? text.substring(0, 80) + "..." : text;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }

    @Override
    public boolean equals(final Object other) {
        return other instanceof RequestId id && id.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return value;
    }
}
