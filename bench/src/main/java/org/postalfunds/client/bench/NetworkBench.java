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
 *     [--signing file,bridge] [--bridge FILE] [--growth 10,100,1000] [--seed-transfers N] [--contention METERS]
 *     [--enrol-threads N]
 * </pre>
 *
 * A window closes after {@code --duration} seconds or once {@code --transactions} transactions committed in it,
 * whichever comes first ({@code --transactions 0}: the duration only). {@code --quick}: 2 s warm-up, 5 s windows.
 *
 * <p>Beside the workloads, each behind its option (none by default):
 * <ul>
 * <li>{@code --signing file,bridge}: {@link Workload#signing} at each concurrency level, on the pairs (file keys) and
 * on as many pairs whose keys are in the HSM bridge's SoftHSM2 token ({@code --bridge}, default
 * {@code $POSTAL_NETWORK_STATE/bench-bridge/bridge.json}, written by {@code bench.sh}); reported as a ratio.
 * <li>{@code --growth 10,100,1000}: the pull transfer with that many meters registered (half donors, half recipients,
 * every pair in use), at half the smallest number in flight; with {@code --seed-transfers N} once more at the
 * largest after N settled transfers were written (Seed contract); reported as ratios to the smallest.
 * <li>{@code --contention 64}: that many meters in a ring, one client and one worker each ({@link Workload#ring}).
 * </ul>
 */
public final class NetworkBench {
    public static final String BASELINE_PUT = "baseline put";
    public static final String BASELINE_TRANSFER = "baseline transfer";
    /** Every workload, in run order: the two baselines first. */
    public static final List<String> WORKLOADS = List.of(BASELINE_PUT, BASELINE_TRANSFER, "refill", "print",
            "pull transfer", "push transfer", "distributor", "secure push 1 KiB", "secure push 256 KiB");
    /** Where the meters' keys are in the signing workloads: files, or the HSM bridge's token. */
    public static final List<String> SIGNING = List.of("file", "bridge");
    public static final String SIGNING_PREFIX = "signing ";
    public static final String CONTENTION = "contention";
    /** The most meters a growth stage or the contention ring enrols. */
    public static final int MAX_METERS = 10_000;
    public static final long MAX_SEEDED_TRANSFERS = 10_000_000;

    /** The growth stage's scenario name: "pull transfer at 100 meters", "... after 100000 settled transfers". */
    public static String growthScenario(final int meters, final long settledTransfers) {
        return "pull transfer at " + meters + " meters" + (settledTransfers > 0 ? " after " + settledTransfers
                + " settled transfers" : "");
    }

    /** The run's settings, from the command line. */
    public record Options(Path network, List<Integer> concurrency, Duration warmUp, Duration window, long transactions,
            List<String> workloads, int pairs, int distributorRecipients, Path out, String name, String note,
            List<String> signing, Path bridge, List<Integer> growth, long seedTransfers, int contention, int enrolThreads) {
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
                    "workloads", "pairs", "distributor-recipients", "out", "name", "note", "signing", "bridge", "growth",
                    "seed-transfers", "contention", "enrol-threads");
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
            final List<String> signing = list(given, "signing").stream().distinct().toList();
            signing.stream().filter(w -> !SIGNING.contains(w)).findFirst().ifPresent(w -> {
                throw new IllegalArgumentException("--signing: unknown key place '" + w + "'; known: " + SIGNING);
            });
            final List<Integer> growth = list(given, "growth").stream().map(n -> number("--growth", n)).toList();
            for (int i = 0; i < growth.size(); i++) {
                if (growth.get(i) < 2 || growth.get(i) % 2 != 0 || growth.get(i) > MAX_METERS
                        || i > 0 && growth.get(i) <= growth.get(i - 1)) {
                    throw new IllegalArgumentException("--growth: even numbers of meters 2.." + MAX_METERS
                            + ", ascending, were " + growth);
                }
            }
            final long seed = number("--seed-transfers", given.getOrDefault("seed-transfers", "0"));
            if (seed < 0 || seed > MAX_SEEDED_TRANSFERS || seed > 0 && growth.isEmpty()) {
                throw new IllegalArgumentException("--seed-transfers: 0.." + MAX_SEEDED_TRANSFERS
                        + ", and only with --growth (the transfers are seeded between the largest stage's meters), was " + seed);
            }
            final int contention = number("--contention", given.getOrDefault("contention", "0"));
            if (contention != 0 && (contention < 2 || contention > Math.min(MAX_METERS, LoadDriver.MAX_CONCURRENCY))) {
                throw new IllegalArgumentException("--contention: 2.." + LoadDriver.MAX_CONCURRENCY + " meters, was " + contention);
            }
            final int enrolThreads = number("--enrol-threads", given.getOrDefault("enrol-threads", "8"));
            if (enrolThreads < 1 || enrolThreads > 64) {
                throw new IllegalArgumentException("--enrol-threads: 1..64, was " + enrolThreads);
            }
            return new Options(Path.of(given.getOrDefault("network", state + "/network.json")), concurrency,
                    Duration.ofSeconds(Long.parseLong(given.getOrDefault("warm-up", quick ? "2" : "10"))),
                    Duration.ofSeconds(Long.parseLong(given.getOrDefault("duration", quick ? "5" : "60"))),
                    Long.parseLong(given.getOrDefault("transactions", quick ? "0" : "5000")), workloads,
                    Integer.parseInt(given.getOrDefault("pairs", Integer.toString(Math.min(256, maxConcurrency)))),
                    Integer.parseInt(given.getOrDefault("distributor-recipients", "100")),
                    Path.of(given.getOrDefault("out", "bench-results")),
                    given.getOrDefault("name", Instant.now().toString().substring(0, 19).replace(':', '-')),
                    given.getOrDefault("note", ""), signing,
                    Path.of(given.getOrDefault("bridge", state + "/bench-bridge/bridge.json")), growth, seed, contention,
                    enrolThreads);
        }

        /** The number of meters in flight at each growth stage: each worker its own pair at the smallest stage. */
        public int growthInFlight() {
            return growth.isEmpty() ? 0 : Math.max(1, growth.get(0) / 2);
        }

        private static List<String> list(final Map<String, String> given, final String key) {
            final String value = given.getOrDefault(key, "").trim();
            return value.isEmpty() ? List.of() : Arrays.stream(value.split(",")).map(String::trim).toList();
        }

        private static int number(final String option, final String value) {
            try {
                return Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + ": a whole number, was '" + value + "'");
            }
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
        final Map<String, Object> extraSetUp = new LinkedHashMap<>();
        try (RealBenchConsortium consortium = RealBenchConsortium.create(network, recorder,
                new RealBenchConsortium.Options(options.pairs(), needsDistributor ? options.distributorRecipients() : 0,
                        4, 16), line -> log.println("bench: " + line))) {
            final Clock clock = Clock.systemUTC();
            for (final String name : options.workloads()) {
                final Workload workload = workload(name, consortium, clock);
                measure(driver, name, workload, results, log);
            }
            final Map<String, Object> setUp = new LinkedHashMap<>();
            final Map<String, BenchConsortium> signingPairs = new LinkedHashMap<>();
            for (final String place : options.signing()) {
                if (place.equals("bridge")) {
                    final long enrolling = System.nanoTime();
                    final BridgeAccess bridge = BridgeAccess.read(options.bridge());
                    final List<org.postalfunds.client.MeterClient> meters = consortium.bridgeMeters(bridge,
                            "bridge", 2 * options.pairs(), options.enrolThreads(), line -> log.println("bench: " + line));
                    final List<org.postalfunds.client.MeterClient> donors = everyOther(meters, 0);
                    final List<org.postalfunds.client.MeterClient> recipients = everyOther(meters, 1);
                    consortium.fundPairs(donors, recipients, 16);
                    signingPairs.put(place, consortium.pairs(donors, recipients));
                    setUp.put("bridgeMetersSetUpSeconds", (System.nanoTime() - enrolling) / 1e9);
                } else {
                    signingPairs.put(place, consortium);
                }
            }
            // File and bridge one after the other at each level, not all levels of one then of the other: the ratio
            // compares windows minutes apart at most, so a machine whose load drifts skews it less.
            for (final int level : signingPairs.isEmpty() ? List.<Integer>of() : options.concurrency()) {
                final LoadDriver levelDriver = new LoadDriver(new LoadDriver.Settings(List.of(level), options.warmUp(),
                        options.window(), options.transactions()), recorder, sampler, new NetworkMetrics(nodes));
                for (final Map.Entry<String, BenchConsortium> place : signingPairs.entrySet()) {
                    measure(levelDriver, SIGNING_PREFIX + place.getKey(), Workload.signing(place.getValue(), clock),
                            results, log);
                }
            }
            if (!options.growth().isEmpty()) {
                final LoadDriver growthDriver = new LoadDriver(new LoadDriver.Settings(List.of(options.growthInFlight()),
                        options.warmUp(), options.window(), options.transactions()), recorder, sampler, new NetworkMetrics(nodes));
                final List<org.postalfunds.client.MeterClient> meters = new ArrayList<>();
                final List<Map<String, Object>> stages = new ArrayList<>();
                for (final int size : options.growth()) {
                    final long enrolling = System.nanoTime();
                    final List<org.postalfunds.client.MeterClient> more = consortium.fileKeyMeters("growth", meters.size(),
                            size - meters.size(), options.enrolThreads(), line -> log.println("bench: " + line));
                    consortium.fundPairs(everyOther(more, 0), everyOther(more, 1), 16);
                    meters.addAll(more);
                    stages.add(Map.<String, Object>of("meters", size, "addedMeters", more.size(),
                            "setUpSeconds", Math.round((System.nanoTime() - enrolling) / 1e8) / 10.0));
                    measure(growthDriver, growthScenario(size, 0), Workload.pull(
                            consortium.pairs(everyOther(meters, 0), everyOther(meters, 1)), clock), results, log);
                }
                if (options.seedTransfers() > 0) {
                    final long seeding = System.nanoTime();
                    consortium.seedSettledTransfers(meters, options.seedTransfers(), 4, line -> log.println("bench: " + line));
                    stages.add(Map.<String, Object>of("meters", meters.size(), "seededTransfers", options.seedTransfers(),
                            "setUpSeconds", Math.round((System.nanoTime() - seeding) / 1e8) / 10.0));
                    measure(growthDriver, growthScenario(meters.size(), options.seedTransfers()), Workload.pull(
                            consortium.pairs(everyOther(meters, 0), everyOther(meters, 1)), clock), results, log);
                }
                setUp.put("growth", stages);
            }
            if (options.contention() > 0) {
                final long enrolling = System.nanoTime();
                final List<org.postalfunds.client.MeterClient> ring = consortium.fileKeyMeters(CONTENTION, 0,
                        options.contention(), options.enrolThreads(), line -> log.println("bench: " + line));
                consortium.fundRing(ring, 16);
                setUp.put("contentionSetUpSeconds", (System.nanoTime() - enrolling) / 1e9);
                final LoadDriver ringDriver = new LoadDriver(new LoadDriver.Settings(List.of(options.contention()),
                        options.warmUp(), options.window(), options.transactions()), recorder, sampler, new NetworkMetrics(nodes));
                measure(ringDriver, CONTENTION, Workload.ring(ring, clock), results, log);
            }
            extraSetUp.putAll(setUp);
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
        about.put("signing", options.signing());
        about.put("growth", options.growth());
        about.put("growthInFlight", options.growthInFlight());
        about.put("seedTransfers", options.seedTransfers());
        about.put("contentionMeters", options.contention());
        about.put("setUp", extraSetUp);
        about.put("runSeconds", (System.nanoTime() - started) / 1e9);
        final NetworkBenchReport report = new NetworkBenchReport(results, about);
        Files.createDirectories(options.out());
        report.write(options.out(), options.name());
        return report;
    }

    private static void measure(final LoadDriver driver, final String name, final Workload workload,
            final List<LoadDriver.LevelResult> results, final PrintStream log) throws InterruptedException {
        for (final LoadDriver.LevelResult result : driver.run(name, workload)) {
            results.add(result);
            log.printf("bench: %-20s %4d in flight: %7.1f tx/s committed, p50 %.0f ms, p99 %.0f ms, failures %s%n",
                    name, result.concurrency(), result.committedPerSecond(), result.p50Millis(),
                    result.p99Millis(), result.failures());
        }
    }

    /** Elements {@code start}, {@code start + 2}, ...: the donors (even, MailerA) or the recipients (odd, MailerB). */
    static <T> List<T> everyOther(final List<T> all, final int start) {
        final List<T> picked = new ArrayList<>();
        for (int i = start; i < all.size(); i += 2) {
            picked.add(all.get(i));
        }
        return picked;
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
