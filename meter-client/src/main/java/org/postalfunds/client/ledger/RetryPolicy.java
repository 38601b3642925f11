package org.postalfunds.client.ledger;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How often and how patiently a submit is retried. Retrying is safe only because every ledger call
 * carries the same client-chosen request id on each attempt: the chaincode answers a repeated id
 * with its first outcome and moves nothing again.
 */
public final class RetryPolicy {
    /** Hard ceiling whatever the caller asks, so a stuck network cannot hold a client forever. */
    public static final int MAX_ATTEMPTS_LIMIT = 20;

    /** Hard ceiling on the outage budget, for the same reason. */
    public static final Duration MAX_OUTAGE_BUDGET = Duration.ofMinutes(5);

    /**
     * Six attempts, and up to 30 s of retries while a component is down: a restarted orderer's Raft election or a
     * restarted peer on a loaded machine takes longer than six paced attempts.
     */
    public static final RetryPolicy DEFAULT = new RetryPolicy(6, Duration.ofMillis(100), Duration.ofSeconds(3))
            .withOutageBudget(Duration.ofSeconds(30));
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO);

    private final int maxAttempts;
    private final Duration firstBackoff;
    private final Duration maxBackoff;
    private final Duration outageBudget;

    public RetryPolicy(final int maxAttempts, final Duration firstBackoff, final Duration maxBackoff) {
        this(maxAttempts, firstBackoff, maxBackoff, Duration.ZERO);
    }

    private RetryPolicy(final int maxAttempts, final Duration firstBackoff, final Duration maxBackoff,
            final Duration outageBudget) {
        if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS_LIMIT) {
            throw new IllegalArgumentException("attempts must be 1.." + MAX_ATTEMPTS_LIMIT + ": " + maxAttempts);
        }
        Objects.requireNonNull(firstBackoff, "firstBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (firstBackoff.isNegative() || maxBackoff.compareTo(firstBackoff) < 0) {
            throw new IllegalArgumentException("backoff must satisfy 0 <= first <= max");
        }
        this.maxAttempts = maxAttempts;
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
        Objects.requireNonNull(outageBudget, "outageBudget");
        if (outageBudget.isNegative() || outageBudget.compareTo(MAX_OUTAGE_BUDGET) > 0) {
            throw new IllegalArgumentException("the outage budget must be 0.." + MAX_OUTAGE_BUDGET + ": " + outageBudget);
        }
        this.outageBudget = outageBudget;
    }

    /**
     * The same policy, but failures of an outage kind ({@link FailureKind.Pace#OUTAGE}: orderer unavailable, own peer,
     * endorsers or chaincode unreachable) are retried for as long as {@code budget} allows since the first attempt,
     * whatever the attempt count: a component that is restarting comes back after a time, not after a number of tries.
     * Other failures still count against {@link #maxAttempts()}. Zero: outages count like any failure.
     */
    public RetryPolicy withOutageBudget(final Duration budget) {
        return new RetryPolicy(maxAttempts, firstBackoff, maxBackoff, budget);
    }

    public Duration outageBudget() {
        return outageBudget;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    /**
     * Pause before attempt {@code attempt + 1}: exponential with full jitter, so clients that collided
     * on the same key (an MVCC conflict) do not collide again in lock step.
     */
    public Duration backoffAfter(final int attempt, final FailureKind kind) {
        if (kind != null && kind.pace() == FailureKind.Pace.OUTAGE && maxBackoff.toMillis() > 0) {
            // A component is down and comes back in seconds (a restart): waiting less only burns attempts.
            final long first = Math.max(1_000, firstBackoff.toMillis());
            long ceiling = Math.min(first << Math.min(attempt - 1, 20), Math.max(2 * maxBackoff.toMillis(), first));
            return Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1));
        }
        if (kind != null && kind.pace() == FailureKind.Pace.QUICK && attempt == 1) {
            return Duration.ofMillis(Math.min(firstBackoff.toMillis(), 50));
        }
        return backoffAfter(attempt);
    }

    public Duration backoffAfter(final int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt counts from 1: " + attempt);
        }
        long ceilingMillis = firstBackoff.toMillis() << Math.min(attempt - 1, 20);
        ceilingMillis = Math.min(Math.max(ceilingMillis, 0), maxBackoff.toMillis());
        return Duration.ofMillis(ceilingMillis == 0 ? 0 : ThreadLocalRandom.current().nextLong(ceilingMillis / 2, ceilingMillis + 1));
    }
}
