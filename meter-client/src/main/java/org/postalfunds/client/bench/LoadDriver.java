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

    /** Concurrency levels and durations; bounded, so a run cannot go on for hours by mistake. */
    public record Settings(List<Integer> concurrency, Duration warmUp, Duration window) {
        public Settings {
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
            double p50Millis, double p95Millis, double p99Millis, Map<String, ProcessSampler.Usage> processes) {
    }

    private final Settings settings;
    private final LoadRecorder recorder;
    private final ProcessSampler sampler;

    public LoadDriver(final Settings settings, final LoadRecorder recorder, final ProcessSampler sampler) {
        this.settings = Objects.requireNonNull(settings);
        this.recorder = Objects.requireNonNull(recorder);
        this.sampler = Objects.requireNonNull(sampler);
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
                        workload.operation(id, workers, iteration);
                        if (measuring.get()) {
                            operations.incrementAndGet();
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
        final ProcessSampler.Sampling sampling = sampler.start();
        final long start = System.nanoTime();
        Thread.sleep(settings.window().toMillis());
        measuring.set(false);
        recorder.close();
        final double seconds = (System.nanoTime() - start) / 1e9;
        final Map<String, ProcessSampler.Usage> usage = sampling.stop();
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
        return new LevelResult(scenario, workers, seconds, operations.get(), operationsFailed.get(), window.committed(),
                window.failures(), window.committed() / seconds, window.failed() / seconds, window.percentileMillis(50),
                window.percentileMillis(95), window.percentileMillis(99), usage);
    }
}
