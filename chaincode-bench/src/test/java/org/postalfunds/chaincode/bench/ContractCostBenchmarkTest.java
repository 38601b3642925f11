package org.postalfunds.chaincode.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.hyperledger.fabric.contract.Context;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.postalfunds.chaincode.LedgerFixture;
import org.postalfunds.chaincode.access.Organisations;
import org.postalfunds.chaincode.fake.FakeLedger.Validation;
import org.postalfunds.chaincode.fake.FakeStub;
import org.postalfunds.chaincode.fake.TestIdentity;

/**
 * What the ledger's rules cost per transaction, against the baseline (one blind key write under the same chaincode),
 * and whether that cost grows with the number of meters and with the transfers already on the ledger. Runs the real
 * contract on the in-memory ledger that validates like a peer: it measures the chaincode's share of a Fabric
 * transaction (simulation and MVCC validation, read and write sets), not a network. The network's share (gRPC,
 * signing, ordering, block commit) needs the Fabric network, which this machine cannot build yet.
 *
 * <p>The default test run does a smoke pass of a few seconds whose structural figures (keys read, scanned and
 * written per transaction) are asserted, since they are deterministic; timings are printed, never asserted.
 * {@code chaincode/bench.sh} runs the full measurement (-Dbench.full=true): longer windows, 10/100/1,000 meters and a
 * ledger already holding 100,000 settled transfers. Output: a table on the terminal,
 * {@code target/bench/contract-cost.json}, and two charts, {@code contract-cost.png} and {@code contract-growth.png}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContractCostBenchmarkTest {
    private static final boolean FULL = Boolean.getBoolean("bench.full");
    private static final Duration WARM_UP = FULL ? Duration.ofSeconds(3) : Duration.ofMillis(300);
    private static final Duration WINDOW = FULL ? Duration.ofSeconds(10) : Duration.ofMillis(700);
    private static final int[] METER_COUNTS = FULL ? new int[] {10, 100, 1_000} : new int[] {10, 100};
    private static final int SETTLED_TRANSFERS = FULL ? 100_000 : 1_000;
    private static final int DISTRIBUTOR_RECIPIENTS = 100;
    private static final Path OUT = Path.of("target", "bench");

    private static final Map<String, Summary> SCENARIOS = new LinkedHashMap<>();
    private static final Map<String, Summary> GROWTH = new LinkedHashMap<>();
    private static final Map<String, Object> DISTRIBUTOR = new LinkedHashMap<>();

    /** One committed transaction: time in the contract (endorsement), time in validation, its read-write set. */
    record TxCost(String function, long simulateNanos, long commitNanos, int reads, int scans, int keysScanned,
            int writes, long bytesWritten, int policyWrites, int eventBytes) {
    }

    /** Figures of one scenario's measurement window. */
    record Summary(String scenario, int meters, long settledTransfersBefore, double seconds, long operations,
            long transactions, double transactionsPerSecond, double simulateP50Micros, double simulateP95Micros,
            double simulateP99Micros, double commitP50Micros, double readsPerTx, double scansPerTx,
            double keysScannedPerTx, double writesPerTx, double bytesWrittenPerTx, double policyWritesPerTx,
            Map<String, Long> transactionsByFunction) {
    }

    /** Runs and records committed transactions; a refusal or an invalidated commit ends the benchmark. */
    static final class Recorder {
        private final LedgerFixture fx;
        private final List<TxCost> costs = new ArrayList<>();

        Recorder(final LedgerFixture fx) {
            this.fx = fx;
        }

        String submit(final TestIdentity caller, final String function, final Function<Context, String> call) {
            final long start = System.nanoTime();
            final LedgerFixture.Endorsed endorsed = fx.endorse(caller, call);
            final long endorsedAt = System.nanoTime();
            if (endorsed.failure() != null) {
                throw new AssertionError(function + " refused: " + endorsed.failure().getMessage());
            }
            final Validation validation = fx.ledger.commit(endorsed.stub(), LedgerFixture.ALL_ORGS);
            final long committedAt = System.nanoTime();
            assertThat(validation).as(function).isEqualTo(Validation.VALID);
            costs.add(costOf(function, endorsed.stub(), endorsedAt - start, committedAt - endorsedAt));
            return endorsed.result();
        }

        void clear() {
            costs.clear();
        }
    }

    static TxCost costOf(final String function, final FakeStub stub, final long simulateNanos, final long commitNanos) {
        final long bytes = stub.writes().values().stream().mapToLong(value -> value == null ? 0 : value.length).sum();
        return new TxCost(function, simulateNanos, commitNanos, stub.readCount(), stub.rangeScanCount(),
                stub.keysSeenByScans(), stub.writes().size(), bytes, stub.validationParameterWrites().size(),
                stub.eventPayload() == null ? 0 : stub.eventPayload().length);
    }

    /** A workload on a prepared ledger; each operation is one or more transactions (a pull transfer is three). */
    interface Workload {
        void operation(long index, Recorder recorder);
    }

    private static Summary measure(final String scenario, final LedgerFixture fx, final int meters,
            final long settledBefore, final Workload workload) {
        final Recorder recorder = new Recorder(fx);
        long index = 0;
        final long warmUpEnd = System.nanoTime() + WARM_UP.toNanos();
        while (System.nanoTime() < warmUpEnd) {
            workload.operation(index++, recorder);
        }
        recorder.clear();
        long operations = 0;
        final long start = System.nanoTime();
        final long end = start + WINDOW.toNanos();
        while (System.nanoTime() < end) {
            workload.operation(index++, recorder);
            operations++;
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        return summarise(scenario, meters, settledBefore, seconds, operations, recorder.costs);
    }

    static Summary summarise(final String scenario, final int meters, final long settledBefore, final double seconds,
            final long operations, final List<TxCost> costs) {
        assertThat(costs).as(scenario + ": no transaction in the window").isNotEmpty();
        final long[] simulate = costs.stream().mapToLong(TxCost::simulateNanos).sorted().toArray();
        final long[] commit = costs.stream().mapToLong(TxCost::commitNanos).sorted().toArray();
        final Map<String, Long> byFunction = new LinkedHashMap<>();
        costs.forEach(cost -> byFunction.merge(cost.function(), 1L, Long::sum));
        final double n = costs.size();
        return new Summary(scenario, meters, settledBefore, seconds, operations, costs.size(), n / seconds,
                percentile(simulate, 50) / 1e3, percentile(simulate, 95) / 1e3, percentile(simulate, 99) / 1e3,
                percentile(commit, 50) / 1e3, costs.stream().mapToInt(TxCost::reads).sum() / n,
                costs.stream().mapToInt(TxCost::scans).sum() / n, costs.stream().mapToInt(TxCost::keysScanned).sum() / n,
                costs.stream().mapToInt(TxCost::writes).sum() / n, costs.stream().mapToLong(TxCost::bytesWritten).sum() / n,
                costs.stream().mapToInt(TxCost::policyWrites).sum() / n, byFunction);
    }

    static long percentile(final long[] sorted, final int percent) {
        final int rank = (int) Math.ceil(percent / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
    }

    // ---- ledgers --------------------------------------------------------------------------------------------------

    /** {@code count} funded meters m0..m(n-1), alternately of both mailers, each authorising its predecessor. */
    private static LedgerFixture meters(final int count) {
        final LedgerFixture fx = new LedgerFixture();
        for (int i = 0; i < count; i++) {
            fx.registerMeter(meterId(i), i % 2 == 0 ? Organisations.MAILER_A : Organisations.MAILER_B);
            fx.refill(meterId(i), 900_000);
        }
        for (int i = 0; i < count; i++) {
            // Pull transfers run m(i) -> m(i+1): the recipient m(i+1) must be on donor m(i)'s list.
            fx.authorise(meterId(i), meterId((i + 1) % count));
        }
        return fx;
    }

    private static String meterId(final long index) {
        return "m" + index;
    }

    private static Workload pull(final LedgerFixture fx, final int meters) {
        return (index, recorder) -> {
            final String donor = meterId(index % meters);
            final String recipient = meterId((index + 1) % meters);
            final String requested = recorder.submit(fx.meter(recipient), "requestTransfer",
                    ctx -> fx.contract.requestTransfer(ctx, fx.nextRequestId(), recipient, donor, "1",
                            String.valueOf(fx.nowSeconds() + 86_400)));
            final String transferId = LedgerFixture.json(requested).at("/transfer/transferId").asText();
            recorder.submit(fx.meter(donor), "grantTransfer",
                    ctx -> fx.contract.grantTransfer(ctx, fx.nextRequestId(), transferId, String.valueOf(fx.nowSeconds() + 3_600)));
            recorder.submit(fx.meter(recipient), "acceptTransfer",
                    ctx -> fx.contract.acceptTransfer(ctx, fx.nextRequestId(), transferId));
        };
    }

    private static Workload push(final LedgerFixture fx, final int meters) {
        return (index, recorder) -> {
            final String donor = meterId(index % meters);
            final String recipient = meterId((index + 1) % meters);
            final String offered = recorder.submit(fx.meter(donor), "offerTransfer",
                    ctx -> fx.contract.offerTransfer(ctx, fx.nextRequestId(), donor, recipient, "1",
                            String.valueOf(fx.nowSeconds() + 3_600)));
            final String transferId = LedgerFixture.json(offered).at("/transfer/transferId").asText();
            recorder.submit(fx.meter(recipient), "acknowledgeTransfer",
                    ctx -> fx.contract.acknowledgeTransfer(ctx, fx.nextRequestId(), transferId));
        };
    }

    // ---- the scenarios --------------------------------------------------------------------------------------------

    @BeforeAll
    static void prepareOutput() throws IOException {
        Files.createDirectories(OUT);
    }

    @Test
    @Order(1)
    void each_function_against_the_baseline_write() {
        final int meters = 10;
        final LedgerFixture fx = meters(meters);
        final BaselineContract baseline = new BaselineContract();

        final Summary base = measure("baseline write", fx, meters, 0, (index, recorder) -> recorder.submit(fx.mailerA,
                "write", ctx -> baseline.write(ctx, "b-" + index, Long.toString(index))));
        SCENARIOS.put(base.scenario(), base);
        SCENARIOS.put("refill", measure("refill", fx, meters, 0, (index, recorder) -> recorder.submit(fx.dataCenter,
                "refillMeter", ctx -> fx.contract.refillMeter(ctx, fx.nextRequestId(), meterId(index % meters), "1"))));

        // Indicia are signed before the window opens: the PSD's signing is the meter's work, not the contract's.
        final long[] pieces = new long[meters];
        final List<String> indicia = new ArrayList<>();
        final int prints = FULL ? 40_000 : 2_000;
        for (int i = 0; i < prints; i++) {
            final int meter = i % meters;
            indicia.add(fx.indicium(meterId(meter), ++pieces[meter], 1, fx.meter(meterId(meter))));
        }
        SCENARIOS.put("print postage", measure("print postage", fx, meters, 0, (index, recorder) -> {
            final String indicium = indicia.get((int) index);
            recorder.submit(fx.meter(meterId(index % meters)), "printPostage",
                    ctx -> fx.contract.printPostage(ctx, fx.nextRequestId(), indicium));
        }));
        SCENARIOS.put("pull transfer", measure("pull transfer", fx, meters, 0, pull(fx, meters)));
        SCENARIOS.put("push transfer", measure("push transfer", fx, meters, 0, push(fx, meters)));

        // The baseline reads nothing and writes one key; every postal function pays for its rules in keys.
        assertThat(base.readsPerTx()).isZero();
        assertThat(base.writesPerTx()).isEqualTo(1.0);
        assertThat(SCENARIOS.get("pull transfer").scansPerTx()).as("no range scan on the transfer path").isZero();
        assertThat(SCENARIOS.get("push transfer").scansPerTx()).as("no range scan on the transfer path").isZero();
        assertThat(SCENARIOS.get("print postage").scansPerTx()).isZero();
        assertThat(fx.auditTotals().at("/proof/balanced").asBoolean()).as("books balanced after the benchmark").isTrue();
    }

    @Test
    @Order(2)
    void a_distributor_serving_many_recipients_in_one_block() {
        final LedgerFixture fx = new LedgerFixture();
        fx.registerMeter("dist", Organisations.MAILER_A);
        fx.refill("dist", 900_000);
        final List<String> transfers = new ArrayList<>();
        for (int i = 0; i < DISTRIBUTOR_RECIPIENTS; i++) {
            final String recipient = "r" + i;
            fx.registerMeter(recipient, i % 2 == 0 ? Organisations.MAILER_A : Organisations.MAILER_B);
            fx.authorise("dist", recipient);
            fx.submit(fx.meter("dist"),
                    ctx -> fx.contract.fundAllotment(ctx, fx.nextRequestId(), "dist", recipient, "5000"));
            transfers.add(fx.request(recipient, "dist", 1_000));
        }
        // Every grant endorsed against the same state, then all ordered into one block, as under full load.
        final List<FakeStub> block = new ArrayList<>();
        final List<TxCost> costs = new ArrayList<>();
        for (final String transferId : transfers) {
            final long start = System.nanoTime();
            final LedgerFixture.Endorsed endorsed = fx.endorse(fx.meter("dist"),
                    ctx -> fx.contract.grantTransfer(ctx, fx.nextRequestId(), transferId, String.valueOf(fx.nowSeconds() + 3_600)));
            assertThat(endorsed.failure()).isNull();
            costs.add(costOf("grantTransfer", endorsed.stub(), System.nanoTime() - start, 0));
            block.add(endorsed.stub());
        }
        final long start = System.nanoTime();
        final List<Validation> results = fx.ledger.commitBlock(block,
                Collections.nCopies(block.size(), LedgerFixture.ALL_ORGS));
        final double blockMillis = (System.nanoTime() - start) / 1e6;
        final long conflicts = results.stream().filter(result -> result != Validation.VALID).count();
        DISTRIBUTOR.put("recipients", DISTRIBUTOR_RECIPIENTS);
        DISTRIBUTOR.put("grantsInOneBlock", block.size());
        DISTRIBUTOR.put("conflicts", conflicts);
        DISTRIBUTOR.put("conflictRate", conflicts / (double) block.size());
        DISTRIBUTOR.put("blockValidationMillis", blockMillis);
        DISTRIBUTOR.put("grant", summarise("distributor grant", DISTRIBUTOR_RECIPIENTS + 1, 0, 1, block.size(), costs));

        assertThat(conflicts).as("distributor conflict rate (goal < 1 %)").isZero();
    }

    @Test
    @Order(3)
    void pull_transfer_cost_as_meters_and_settled_transfers_grow() {
        for (final int meters : METER_COUNTS) {
            final LedgerFixture fx = meters(meters);
            GROWTH.put(meters + " meters", measure("pull transfer", fx, meters, 0, pull(fx, meters)));
        }
        // A ledger already holding many settled transfers (push: two transactions each, 1 minor unit).
        final int meters = METER_COUNTS[0];
        final LedgerFixture fx = meters(meters);
        final Recorder preload = new Recorder(fx);
        final Workload settle = push(fx, meters);
        for (long i = 0; i < SETTLED_TRANSFERS; i++) {
            settle.operation(i, preload);
            if (i % 1_000 == 999) {
                preload.clear();
            }
        }
        GROWTH.put(meters + " meters, " + SETTLED_TRANSFERS + " settled transfers",
                measure("pull transfer", fx, meters, SETTLED_TRANSFERS, pull(fx, meters)));

        // The keys a pull transfer touches do not depend on how big the ledger is: no scan, no list grows with it.
        final Summary smallest = GROWTH.values().iterator().next();
        for (final Summary each : GROWTH.values()) {
            assertThat(each.readsPerTx()).as(each.meters() + " meters").isEqualTo(smallest.readsPerTx());
            assertThat(each.writesPerTx()).as(each.meters() + " meters").isEqualTo(smallest.writesPerTx());
            assertThat(each.scansPerTx()).isZero();
            assertThat(each.keysScannedPerTx()).isZero();
        }
        assertThat(fx.auditTotals().at("/proof/balanced").asBoolean()).isTrue();
    }

    @Test
    @Order(4)
    void report() throws IOException {
        assertThat(SCENARIOS).isNotEmpty();
        assertThat(GROWTH).isNotEmpty();
        final Summary base = SCENARIOS.get("baseline write");
        final StringBuilder table = new StringBuilder();
        table.append(String.format("%nContract cost per transaction (in-memory ledger, one thread; %s window after %s warm-up)%n",
                WINDOW, WARM_UP));
        table.append(String.format("%-16s %9s %9s %8s %8s %8s %9s %6s %6s %7s %8s %10s %10s%n", "scenario", "ops/s",
                "tx/s", "p50 us", "p99 us", "val us", "reads/tx", "scans", "writes", "bytes", "policies",
                "tx/s÷base", "p99÷base"));
        for (final Summary s : SCENARIOS.values()) {
            table.append(row(s, base));
        }
        table.append(String.format("%nDistributor: %d grants from per-recipient allotments endorsed on one state, one "
                        + "block: %d conflicts (%.1f %%), block validated in %.1f ms%n", DISTRIBUTOR.get("grantsInOneBlock"),
                DISTRIBUTOR.get("conflicts"), 100 * (double) DISTRIBUTOR.get("conflictRate"),
                DISTRIBUTOR.get("blockValidationMillis")));
        table.append(String.format("%nPull transfer as the ledger grows%n"));
        final Summary growthBase = GROWTH.values().iterator().next();
        for (final Map.Entry<String, Summary> entry : GROWTH.entrySet()) {
            final Summary s = entry.getValue();
            table.append(String.format("%-42s %9.0f tx/s  p99 %7.1f us  reads/tx %5.2f  scans/tx %4.2f  "
                            + "tx/s %5.2f x and p99 %5.2f x the smallest ledger%n", entry.getKey(),
                    s.transactionsPerSecond(), s.simulateP99Micros(), s.readsPerTx(), s.scansPerTx(),
                    s.transactionsPerSecond() / growthBase.transactionsPerSecond(),
                    s.simulateP99Micros() / growthBase.simulateP99Micros()));
        }
        System.out.println(table);

        final Map<String, Object> json = new LinkedHashMap<>();
        json.put("what", "contract cost per transaction on the in-memory ledger (simulation + MVCC validation); "
                + "no Fabric network");
        json.put("full", FULL);
        json.put("warmUpMillis", WARM_UP.toMillis());
        json.put("windowMillis", WINDOW.toMillis());
        json.put("scenarios", SCENARIOS.values());
        json.put("ratiosToBaseline", ratios(base));
        json.put("distributor", DISTRIBUTOR);
        json.put("growth", GROWTH);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(OUT.resolve("contract-cost.json").toFile(), json);
        writeCharts();
        assertThat(OUT.resolve("contract-cost.json")).isNotEmptyFile();
        assertThat(OUT.resolve("contract-cost.png")).isNotEmptyFile();
        assertThat(OUT.resolve("contract-growth.png")).isNotEmptyFile();
    }

    private static String row(final Summary s, final Summary base) {
        return String.format("%-16s %9.0f %9.0f %8.1f %8.1f %8.1f %9.2f %6.2f %6.2f %7.0f %8.2f %10.3f %10.2f%n",
                s.scenario(), s.operations() / s.seconds(), s.transactionsPerSecond(), s.simulateP50Micros(),
                s.simulateP99Micros(), s.commitP50Micros(), s.readsPerTx(), s.scansPerTx(), s.writesPerTx(),
                s.bytesWrittenPerTx(), s.policyWritesPerTx(), s.transactionsPerSecond() / base.transactionsPerSecond(),
                s.simulateP99Micros() / base.simulateP99Micros());
    }

    private static Map<String, Map<String, Double>> ratios(final Summary base) {
        final Map<String, Map<String, Double>> ratios = new LinkedHashMap<>();
        for (final Summary s : SCENARIOS.values()) {
            ratios.put(s.scenario(), Map.of("txPerSecond", s.transactionsPerSecond() / base.transactionsPerSecond(),
                    "p99", s.simulateP99Micros() / base.simulateP99Micros()));
        }
        return ratios;
    }

    private static void writeCharts() throws IOException {
        final DefaultCategoryDataset perTx = new DefaultCategoryDataset();
        for (final Summary s : SCENARIOS.values()) {
            perTx.addValue(s.simulateP50Micros(), "p50", s.scenario());
            perTx.addValue(s.simulateP99Micros(), "p99", s.scenario());
        }
        final JFreeChart cost = ChartFactory.createBarChart("Contract time per transaction (in-memory ledger)",
                "scenario", "microseconds", perTx, PlotOrientation.VERTICAL, true, false, false);
        ChartUtils.saveChartAsPNG(OUT.resolve("contract-cost.png").toFile(), cost, 900, 500);

        final XYSeries throughput = new XYSeries("pull transfer tx/s");
        final XYSeries p99 = new XYSeries("pull transfer p99 (us x 10)");
        final List<Summary> byMeters = GROWTH.values().stream().filter(s -> s.settledTransfersBefore() == 0).toList();
        for (final Summary s : byMeters) {
            throughput.add(s.meters(), s.transactionsPerSecond());
            p99.add(s.meters(), s.simulateP99Micros() * 10);
        }
        final XYSeriesCollection growth = new XYSeriesCollection(throughput);
        growth.addSeries(p99);
        final JFreeChart chart = ChartFactory.createXYLineChart("Pull transfer cost as meters grow", "meters on the ledger",
                "tx/s ; p99 us x 10", growth, PlotOrientation.VERTICAL, true, false, false);
        ChartUtils.saveChartAsPNG(OUT.resolve("contract-growth.png").toFile(), chart, 900, 500);
        assertThat(Arrays.stream(METER_COUNTS).count()).isEqualTo(byMeters.size());
    }
}
