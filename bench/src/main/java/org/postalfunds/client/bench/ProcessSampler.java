package org.postalfunds.client.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * CPU and resident memory of the processes under load (peers, orderer, chaincode service, the driver itself) over a
 * measurement window: CPU from the kernel's per-process CPU time, RSS from {@code /proc/<pid>/status}, sampled every
 * {@link #RSS_PERIOD} for the window's maximum. Linux only; a process that disappears reports what was seen of it.
 */
public final class ProcessSampler {
    public static final Duration RSS_PERIOD = Duration.ofMillis(250);

    /** One process over one window. */
    public record Usage(long pid, double cpuPercentOfOneCore, double maxRssMegabytes) {
    }

    private final Map<String, Long> pids;

    public ProcessSampler(final Map<String, Long> pidsByName) {
        this.pids = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(pidsByName));
    }

    /** The processes whose command line contains each given text (the first match each); names with no match are left out. */
    public static ProcessSampler byCommandLine(final Map<String, String> commandLineByName) {
        final Map<String, Long> found = new LinkedHashMap<>();
        final List<ProcessHandle> all = ProcessHandle.allProcesses().toList();
        commandLineByName.forEach((name, text) -> all.stream()
                .filter(process -> process.info().commandLine().map(line -> line.contains(text)).orElse(false))
                .findFirst().ifPresent(process -> found.put(name, process.pid())));
        return new ProcessSampler(found);
    }

    /**
     * The network's processes as its scripts recorded them: each {@code <name>.pid} file of {@code pidsDirectory}
     * ({@code $POSTAL_NETWORK_STATE/pids}: ca-&lt;Org&gt;, orderer1.., peer0-&lt;Org&gt;, chaincode) names one process,
     * so two peers that run the same command line are still told apart. Files naming no live process are left
     * out; {@code extra} (the driver itself) is added as given.
     */
    public static ProcessSampler byPidFiles(final Path pidsDirectory, final Map<String, Long> extra) throws IOException {
        final Map<String, Long> found = new java.util.TreeMap<>();
        try (var files = Files.list(pidsDirectory)) {
            for (final Path file : files.filter(f -> f.getFileName().toString().endsWith(".pid")).toList()) {
                final String name = file.getFileName().toString().replaceFirst("\\.pid$", "");
                try {
                    final long pid = Long.parseLong(Files.readString(file).trim());
                    if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                        found.put(name, pid);
                    }
                } catch (NumberFormatException notAPid) {
                    // A half-written or foreign file: not one of the network's processes.
                }
            }
        }
        // Peers, orderers and the chaincode first (they do the work), then the driver, then the idle CAs.
        final Map<String, Long> all = new LinkedHashMap<>();
        found.forEach((name, pid) -> {
            if (!name.startsWith("ca-")) {
                all.put(name, pid);
            }
        });
        all.putAll(extra);
        found.forEach(all::putIfAbsent);
        return new ProcessSampler(all);
    }

    public Map<String, Long> pids() {
        return pids;
    }

    /** Starts sampling; {@link Sampling#stop()} returns each process's usage since now. */
    public Sampling start() {
        return new Sampling(pids);
    }

    /** A window in progress. */
    public static final class Sampling {
        private final Map<String, Long> pids;
        private final Map<String, Duration> cpuAtStart = new LinkedHashMap<>();
        private final Map<String, Long> maxRssKb = new ConcurrentHashMap<>();
        private final long startNanos = System.nanoTime();
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            final Thread thread = new Thread(runnable, "bench-rss-sampler");
            thread.setDaemon(true);
            return thread;
        });

        Sampling(final Map<String, Long> pids) {
            this.pids = pids;
            pids.forEach((name, pid) -> cpuAtStart.put(name, cpu(pid).orElse(Duration.ZERO)));
            timer.scheduleAtFixedRate(this::sampleRss, 0, RSS_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
        }

        private void sampleRss() {
            pids.forEach((name, pid) -> rssKb(pid).ifPresent(kb -> maxRssKb.merge(name, kb, Math::max)));
        }

        public Map<String, Usage> stop() {
            timer.shutdownNow();
            sampleRss();
            final double seconds = (System.nanoTime() - startNanos) / 1e9;
            final Map<String, Usage> usage = new LinkedHashMap<>();
            pids.forEach((name, pid) -> {
                final Duration cpu = cpu(pid).orElse(cpuAtStart.get(name)).minus(cpuAtStart.get(name));
                usage.put(name, new Usage(pid, 100.0 * cpu.toNanos() / 1e9 / seconds,
                        maxRssKb.getOrDefault(name, 0L) / 1024.0));
            });
            return usage;
        }
    }

    static Optional<Duration> cpu(final long pid) {
        return ProcessHandle.of(pid).flatMap(process -> process.info().totalCpuDuration());
    }

    static Optional<Long> rssKb(final long pid) {
        try {
            for (final String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Optional.of(Long.parseLong(line.replaceAll("[^0-9]", "")));
                }
            }
        } catch (IOException | NumberFormatException gone) {
            // The process ended or /proc is not there: nothing to report for this sample.
        }
        return Optional.empty();
    }
}
