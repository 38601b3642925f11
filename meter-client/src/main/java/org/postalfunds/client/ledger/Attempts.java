package org.postalfunds.client.ledger;

import java.time.Duration;
import java.util.Objects;

/**
 * The retry loop, apart from any network code so that it can be tested on its own: run an attempt,
 * and while it fails in a retryable way and attempts remain, back off and run it again unchanged.
 */
final class Attempts {
    /** One try of a ledger call. */
    @FunctionalInterface
    interface Attempt {
        byte[] run(int attemptNumber) throws AttemptFailure;
    }

    /** A failed try, already classified. */
    static final class AttemptFailure extends Exception {
        private static final long serialVersionUID = 1L;
        final FailureKind kind;
        final String transactionId;
        final String errorCode;

        AttemptFailure(final FailureKind kind, final String message, final String transactionId, final String errorCode,
                final Throwable cause) {
            super(message, cause);
            this.kind = Objects.requireNonNull(kind);
            this.transactionId = transactionId;
            this.errorCode = errorCode;
        }
    }

    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private Attempts() {
    }

    static byte[] run(final LedgerCall call, final RetryPolicy policy, final Sleeper sleeper, final Attempt attempt)
            throws LedgerException {
        return run(call, policy, sleeper, RetryListener.NONE, attempt);
    }

    static byte[] run(final LedgerCall call, final RetryPolicy policy, final Sleeper sleeper,
            final RetryListener listener, final Attempt attempt) throws LedgerException {
        AttemptFailure last = null;
        int made = 0;
        while (made < policy.maxAttempts()) {
            made++;
            try {
                return attempt.run(made);
            } catch (AttemptFailure failure) {
                last = failure;
                if (!failure.kind.retryable() || made == policy.maxAttempts()) {
                    break;
                }
                listener.retrying(call, made, failure.kind, failure.errorCode);
                try {
                    sleeper.sleep(policy.backoffAfter(made, failure.kind));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        assert last != null : "the loop ends without a result only after a failure";
        String requestPart = call.requestId().map(id -> " (request " + id + ")").orElse("");
        String message = call.function() + requestPart + " failed after " + made + " attempt(s): " + last.getMessage();
        // A lag-sensitive refusal that outlasted every retry is a refusal like any other.
        FailureKind kind = last.kind == FailureKind.ENDORSER_BEHIND ? FailureKind.REFUSED : last.kind;
        throw new LedgerException(message, call.function(), call.requestId().orElse(null), last.transactionId,
                last.errorCode, kind, made, last.getCause());
    }
}
