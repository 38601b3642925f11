package org.postalfunds.client.bench;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
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

    /** Starts a window: clears what the previous one kept. */
    public synchronized void open() {
        samples = 0;
        committed = 0;
        failures.clear();
        measuring.set(true);
    }

    public void close() {
        measuring.set(false);
    }

    void committed(final long nanos) {
        if (!measuring.get()) {
            return;
        }
        synchronized (this) {
            committed++;
            if (samples < MAX_SAMPLES) {
                if (samples == latencies.length) {
                    latencies = Arrays.copyOf(latencies, Math.min(MAX_SAMPLES, samples * 2));
                }
                latencies[samples++] = nanos;
            }
        }
    }

    void failed(final FailureReason reason) {
        if (!measuring.get()) {
            return;
        }
        synchronized (this) {
            failures.merge(reason, 1L, Long::sum);
        }
    }

    /** What the window recorded: committed count, failures by reason, sorted latencies in nanoseconds. */
    public synchronized Window window() {
        final long[] sorted = Arrays.copyOf(latencies, samples);
        Arrays.sort(sorted);
        return new Window(committed, Map.copyOf(failures), sorted);
    }

    /** One window's raw figures. */
    public record Window(long committed, Map<FailureReason, Long> failures, long[] sortedLatencyNanos) {
        public long failed() {
            return failures.values().stream().mapToLong(Long::longValue).sum();
        }

        /** The latency at {@code percent} (nearest rank), in milliseconds; 0 when nothing committed. */
        public double percentileMillis(final double percent) {
            if (sortedLatencyNanos.length == 0) {
                return 0;
            }
            final int rank = (int) Math.ceil(percent / 100.0 * sortedLatencyNanos.length) - 1;
            return sortedLatencyNanos[Math.max(0, Math.min(sortedLatencyNanos.length - 1, rank))] / 1e6;
        }
    }
}
