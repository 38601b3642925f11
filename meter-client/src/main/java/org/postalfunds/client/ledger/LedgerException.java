package org.postalfunds.client.ledger;

import java.util.Optional;
import org.postalfunds.api.ErrorCode;

/**
 * A ledger call that did not succeed, with what an operator needs to act: the chaincode function,
 * the request id the client chose (so the same call can be safely repeated), the transaction id of
 * the last attempt, the chaincode's error code when it refused, and how many attempts were made.
 */
public final class LedgerException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String function;
    private final String requestId;
    private final String transactionId;
    private final String errorCode;
    private final FailureKind kind;
    private final int attempts;

    LedgerException(final String message, final String function, final String requestId, final String transactionId,
            final String errorCode, final FailureKind kind, final int attempts, final Throwable cause) {
        super(message, cause);
        this.function = function;
        this.requestId = requestId;
        this.transactionId = transactionId;
        this.errorCode = errorCode;
        this.kind = kind;
        this.attempts = attempts;
    }

    /**
     * A failure outside a single call, e.g. an event stream that stopped delivering: transient, so the
     * operation can be run again.
     */
    public static LedgerException transientFailure(final String operation, final String message) {
        return new LedgerException(operation + ": " + message, operation, null, null, null, FailureKind.TRANSIENT, 1, null);
    }

    public String function() {
        return function;
    }

    /** The client-chosen request id; empty for queries. */
    public Optional<String> requestId() {
        return Optional.ofNullable(requestId);
    }

    public Optional<String> transactionId() {
        return Optional.ofNullable(transactionId);
    }

    /** The chaincode's error code (e.g. INSUFFICIENT_FUNDS) when the chaincode refused the call. */
    public Optional<ErrorCode> errorCode() {
        return ErrorCode.named(errorCode);
    }

    public FailureKind kind() {
        return kind;
    }

    public int attempts() {
        return attempts;
    }
}
