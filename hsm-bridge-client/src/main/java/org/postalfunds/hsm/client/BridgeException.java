package org.postalfunds.hsm.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * The bridge refused or failed a request. Carries the gRPC status code (match on it, not on the text),
 * the RPC and the meter it was about.
 */
public final class BridgeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** How the bridge's description of a revoked key's refusal starts (psd_bridge.proto). */
    public static final String KEY_REVOKED_PREFIX = "METER_KEY_REVOKED:";

    private final Status.Code code;
    private final String description;
    private final String operation;
    private final String meterId;

    BridgeException(final String operation, final String meterId, final StatusRuntimeException cause) {
        super(message(operation, meterId, cause.getStatus()), cause);
        this.code = cause.getStatus().getCode();
        this.description = cause.getStatus().getDescription() == null ? "" : cause.getStatus().getDescription();
        this.operation = operation;
        this.meterId = meterId;
    }

    /** The gRPC status code, e.g. PERMISSION_DENIED, NOT_FOUND, INVALID_ARGUMENT. */
    public Status.Code code() {
        return code;
    }

    /** The meter's key was revoked (RevokeMeterKey): the bridge will never use it again. */
    public boolean keyRevoked() {
        return code == Status.Code.FAILED_PRECONDITION && description.startsWith(KEY_REVOKED_PREFIX);
    }

    /** The RPC, e.g. "SignDigest". */
    public String operation() {
        return operation;
    }

    /** The meter the request was about; empty for Health and Stats. */
    public String meterId() {
        return meterId;
    }

    private static String message(final String operation, final String meterId, final Status status) {
        return operation + (meterId.isEmpty() ? "" : " for meter " + meterId) + " failed: " + status.getCode()
                + (status.getDescription() == null ? "" : ": " + status.getDescription());
    }
}
