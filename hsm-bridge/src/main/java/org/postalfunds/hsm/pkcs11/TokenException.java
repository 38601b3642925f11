package org.postalfunds.hsm.pkcs11;

import java.util.Objects;
import java.util.Optional;

/** A token operation that failed, with a reason callers can act on (and the bridge maps to a gRPC status). */
public final class TokenException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a token operation failed. */
    public enum Reason {
        /** The PKCS#11 library file does not exist or cannot be loaded. */
        LIBRARY_NOT_FOUND,
        /** No token with the configured label is present in any slot of the library. */
        TOKEN_NOT_FOUND,
        /** This JVM already has the token open; a second login/logout would disturb the first user. */
        TOKEN_IN_USE,
        /** The PIN file or environment variable is missing or empty. */
        PIN_UNAVAILABLE,
        /** The token refused the PIN (wrong or locked). */
        PIN_INCORRECT,
        /** The JVM was started without access to the JDK's PKCS#11 wrapper (see the README). */
        PKCS11_WRAPPER_NOT_EXPORTED,
        /** The token holds no key for the meter. */
        METER_KEY_NOT_FOUND,
        /** The meter's key was revoked (its PSD failed): it signs, derives and is created nothing any more. */
        METER_KEY_REVOKED,
        /** The meter already has a key in the token. */
        METER_KEY_EXISTS,
        /** The token holds the configured maximum number of meter keys. */
        METER_KEY_LIMIT_REACHED,
        /** The certificate does not belong to the meter's key, or names another meter, or is not valid now. */
        CERTIFICATE_MISMATCH,
        /** A sealed package addressed to another meter. */
        PACKAGE_MISADDRESSED,
        /** A sealed package whose ephemeral key is not a P-256 point. */
        PACKAGE_MALFORMED,
        /** AES-GCM authentication failed: not sealed to this meter's key-agreement key, or altered. */
        PACKAGE_NOT_AUTHENTIC,
        /** The token failed an operation (removed, logged out, out of memory, closed). */
        TOKEN_FAILURE
    }

    private final Reason reason;
    private final String meterId;

    public TokenException(final Reason reason, final String message) {
        this(reason, null, message, null);
    }

    public TokenException(final Reason reason, final String meterId, final String message, final Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.meterId = meterId;
    }

    public Reason reason() {
        return reason;
    }

    public Optional<String> meterId() {
        return Optional.ofNullable(meterId);
    }
}
