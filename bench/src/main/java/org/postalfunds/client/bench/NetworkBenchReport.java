package org.postalfunds.client.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.postalfunds.client.bench.LoadDriver.LevelResult;

/**
 * The network benchmark's report: every workload as a ratio to the two baselines of the same run and concurrency
 * (the put and the two-key transfer), per-step figures of the multi-transaction workloads, CPU and RSS per process,
 * where time went inside the network (peers' and orderers' metrics), and the targets beside the figures.
 */
public final class NetworkBenchReport {
    /** The targets, checked against the figures (never asserted by a test). */
    public static final double STEP_THROUGHPUT_TARGET = 0.9;
    public static final double P99_TARGET = 1.2;
    public static final double MVCC_TARGET = 0.01;
    public static final double PULL_P50_TARGET_MILLIS = 1_000;
    /** The workloads the throughput and p99 targets apply to: refill and each transfer step. */
    public static final List<String> TARGETED = List.of("refill", "pull transfer", "push transfer", "distributor");
    /** Signing in the HSM bridge's token end to end: at least this share of file-key signing's tx/s. */
    public static final double SIGNING_TARGET = 0.95;
    /** Tx/s and p99 as the ledger grows: within this share of the smallest stage's. */
    public static final double GROWTH_TARGET = 0.10;
    private static final java.util.regex.Pattern GROWTH =
            java.util.regex.Pattern.compile("pull transfer at (\\d+) meters(?: after (\\d+) settled transfers)?");

    private final List<LevelResult> results;
    private final Map<String, Object> about;
    private final LoadReport put;
    private final LoadReport transfer;
    private final List<Path> written = new ArrayList<>();

    public NetworkBenchReport(final List<LevelResult> results, final Map<String, Object> about) {
        this.results = List.copyOf(results);
        this.about = new LinkedHashMap<>(about);
        this.put = new LoadReport(NetworkBench.BASELINE_PUT, results);
        this.transfer = new LoadReport(NetworkBench.BASELINE_TRANSFER, results);
    }

    public List<LevelResult> results() {
        return results;
    }

    public List<Path> written() {
        return List.copyOf(written);
    }

    /** The terminal table (LoadReport's, ratios to the baseline put). */
    public String table() {
        return put.table();
    }

    /** One target's verdict at one level. */
    public record Verdict(String target, String workload, int concurrency, double value, double limit, boolean met) {
    }

    /** Signing with the keys in the bridge's token against file keys, at one concurrency level of the same run. */
    public record SigningRatio(int concurrency, LevelResult file, LevelResult bridge, double throughputRatio,
            double p99Ratio) {
    }

    public List<SigningRatio> signingRatios() {
        final List<SigningRatio> ratios = new ArrayList<>();
        for (final LevelResult bridge : results) {
            if (bridge.scenario().equals(NetworkBench.SIGNING_PREFIX + "bridge")) {
                results.stream().filter(r -> r.scenario().equals(NetworkBench.SIGNING_PREFIX + "file")
                        && r.concurrency() == bridge.concurrency()).findFirst().ifPresent(file -> ratios.add(
                        new SigningRatio(bridge.concurrency(), file, bridge, divide(bridge.committedPerSecond(),
                                file.committedPerSecond()), divide(bridge.p99Millis(), file.p99Millis()))));
            }
        }
        return ratios;
    }

    /** One stage of the growing ledger: its meters, the settled transfers seeded before it, ratios to the first stage. */
    public record GrowthStage(LevelResult result, int meters, long settledTransfers, double throughputRatio,
            double p99Ratio) {
    }

    public List<GrowthStage> growth() {
        final List<GrowthStage> stages = new ArrayList<>();
        LevelResult first = null;
        for (final LevelResult r : results) {
            final java.util.regex.Matcher name = GROWTH.matcher(r.scenario());
            if (name.matches()) {
                first = first == null ? r : first;
                stages.add(new GrowthStage(r, Integer.parseInt(name.group(1)),
                        name.group(2) == null ? 0 : Long.parseLong(name.group(2)),
                        divide(r.committedPerSecond(), first.committedPerSecond()), divide(r.p99Millis(), first.p99Millis())));
            }
        }
        return stages;
    }

    private static double divide(final double value, final double by) {
        return by > 0 ? value / by : Double.NaN;
    }

    public List<Verdict> verdicts() {
        final List<Verdict> verdicts = new ArrayList<>();
        for (final SigningRatio ratio : signingRatios()) {
            verdicts.add(new Verdict("bridge signing tx/s >= 0.95 x file keys'", NetworkBench.SIGNING_PREFIX + "bridge",
                    ratio.concurrency(), ratio.throughputRatio(), SIGNING_TARGET,
                    ratio.throughputRatio() >= SIGNING_TARGET));
        }
        final List<GrowthStage> stages = growth();
        for (final GrowthStage stage : stages.subList(Math.min(1, stages.size()), stages.size())) {
            verdicts.add(new Verdict("tx/s within 10 % of the smallest ledger's", stage.result().scenario(),
                    stage.result().concurrency(), stage.throughputRatio(), 1 - GROWTH_TARGET,
                    stage.throughputRatio() >= 1 - GROWTH_TARGET));
            verdicts.add(new Verdict("p99 within 10 % of the smallest ledger's", stage.result().scenario(),
                    stage.result().concurrency(), stage.p99Ratio(), 1 + GROWTH_TARGET,
                    stage.p99Ratio() <= 1 + GROWTH_TARGET));
        }
        for (final LevelResult r : results) {
            if (TARGETED.contains(r.scenario())) {
                final double tx = put.throughputRatio(r);
                if (Double.isFinite(tx)) {
                    verdicts.add(new Verdict("tx/s >= 0.9 x baseline put", r.scenario(), r.concurrency(), tx,
                            STEP_THROUGHPUT_TARGET, tx >= STEP_THROUGHPUT_TARGET));
                }
                final double p99 = put.p99Ratio(r);
                if (Double.isFinite(p99)) {
                    verdicts.add(new Verdict("p99 <= 1.2 x baseline put's", r.scenario(), r.concurrency(), p99,
                            P99_TARGET, p99 <= P99_TARGET));
                }
            }
            if (r.concurrency() == 64 || r.scenario().equals(NetworkBench.CONTENTION)) {
                final double mvcc = r.failureShare(FailureReason.MVCC_CONFLICT);
                verdicts.add(new Verdict("MVCC conflicts < 1 % (" + (r.scenario().equals(NetworkBench.CONTENTION)
                        ? r.concurrency() + " meters in a ring" : "64 in flight") + ")", r.scenario(), r.concurrency(), mvcc,
                        MVCC_TARGET, mvcc < MVCC_TARGET));
            }
            if (r.scenario().equals("pull transfer") && r.operationP50Millis() > 0) {
                verdicts.add(new Verdict("whole pull transfer p50 < 1 s", r.scenario(), r.concurrency(),
                        r.operationP50Millis(), PULL_P50_TARGET_MILLIS, r.operationP50Millis() < PULL_P50_TARGET_MILLIS));
            }
        }
        return verdicts;
    }

    public String markdown() {
        final StringBuilder md = new StringBuilder();
        md.append("# Network benchmark ").append(about.getOrDefault("date", "")).append("\n\n");
        final Object note = about.get("note");
        if (note != null && !note.toString().isBlank()) {
            md.append("**").append(note).append("**\n\n");
        }
        final Object tuning = about.get("tuning");
        if (tuning != null && !tuning.toString().isBlank()) {
            md.append("Tuning: ").append(tuning).append(".\n\n");
        }
        md.append(String.format(Locale.ROOT, "Machine: %s cores. Network: %s orderer(s), peers of %s. Windows: %s s "
                        + "(or %s tx, whichever first) after a %s s warm-up, at %s in flight; %s pairs of meters, a "
                        + "distributor with %s recipients. Whole run %.0f s.%n%n",
                about.get("cores"), about.get("orderers"), about.get("peerOrganisations"), about.get("windowSeconds"),
                about.get("windowTransactions"), about.get("warmUpSeconds"), about.get("concurrency"), about.get("pairs"),
                about.get("distributorRecipients"), ((Number) about.getOrDefault("runSeconds", 0)).doubleValue()));
        md.append("Ratios are to the baselines of the same run at the same concurrency: `Baseline:write` (one blind key "
                + "put) and `Baseline:transfer` (two keys read and written, no rules). Latency is submit to commit "
                + "status of each transaction; \"op p50\" is a whole operation (a pull transfer's three transactions).\n\n");
        md.append("| workload | in flight | tx/s | × put | × transfer | p50 ms | p95 ms | p99 ms | p99 × put | op p50 ms "
                + "| failures | MVCC % |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (final LevelResult r : results) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %s | %s | %.0f | %.0f | %.0f | %s | %.0f | %s | %.2f |%n",
                    r.scenario(), r.concurrency(), r.committedPerSecond(), ratio(put.throughputRatio(r)),
                    ratio(transfer.throughputRatio(r)), r.p50Millis(), r.p95Millis(), r.p99Millis(),
                    ratio(put.p99Ratio(r)), r.operationP50Millis(), failures(r.failures()),
                    100 * r.failureShare(FailureReason.MVCC_CONFLICT)));
        }
        md.append("\n## Targets (the issue's)\n\n| target | workload | in flight | value | limit | met |\n|---|---|---|---|---|---|\n");
        for (final Verdict v : verdicts()) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s |%n", v.target(), v.workload(),
                    v.concurrency(), v.target().contains("MVCC") ? String.format(Locale.ROOT, "%.2f %%", 100 * v.value())
                            : v.target().contains("p50") ? String.format(Locale.ROOT, "%.0f ms", v.value())
                            : String.format(Locale.ROOT, "%.2f", v.value()),
                    v.target().contains("MVCC") ? "1 %" : v.target().contains("p50") ? "1000 ms"
                            : String.format(Locale.ROOT, "%.2f", v.limit()), v.met() ? "yes" : "**no**"));
        }
        md.append(extraSections());
        md.append("\n## Steps of the multi-transaction workloads\n\n| workload | in flight | function | committed "
                + "| p50 ms | p95 ms | p99 ms | failures |\n|---|---|---|---|---|---|---|---|\n");
        for (final LevelResult r : results) {
            if (r.steps().size() > 1) {
                r.steps().forEach((function, step) -> md.append(String.format(Locale.ROOT,
                        "| %s | %d | %s | %d | %.0f | %.0f | %.0f | %s |%n", r.scenario(), r.concurrency(), function,
                        step.committed(), step.p50Millis(), step.p95Millis(), step.p99Millis(), failures(step.failures()))));
            }
        }
        md.append("\n## Failures by reason and the chaincode's error code\n\n| workload | in flight | failures |\n|---|---|---|\n");
        for (final LevelResult r : results) {
            if (!r.failureCodes().isEmpty()) {
                md.append("| ").append(r.scenario()).append(" | ").append(r.concurrency()).append(" | ")
                        .append(r.failureCodes().entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                                .collect(Collectors.joining(", "))).append(" |\n");
            }
        }
        md.append("\n## CPU (% of one core) and max RSS (MB) per process\n\n| workload | in flight | ");
        final List<String> processes = results.stream().flatMap(r -> r.processes().keySet().stream()).distinct().toList();
        md.append(String.join(" | ", processes)).append(" |\n|---|---|");
        processes.forEach(p -> md.append("---|"));
        md.append('\n');
        for (final LevelResult r : results) {
            md.append("| ").append(r.scenario()).append(" | ").append(r.concurrency()).append(" | ");
            md.append(processes.stream().map(p -> Optional.ofNullable(r.processes().get(p))
                    .map(u -> u.machine() && u.maxRssMegabytes() == 0
                            ? String.format(Locale.ROOT, "%.0f %%", u.cpuPercentOfOneCore())
                            : String.format(Locale.ROOT, "%.0f %% / %.0f", u.cpuPercentOfOneCore(), u.maxRssMegabytes()))
                    .orElse("-")).collect(Collectors.joining(" | "))).append(" |\n");
        }
        if (processes.contains(ProcessSampler.MACHINE_BUSY)) {
            md.append("\nMachine: every process's CPU (user, system, irq) and the memory in use (MB); iowait, the CPUs "
                    + "waiting for the disk; steal, time the host gave to other guests. All as % of one core ("
                    + Runtime.getRuntime().availableProcessors() + " cores: " + 100 * Runtime.getRuntime().availableProcessors()
                    + " %). Machine busy well above the listed processes' sum, or steal above a few %, means something "
                    + "outside this run shared the machine.\n");
        }
        md.append("\n## Where the time goes (mean ms per event in the window, from the nodes' /metrics)\n\n"
                + "| workload | in flight | blocks | tx/block | endorsement (peers' mean) | block processing | "
                + "block + private data commit | state DB commit | orderer broadcast validation | orderer block fill "
                + "| Raft persist |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (final LevelResult r : results) {
            final long blocks = count(r, "peer0-DataCenter", "ledger_block_processing_time");
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %s | %s | %s | %s | %s | %s | %s | %s |%n", r.scenario(),
                    r.concurrency(), blocks, blocks == 0 ? "-" : String.format(Locale.ROOT, "%.1f",
                            (r.committed() + r.failures().getOrDefault(FailureReason.MVCC_CONFLICT, 0L)) / (double) blocks),
                    ms(meanOverPeers(r, "endorser_proposal_duration")),
                    ms(meanOverPeers(r, "ledger_block_processing_time")),
                    ms(meanOverPeers(r, "gossip_privdata_commit_block_duration")),
                    ms(meanOverPeers(r, "ledger_statedb_commit_time")),
                    ms(meanOverOrderers(r, "broadcast_validate_duration")),
                    ms(meanOverOrderers(r, "blockcutter_block_fill_duration")),
                    ms(meanOverOrderers(r, "consensus_etcdraft_data_persist_duration"))));
        }
        md.append("\nBlocks: committed by peer0-DataCenter in the window; tx/block counts committed and MVCC-invalidated "
                + "transactions. An orderer block fill near the batch timeout (the Tuning line; network/consortium.json's "
                + "unless tuned) means blocks were cut by the timer, not by size: the channel waited for transactions.\n");
        md.append("\nThe JSON file has every node's every histogram of `NetworkMetrics.HISTOGRAMS` per window.\n");
        return md.toString();
    }

    /** The signing, growth and contention tables, when the run measured them. */
    String extraSections() {
        final StringBuilder md = new StringBuilder();
        final List<SigningRatio> signing = signingRatios();
        if (!signing.isEmpty()) {
            md.append("\n## Signing end to end: meter keys in files vs in SoftHSM2 through the HSM bridge\n\n"
                    + "Each operation: the donor prints a piece (indicium signed by its PSD), the recipient requests a "
                    + "transfer from it; every signature of the bridge's meters made in the token over gRPC with mutual "
                    + "TLS. Target: bridge tx/s >= " + SIGNING_TARGET + " x file keys'.\n\n| in flight | file tx/s | "
                    + "bridge tx/s | bridge × file | file p99 ms | bridge p99 ms | p99 bridge × file | failures (bridge) "
                    + "| met |\n|---|---|---|---|---|---|---|---|---|\n");
            for (final SigningRatio r : signing) {
                md.append(String.format(Locale.ROOT, "| %d | %.1f | %.1f | %s | %.0f | %.0f | %s | %s | %s |%n",
                        r.concurrency(), r.file().committedPerSecond(), r.bridge().committedPerSecond(),
                        ratio(r.throughputRatio()), r.file().p99Millis(), r.bridge().p99Millis(), ratio(r.p99Ratio()),
                        failures(r.bridge().failures()), r.throughputRatio() >= SIGNING_TARGET ? "yes" : "**no**"));
            }
        }
        final List<GrowthStage> stages = growth();
        if (!stages.isEmpty()) {
            md.append(String.format(Locale.ROOT, "%n## Cost as the ledger grows: the pull transfer at %d in flight%n%n"
                    + "Meters registered so far (half donors, half recipients, every pair in use), then the same after "
                    + "settled transfers were seeded (Seed contract: records and index entries in the production's key "
                    + "layout). Target: tx/s and p99 within %.0f %% of the smallest stage's.%n%n| meters | settled transfers "
                    + "seeded | tx/s | × smallest | p99 ms | × smallest | op p50 ms | failures | met |%n"
                    + "|---|---|---|---|---|---|---|---|---|%n", stages.get(0).result().concurrency(), 100 * GROWTH_TARGET));
            for (final GrowthStage stage : stages) {
                final boolean met = stage.throughputRatio() >= 1 - GROWTH_TARGET && stage.p99Ratio() <= 1 + GROWTH_TARGET;
                md.append(String.format(Locale.ROOT, "| %d | %d | %.1f | %s | %.0f | %s | %.0f | %s | %s |%n",
                        stage.meters(), stage.settledTransfers(), stage.result().committedPerSecond(),
                        ratio(stage.throughputRatio()), stage.result().p99Millis(), ratio(stage.p99Ratio()),
                        stage.result().operationP50Millis(), failures(stage.result().failures()),
                        stage == stages.get(0) ? "-" : met ? "yes" : "**no**"));
            }
        }
        for (final LevelResult r : results) {
            if (r.scenario().equals(NetworkBench.CONTENTION)) {
                md.append(String.format(Locale.ROOT, "%n## Contention: %d meters in a ring, one client each%n%n"
                        + "Each meter's worker runs pull transfers to the next meter, so every meter gives in one flow and "
                        + "receives in another at once. %.1f tx/s, %d committed, MVCC conflicts %d (%.2f %%, target < 1 %%), "
                        + "failures %s; whole pull transfer p50 %s.%n", r.concurrency(), r.committedPerSecond(),
                        r.committed(), r.failures().getOrDefault(FailureReason.MVCC_CONFLICT, 0L),
                        100 * r.failureShare(FailureReason.MVCC_CONFLICT), failures(r.failures()),
                        r.operationP50Millis() > 0 ? String.format(Locale.ROOT, "%.0f ms", r.operationP50Millis())
                                : "not measured (no whole transfer began and ended inside the window)"));
            }
        }
        if (about.get("setUp") instanceof Map<?, ?> setUp && !setUp.isEmpty()) {
            md.append("\nSet-up of these parts (enrolment, registration, funding; seeding), seconds:");
            setUp.forEach((part, value) -> {
                if (value instanceof List<?> listed) {
                    listed.forEach(stage -> md.append(" ").append(part).append(' ').append(stage).append(';'));
                } else {
                    md.append(' ').append(part).append(String.format(Locale.ROOT, " %.1f;", ((Number) value).doubleValue()));
                }
            });
            md.append('\n');
        }
        return md.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> figure(final LevelResult r, final String node, final String histogram) {
        final Object perNode = r.network().get(node);
        if (!(perNode instanceof Map<?, ?> map) || !(map.get(histogram) instanceof Map<?, ?> figure)) {
            return Map.of();
        }
        return (Map<String, Object>) figure;
    }

    private static long count(final LevelResult r, final String node, final String histogram) {
        return ((Number) figure(r, node, histogram).getOrDefault("count", 0L)).longValue();
    }

    private static double meanOver(final LevelResult r, final List<String> nodes, final String histogram) {
        return nodes.stream().map(node -> figure(r, node, histogram)).filter(f -> f.containsKey("meanMillis"))
                .mapToDouble(f -> ((Number) f.get("meanMillis")).doubleValue()).average().orElse(Double.NaN);
    }

    private static double meanOverPeers(final LevelResult r, final String histogram) {
        return meanOver(r, r.network().keySet().stream().filter(n -> n.startsWith("peer")).toList(), histogram);
    }

    private static double meanOverOrderers(final LevelResult r, final String histogram) {
        return meanOver(r, r.network().keySet().stream().filter(n -> n.startsWith("orderer")).toList(), histogram);
    }

    private static String ms(final double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.1f", value) : "-";
    }

    private static String ratio(final double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.2f", value) : "-";
    }

    private static String failures(final Map<FailureReason, Long> failures) {
        return failures.isEmpty() ? "-" : failures.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .sorted().collect(Collectors.joining(", "));
    }

    /** {@code <name>.json}, {@code <name>.md}, {@code <name>-throughput.png}, {@code <name>-p99.png} in {@code dir}. */
    public void write(final Path dir, final String name) throws IOException {
        final Map<String, Object> json = new LinkedHashMap<>(about);
        json.put("baselineTransferScenario", NetworkBench.BASELINE_TRANSFER);
        json.put("throughputRatioToBaselineTransfer", results.stream().map(r -> {
            final double value = transfer.throughputRatio(r);
            return Double.isFinite(value) ? value : null;
        }).toList());
        json.put("targets", verdicts());
        final Path jsonFile = dir.resolve(name + ".json");
        put.writeJson(jsonFile, json);
        final Path markdown = dir.resolve(name + ".md");
        Files.writeString(markdown, markdown());
        final Path throughput = dir.resolve(name + "-throughput.png");
        final Path p99 = dir.resolve(name + "-p99.png");
        put.writeCharts(throughput, p99);
        written.addAll(List.of(jsonFile, markdown, throughput, p99));
    }
}
