package org.postalfunds.client.bench;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Collects submit-to-commit latencies and failures of the transactions of one measurement window. Outside a window
 * (warm-up, set-up) nothing is kept. Bounded: at most {@link #MAX_SAMPLES} latencies per window, after which only
 * counts grow.
 */
public final class LoadRecorder {
    public static final int MAX_SAMPLES = 2_000_000;

    private final AtomicBoolean measuring = new AtomicBoolean();
    private long[] latencies = new long[4_096];
    private int samples;
    private long committed;
    private final Map<FailureReason, Long> failures = new EnumMap<>(FailureReason.class);
    /** Per chaincode function (a pull transfer's request, grant, accept): latencies and failures of each step. */
    private final Map<String, Step> steps = new TreeMap<>();
    private volatile long committedSoFar;
    /** Failures by reason and the chaincode's error code, if it gave one ("ENDORSER_BEHIND UNKNOWN_TRANSFER"). */
    private final Map<String, Long> codes = new TreeMap<>();

    /** Starts a window: clears what the previous one kept. */
    public synchronized void open() {
        samples = 0;
        committed = 0;
        committedSoFar = 0;
        failures.clear();
        steps.clear();
        codes.clear();
        measuring.set(true);
    }

    public void close() {
        measuring.set(false);
    }

    void committed(final long nanos) {
        committed(null, nanos);
    }

    void committed(final String function, final long nanos) {
        if (!measuring.get()) {
            return;
        }
        synchronized (this) {
            committed++;
            committedSoFar = committed;
            if (function != null) {
                steps.computeIfAbsent(function, f -> new Step()).committed(nanos);
            }
            if (samples < MAX_SAMPLES) {
                if (samples == latencies.length) {
                    latencies = Arrays.copyOf(latencies, Math.min(MAX_SAMPLES, samples * 2));
                }
                latencies[samples++] = nanos;
            }
        }
    }

    void failed(final FailureReason reason) {
        failed(null, reason);
    }

    void failed(final String function, final FailureReason reason) {
        failed(function, reason, null);
    }

    void failed(final String function, final FailureReason reason, final String errorCode) {
        if (!measuring.get()) {
            return;
        }
        synchronized (this) {
            codes.merge(errorCode == null ? reason.name() : reason + " " + errorCode, 1L, Long::sum);
            failures.merge(reason, 1L, Long::sum);
            if (function != null) {
                steps.computeIfAbsent(function, f -> new Step()).failures.merge(reason, 1L, Long::sum);
            }
        }
    }

    /** Transactions committed so far in the open window (read without a lock, for the driver's early stop). */
    public long committedSoFar() {
        return committedSoFar;
    }

    /** One function's latencies (bounded like the window's) and failures. */
    private static final class Step {
        private long[] latencies = new long[256];
        private int samples;
        private long committed;
        private final Map<FailureReason, Long> failures = new EnumMap<>(FailureReason.class);

        void committed(final long nanos) {
            committed++;
            if (samples < MAX_SAMPLES) {
                if (samples == latencies.length) {
                    latencies = Arrays.copyOf(latencies, Math.min(MAX_SAMPLES, samples * 2));
                }
                latencies[samples++] = nanos;
            }
        }

        StepWindow window() {
            final long[] sorted = Arrays.copyOf(latencies, samples);
            Arrays.sort(sorted);
            return new StepWindow(committed, Map.copyOf(failures), percentile(sorted, 50), percentile(sorted, 95),
                    percentile(sorted, 99));
        }
    }

    /** One chaincode function's figures in a window. */
    public record StepWindow(long committed, Map<FailureReason, Long> failures, double p50Millis, double p95Millis,
            double p99Millis) {
    }

    static double percentile(final long[] sortedNanos, final double percent) {
        if (sortedNanos.length == 0) {
            return 0;
        }
        final int rank = (int) Math.ceil(percent / 100.0 * sortedNanos.length) - 1;
        return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, rank))] / 1e6;
    }

    /** What the window recorded: committed count, failures by reason, sorted latencies in nanoseconds. */
    public synchronized Window window() {
        final long[] sorted = Arrays.copyOf(latencies, samples);
        Arrays.sort(sorted);
        final Map<String, StepWindow> byFunction = new LinkedHashMap<>();
        steps.forEach((function, step) -> byFunction.put(function, step.window()));
        return new Window(committed, Map.copyOf(failures), sorted, byFunction, new TreeMap<>(codes));
    }

    /** One window's raw figures; {@code steps} by chaincode function, in name order. */
    public record Window(long committed, Map<FailureReason, Long> failures, long[] sortedLatencyNanos,
            Map<String, StepWindow> steps, Map<String, Long> failureCodes) {
        public long failed() {
            return failures.values().stream().mapToLong(Long::longValue).sum();
        }

        /** The latency at {@code percent} (nearest rank), in milliseconds; 0 when nothing committed. */
        public double percentileMillis(final double percent) {
            return percentile(sortedLatencyNanos, percent);
        }
    }
}
