package org.postalfunds.client.ledger;

/**
 * Told of every failed attempt that is about to be retried, with why it failed: for figures (read conflicts,
 * endorsers that disagreed or were behind, seen under load) and for logs. Called on the submitting thread; keep it
 * quick and never throw.
 */
@FunctionalInterface
public interface RetryListener {
    RetryListener NONE = (call, failedAttempt, kind, errorCode) -> { };

    /**
     * @param failedAttempt the attempt that failed, counting from 1
     * @param errorCode     the chaincode's error code for a refusal ({@link FailureKind#ENDORSER_BEHIND}), else null
     */
    void retrying(LedgerCall call, int failedAttempt, FailureKind kind, String errorCode);
}
