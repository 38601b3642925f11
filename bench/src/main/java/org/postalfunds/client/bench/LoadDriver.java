package org.postalfunds.client.bench;

import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.postalfunds.client.ledger.LedgerException;

/**
 * Runs a workload closed-loop at each concurrency level: that many workers, each with one operation in flight,
 * first for the warm-up, then for the measurement window. Only what commits or fails inside the window counts.
 */
public final class LoadDriver {
    public static final int MAX_CONCURRENCY = 512;
    public static final Duration MAX_WINDOW = Duration.ofMinutes(10);
    /** How long workers get to finish their operation in flight once a window closes. */
    public static final Duration DRAIN = Duration.ofMinutes(2);

    /**
     * Concurrency levels and durations; bounded, so a run cannot go on for hours by mistake. The window closes after
     * {@code window}, or earlier once {@code windowTransactions} transactions committed in it (0: no such limit).
     */
    public record Settings(List<Integer> concurrency, Duration warmUp, Duration window, long windowTransactions) {
        public Settings(final List<Integer> concurrency, final Duration warmUp, final Duration window) {
            this(concurrency, warmUp, window, 0);
        }

        public Settings {
            if (windowTransactions < 0) {
                throw new IllegalArgumentException("windowTransactions must be >= 0");
            }
            concurrency = List.copyOf(concurrency);
            if (concurrency.isEmpty() || concurrency.stream().anyMatch(c -> c < 1 || c > MAX_CONCURRENCY)) {
                throw new IllegalArgumentException("concurrency levels must be 1.." + MAX_CONCURRENCY + ", were " + concurrency);
            }
            if (warmUp.isNegative() || window.isZero() || window.isNegative() || window.compareTo(MAX_WINDOW) > 0
                    || warmUp.compareTo(MAX_WINDOW) > 0) {
                throw new IllegalArgumentException("warm-up and window must be 0.." + MAX_WINDOW + " (window > 0)");
            }
        }
    }

    /** One scenario at one concurrency level. Rates are per second of the window; latencies submit to commit. */
    public record LevelResult(String scenario, int concurrency, double seconds, long operations, long operationsFailed,
            long committed, Map<FailureReason, Long> failures, double committedPerSecond, double failedPerSecond,
            double p50Millis, double p95Millis, double p99Millis, Map<String, ProcessSampler.Usage> processes,
            Map<String, LoadRecorder.StepWindow> steps, double operationP50Millis, double operationP95Millis,
            double operationP99Millis, Map<String, Object> network, Map<String, Long> failureCodes) {
        /** Failures by reason as a share of all transactions that ended in the window (committed + failed). */
        public double failureShare(final FailureReason reason) {
            final long ended = committed + failures.values().stream().mapToLong(Long::longValue).sum();
            return ended == 0 ? 0 : failures.getOrDefault(reason, 0L) / (double) ended;
        }
    }

    /** Something measured around each window (the network's own metrics): started as it opens, read as it closes. */
    public interface WindowProbe {
        Handle start();

        interface Handle {
            Map<String, Object> stop();
        }

        WindowProbe NONE = () -> Map::of;
    }

    private final Settings settings;
    private final LoadRecorder recorder;
    private final ProcessSampler sampler;
    private final WindowProbe probe;

    public LoadDriver(final Settings settings, final LoadRecorder recorder, final ProcessSampler sampler) {
        this(settings, recorder, sampler, WindowProbe.NONE);
    }

    public LoadDriver(final Settings settings, final LoadRecorder recorder, final ProcessSampler sampler,
            final WindowProbe probe) {
        this.settings = Objects.requireNonNull(settings);
        this.recorder = Objects.requireNonNull(recorder);
        this.sampler = Objects.requireNonNull(sampler);
        this.probe = Objects.requireNonNull(probe);
    }

    public List<LevelResult> run(final String scenario, final Workload workload) throws InterruptedException {
        final List<LevelResult> results = new ArrayList<>();
        for (final int concurrency : settings.concurrency()) {
            results.add(runLevel(scenario, workload, concurrency));
        }
        return results;
    }

    private LevelResult runLevel(final String scenario, final Workload workload, final int workers)
            throws InterruptedException {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicBoolean measuring = new AtomicBoolean();
        final AtomicLong operations = new AtomicLong();
        final AtomicLong operationsFailed = new AtomicLong();
        final AtomicReference<Exception> broken = new AtomicReference<>();
        final long[] operationNanos = new long[1 << 20];
        final AtomicLong operationSamples = new AtomicLong();
        final ExecutorService pool = Executors.newFixedThreadPool(workers, runnable -> {
            final Thread thread = new Thread(runnable, "bench-" + scenario.replace(' ', '-'));
            thread.setDaemon(true);
            return thread;
        });
        for (int worker = 0; worker < workers; worker++) {
            final int id = worker;
            pool.execute(() -> {
                for (long iteration = 0; !stop.get(); iteration++) {
                    try {
                        final boolean measuredAtStart = measuring.get();
                        final long begun = System.nanoTime();
                        workload.operation(id, workers, iteration);
                        if (measuring.get()) {
                            operations.incrementAndGet();
                            if (measuredAtStart) {
                                final long slot = operationSamples.getAndIncrement();
                                if (slot < operationNanos.length) {
                                    operationNanos[(int) slot] = System.nanoTime() - begun;
                                }
                            }
                        }
                    } catch (LedgerException failed) {
                        // Counted by reason in the recorder; a closed loop goes on with the next operation.
                        if (measuring.get()) {
                            operationsFailed.incrementAndGet();
                        }
                    } catch (GeneralSecurityException | RuntimeException bug) {
                        // Not a ledger outcome (a PSD that cannot sign, a workload bug): the figures would lie.
                        broken.compareAndSet(null, bug);
                        stop.set(true);
                    }
                }
            });
        }
        Thread.sleep(settings.warmUp().toMillis());
        recorder.open();
        measuring.set(true);
        final WindowProbe.Handle probing = probe.start();
        final ProcessSampler.Sampling sampling = sampler.start();
        final long start = System.nanoTime();
        final long end = start + settings.window().toNanos();
        while (System.nanoTime() < end && broken.get() == null && (settings.windowTransactions() == 0
                || recorder.committedSoFar() < settings.windowTransactions())) {
            Thread.sleep(Math.max(1, Math.min(100, (end - System.nanoTime()) / 1_000_000)));
        }
        measuring.set(false);
        recorder.close();
        final double seconds = (System.nanoTime() - start) / 1e9;
        final Map<String, ProcessSampler.Usage> usage = sampling.stop();
        final Map<String, Object> network = probing.stop();
        stop.set(true);
        pool.shutdown();
        if (!pool.awaitTermination(DRAIN.toMillis(), TimeUnit.MILLISECONDS)) {
            pool.shutdownNow();
            throw new IllegalStateException(scenario + ": workers still busy " + DRAIN + " after the window closed");
        }
        if (broken.get() != null) {
            throw new IllegalStateException(scenario + " at " + workers + " in flight broke: " + broken.get(), broken.get());
        }
        final LoadRecorder.Window window = recorder.window();
        final long[] sortedOperations = java.util.Arrays.copyOf(operationNanos,
                (int) Math.min(operationNanos.length, operationSamples.get()));
        java.util.Arrays.sort(sortedOperations);
        return new LevelResult(scenario, workers, seconds, operations.get(), operationsFailed.get(), window.committed(),
                window.failures(), window.committed() / seconds, window.failed() / seconds, window.percentileMillis(50),
                window.percentileMillis(95), window.percentileMillis(99), usage, window.steps(),
                LoadRecorder.percentile(sortedOperations, 50), LoadRecorder.percentile(sortedOperations, 95),
                LoadRecorder.percentile(sortedOperations, 99), network, window.failureCodes());
    }
}
