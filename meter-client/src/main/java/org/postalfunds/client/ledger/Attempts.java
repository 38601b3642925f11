package org.postalfunds.client.ledger;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The retry loop, apart from any network code so that it can be tested on its own: run an attempt,
 * and while it fails in a retryable way and attempts (or, for an outage, the time budget) remain, back off and run it
 * again unchanged.
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
        return run(call, policy, sleeper, System::nanoTime, listener, attempt);
    }

    /**
     * The loop, with the clock that measures the policy's outage budget. Failures of an outage kind are retried while
     * the next attempt would still start within the budget (counted from the first attempt), whatever their number;
     * every other failure counts against the policy's attempts.
     */
    static byte[] run(final LedgerCall call, final RetryPolicy policy, final Sleeper sleeper, final LongSupplier nanoTime,
            final RetryListener listener, final Attempt attempt) throws LedgerException {
        AttemptFailure last = null;
        int made = 0;
        int counted = 0;
        final long started = nanoTime.getAsLong();
        final long budget = policy.outageBudget().toNanos();
        while (true) {
            made++;
            try {
                return attempt.run(made);
            } catch (AttemptFailure failure) {
                last = failure;
                if (!failure.kind.retryable()) {
                    break;
                }
                final Duration pause = policy.backoffAfter(made, failure.kind);
                final boolean outage = budget > 0 && failure.kind.pace() == FailureKind.Pace.OUTAGE;
                if (outage) {
                    if (nanoTime.getAsLong() - started + pause.toNanos() > budget) {
                        break;
                    }
                } else if (++counted >= policy.maxAttempts()) {
                    break;
                }
                listener.retrying(call, made, failure.kind, failure.errorCode);
                try {
                    sleeper.sleep(pause);
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
