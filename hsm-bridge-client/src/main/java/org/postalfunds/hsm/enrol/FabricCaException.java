package org.postalfunds.hsm.enrol;

import java.util.Optional;

/**
 * Fabric CA refused a request, or could not be reached. Carries what the CA said: its error code (e.g. 20
 * "Authentication failure", 74 "Identity ... is already registered") and message, and the HTTP status.
 */
public final class FabricCaException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Fabric CA's code for a failed authentication (wrong enrollment secret, unknown identity). */
    public static final int AUTHENTICATION_FAILURE = 20;
    /** Fabric CA's code for registering a name that is already registered. */
    public static final int DUPLICATE_REGISTRATION = 74;

    private final String operation;
    private final int httpStatus;
    private final Integer errorCode;
    private final String caMessage;

    /** A refusal answered by the CA. */
    public FabricCaException(final String operation, final int httpStatus, final Integer errorCode, final String caMessage) {
        super(operation + " refused by Fabric CA"
                + (errorCode == null ? "" : ": code " + errorCode)
                + (caMessage == null || caMessage.isEmpty() ? "" : " - " + caMessage)
                + " (HTTP " + httpStatus + ")");
        this.operation = operation;
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
        this.caMessage = caMessage == null ? "" : caMessage;
    }

    /** No answer, or one that is not Fabric CA's (connection, TLS, malformed body, wrong certificate). */
    public FabricCaException(final String operation, final String message, final Throwable cause) {
        super(operation + ": " + message, cause);
        this.operation = operation;
        this.httpStatus = 0;
        this.errorCode = null;
        this.caMessage = "";
    }

    /** E.g. {@code enroll meter-A1}, {@code register meter-A1}. */
    public String operation() {
        return operation;
    }

    /** The HTTP status, 0 when the CA did not answer. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Fabric CA's error code, when it gave one. */
    public Optional<Integer> errorCode() {
        return Optional.ofNullable(errorCode);
    }

    /** Fabric CA's message, empty when it gave none. */
    public String caMessage() {
        return caMessage;
    }
}
