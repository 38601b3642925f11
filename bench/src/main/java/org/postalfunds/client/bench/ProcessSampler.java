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
        /** A whole-machine figure (the MACHINE_* entries), not a process: pid 0. */
        public boolean machine() {
            return pid == 0;
        }
    }

    /**
     * Whole-machine entries added to every window's usage (pid 0), from {@code /proc/stat} and {@code /proc/meminfo}:
     * every process's CPU (user, nice, system, irq, softirq) with the memory in use, the CPUs' wait for the disk, and
     * the time the host gave to others (steal). The run's own processes subtracted from the first show a noisy
     * neighbour inside the machine; steal one outside it.
     */
    public static final String MACHINE_BUSY = "machine busy";
    public static final String MACHINE_IOWAIT = "machine iowait";
    public static final String MACHINE_STEAL = "machine steal";

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

        private final Optional<long[]> machineAtStart = machineTicks();

        Sampling(final Map<String, Long> pids) {
            this.pids = pids;
            pids.forEach((name, pid) -> cpuAtStart.put(name, cpu(pid).orElse(Duration.ZERO)));
            timer.scheduleAtFixedRate(this::sampleRss, 0, RSS_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
        }

        private void sampleRss() {
            pids.forEach((name, pid) -> rssKb(pid).ifPresent(kb -> maxRssKb.merge(name, kb, Math::max)));
            memoryInUseKb().ifPresent(kb -> maxRssKb.merge(MACHINE_BUSY, kb, Math::max));
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
            machineAtStart.ifPresent(start -> machineTicks().ifPresent(end -> {
                // Ticks over all CPUs, so 100 % is one core busy for the whole window, as for the processes.
                final double ticksPerCore = TICKS_PER_SECOND * seconds;
                usage.put(MACHINE_BUSY, new Usage(0, 100.0 * (end[0] - start[0]) / ticksPerCore,
                        maxRssKb.getOrDefault(MACHINE_BUSY, 0L) / 1024.0));
                usage.put(MACHINE_IOWAIT, new Usage(0, 100.0 * (end[1] - start[1]) / ticksPerCore, 0));
                usage.put(MACHINE_STEAL, new Usage(0, 100.0 * (end[2] - start[2]) / ticksPerCore, 0));
            }));
            return usage;
        }
    }

    /** USER_HZ: the unit of /proc/stat, 100 on every Linux architecture the JDK runs on. */
    private static final double TICKS_PER_SECOND = 100.0;

    /** The first line of /proc/stat as {busy, iowait, steal} ticks, busy = user + nice + system + irq + softirq. */
    static Optional<long[]> machineTicks() {
        try (var lines = Files.lines(Path.of("/proc/stat"))) {
            return lines.filter(line -> line.startsWith("cpu ")).findFirst().map(line -> {
                final String[] f = line.trim().split("\\s+");
                final long user = Long.parseLong(f[1]);
                final long nice = Long.parseLong(f[2]);
                final long system = Long.parseLong(f[3]);
                final long iowait = Long.parseLong(f[5]);
                final long irq = Long.parseLong(f[6]);
                final long softirq = Long.parseLong(f[7]);
                final long steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
                return new long[] {user + nice + system + irq + softirq, iowait, steal};
            });
        } catch (IOException | RuntimeException noProcStat) {
            // Not Linux, or a /proc/stat of another form: the report leaves the machine rows out.
            return Optional.empty();
        }
    }

    /** MemTotal - MemAvailable, kB: what the machine's processes and kernel hold. */
    static Optional<Long> memoryInUseKb() {
        try {
            long total = -1;
            long available = -1;
            for (final String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    total = Long.parseLong(line.replaceAll("[^0-9]", ""));
                } else if (line.startsWith("MemAvailable:")) {
                    available = Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            return total < 0 || available < 0 ? Optional.empty() : Optional.of(total - available);
        } catch (IOException | NumberFormatException noMeminfo) {
            return Optional.empty();
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
