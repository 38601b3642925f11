package org.postalfunds.client.bench;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.postalfunds.testnetwork.NetworkDescription;

/**
 * The load driver on the real network: {@code network.json} in, every workload at each concurrency level, the report
 * (table, JSON, PNG charts, Markdown) out. {@code ./bench.sh} brings the network up around it.
 *
 * <pre>
 * java -cp ... org.postalfunds.client.bench.NetworkBench [--network FILE] [--concurrency 16,64] [--warm-up S]
 *     [--duration S] [--transactions N] [--quick] [--workloads a,b,..] [--pairs N] [--distributor-recipients N]
 *     [--out DIR] [--name NAME] [--note TEXT]
 * </pre>
 *
 * A window closes after {@code --duration} seconds or once {@code --transactions} transactions committed in it,
 * whichever comes first ({@code --transactions 0}: the duration only). {@code --quick}: 2 s warm-up, 5 s windows.
 */
public final class NetworkBench {
    public static final String BASELINE_PUT = "baseline put";
    public static final String BASELINE_TRANSFER = "baseline transfer";
    /** Every workload, in run order: the two baselines first. */
    public static final List<String> WORKLOADS = List.of(BASELINE_PUT, BASELINE_TRANSFER, "refill", "print",
            "pull transfer", "push transfer", "distributor", "secure push 1 KiB", "secure push 256 KiB");

    /** The run's settings, from the command line. */
    public record Options(Path network, List<Integer> concurrency, Duration warmUp, Duration window, long transactions,
            List<String> workloads, int pairs, int distributorRecipients, Path out, String name, String note) {
        public static Options parse(final String... args) {
            final Map<String, String> given = new LinkedHashMap<>();
            boolean quick = false;
            for (int i = 0; i < args.length; i++) {
                final String arg = args[i];
                if (arg.equals("--quick")) {
                    quick = true;
                } else if (arg.startsWith("--") && i + 1 < args.length) {
                    given.put(arg.substring(2), args[++i]);
                } else {
                    throw new IllegalArgumentException("unknown argument " + arg + " (see the class comment for usage)");
                }
            }
            final Set<String> known = Set.of("network", "concurrency", "warm-up", "duration", "transactions",
                    "workloads", "pairs", "distributor-recipients", "out", "name", "note");
            given.keySet().stream().filter(key -> !known.contains(key)).findFirst().ifPresent(key -> {
                throw new IllegalArgumentException("unknown option --" + key);
            });
            final String state = System.getenv().getOrDefault("POSTAL_NETWORK_STATE", ".network");
            final List<Integer> concurrency = Arrays.stream(given.getOrDefault("concurrency", "16,64").split(","))
                    .map(String::trim).map(Integer::parseInt).toList();
            if (concurrency.isEmpty() || concurrency.stream().anyMatch(c -> c < 1 || c > LoadDriver.MAX_CONCURRENCY)) {
                throw new IllegalArgumentException("--concurrency: levels 1.." + LoadDriver.MAX_CONCURRENCY);
            }
            final List<String> workloads = given.containsKey("workloads")
                    ? Arrays.stream(given.get("workloads").split(",")).map(String::trim).toList() : WORKLOADS;
            workloads.stream().filter(w -> !WORKLOADS.contains(w)).findFirst().ifPresent(w -> {
                throw new IllegalArgumentException("unknown workload '" + w + "'; known: " + WORKLOADS);
            });
            final int maxConcurrency = concurrency.stream().mapToInt(Integer::intValue).max().orElse(1);
            return new Options(Path.of(given.getOrDefault("network", state + "/network.json")), concurrency,
                    Duration.ofSeconds(Long.parseLong(given.getOrDefault("warm-up", quick ? "2" : "10"))),
                    Duration.ofSeconds(Long.parseLong(given.getOrDefault("duration", quick ? "5" : "60"))),
                    Long.parseLong(given.getOrDefault("transactions", quick ? "0" : "5000")), workloads,
                    Integer.parseInt(given.getOrDefault("pairs", Integer.toString(Math.min(256, maxConcurrency)))),
                    Integer.parseInt(given.getOrDefault("distributor-recipients", "100")),
                    Path.of(given.getOrDefault("out", "bench-results")),
                    given.getOrDefault("name", Instant.now().toString().substring(0, 19).replace(':', '-')),
                    given.getOrDefault("note", ""));
        }
    }

    private NetworkBench() {
    }

    public static void main(final String[] args) throws Exception {
        final Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        final NetworkBenchReport report = run(options, System.out);
        System.out.println(report.table());
        System.out.println("bench: " + report.written());
        System.exit(0);
    }

    /** Runs every workload of {@code options} and writes the report; returns it. */
    public static NetworkBenchReport run(final Options options, final PrintStream log) throws Exception {
        final NetworkDescription network = NetworkDescription.read(options.network());
        final LoadRecorder recorder = new LoadRecorder();
        final ProcessSampler sampler = ProcessSampler.byPidFiles(network.state().resolve("pids"),
                Map.of("driver", ProcessHandle.current().pid()));
        final Map<String, URI> nodes = new LinkedHashMap<>();
        // Named as the pid files name them (peer0-<Org>, orderer1..); the CAs take no part in a transaction.
        network.processes().stream().filter(p -> p.operations().isPresent() && !p.name().startsWith("ca-"))
                .forEach(p -> nodes.put(p.name(), p.operations().get()));
        final LoadDriver driver = new LoadDriver(new LoadDriver.Settings(options.concurrency(), options.warmUp(),
                options.window(), options.transactions()), recorder, sampler, new NetworkMetrics(nodes));
        log.printf("bench: %s, workloads %s at %s in flight, warm-up %s, window %s or %d tx; processes %s%n",
                options.network(), options.workloads(), options.concurrency(), options.warmUp(), options.window(),
                options.transactions(), sampler.pids().keySet());
        final long started = System.nanoTime();
        final List<LoadDriver.LevelResult> results = new ArrayList<>();
        final boolean needsDistributor = options.workloads().contains("distributor");
        try (RealBenchConsortium consortium = RealBenchConsortium.create(network, recorder,
                new RealBenchConsortium.Options(options.pairs(), needsDistributor ? options.distributorRecipients() : 0,
                        4, 16), line -> log.println("bench: " + line))) {
            final Clock clock = Clock.systemUTC();
            for (final String name : options.workloads()) {
                final Workload workload = workload(name, consortium, clock);
                for (final LoadDriver.LevelResult result : driver.run(name, workload)) {
                    results.add(result);
                    log.printf("bench: %-20s %4d in flight: %7.1f tx/s committed, p50 %.0f ms, p99 %.0f ms, failures %s%n",
                            name, result.concurrency(), result.committedPerSecond(), result.p50Millis(),
                            result.p99Millis(), result.failures());
                }
            }
        }
        final Map<String, Object> about = new LinkedHashMap<>();
        about.put("network", options.network().toString());
        about.put("date", Instant.now().toString());
        about.put("note", options.note());
        // bench.sh says which batch timeout and chaincode JVM options the network was brought up with.
        about.put("tuning", System.getenv().getOrDefault("POSTAL_BENCH_TUNING", ""));
        about.put("cores", Runtime.getRuntime().availableProcessors());
        about.put("orderers", network.orderers().size());
        about.put("peerOrganisations", network.peerOrganisations().stream().map(NetworkDescription.Organisation::name).toList());
        about.put("concurrency", options.concurrency());
        about.put("warmUpSeconds", options.warmUp().toSeconds());
        about.put("windowSeconds", options.window().toSeconds());
        about.put("windowTransactions", options.transactions());
        about.put("pairs", options.pairs());
        about.put("distributorRecipients", needsDistributor ? options.distributorRecipients() : 0);
        about.put("runSeconds", (System.nanoTime() - started) / 1e9);
        final NetworkBenchReport report = new NetworkBenchReport(results, about);
        Files.createDirectories(options.out());
        report.write(options.out(), options.name());
        return report;
    }

    static Workload workload(final String name, final BenchConsortium consortium, final Clock clock) {
        final String run = consortium instanceof RealBenchConsortium real ? real.run() : "bench";
        switch (name) {
            case BASELINE_PUT:
                return Workload.baseline(consortium);
            case BASELINE_TRANSFER:
                return Workload.baselineTransfer(consortium, run);
            case "refill":
                return Workload.refill(consortium);
            case "print":
                return Workload.print(consortium);
            case "pull transfer":
                return Workload.pull(consortium, clock);
            case "push transfer":
                return Workload.push(consortium, clock);
            case "distributor":
                return Workload.distributor(consortium, clock);
            case "secure push 1 KiB":
                return Workload.securePush(consortium, clock, 1024);
            case "secure push 256 KiB":
                return Workload.securePush(consortium, clock, 256 * 1024);
            default:
                throw new IllegalArgumentException("unknown workload " + name);
        }
    }
}
