package org.postalfunds.client.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.postalfunds.client.Consortium;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.bench.LoadDriver.LevelResult;
import org.postalfunds.client.ledger.LedgerException;

/**
 * The load driver end to end on the in-process network: every scenario of the benchmark at two concurrency levels
 * for a fraction of a second, the report's table, JSON and charts, and the failure reasons it sorts by. The figures
 * are the in-process path's; the network benchmark runs the same driver against the peers' gateway.
 */
class LoadDriverTest {
    private static final Path OUT = Path.of("target", "bench");

    @Test
    void every_scenario_runs_at_each_level_and_the_report_gives_ratios_to_the_baseline() throws Exception {
        final Consortium consortium = new Consortium();
        final LoadRecorder recorder = new LoadRecorder();
        final BenchConsortium bench = new InProcessBenchConsortium(consortium, recorder, 4, 10);
        final ProcessSampler sampler = new ProcessSampler(Map.of("driver", ProcessHandle.current().pid()));
        final LoadDriver driver = new LoadDriver(
                new LoadDriver.Settings(List.of(1, 4), Duration.ofMillis(100), Duration.ofMillis(400)), recorder, sampler);

        final List<LevelResult> results = new ArrayList<>();
        results.addAll(driver.run("baseline", Workload.baseline(bench)));
        results.addAll(driver.run("refill", Workload.refill(bench)));
        results.addAll(driver.run("print postage", Workload.print(bench)));
        results.addAll(driver.run("pull transfer", Workload.pull(bench, consortium.clock())));
        results.addAll(driver.run("push transfer", Workload.push(bench, consortium.clock())));
        results.addAll(driver.run("distributor", Workload.distributor(bench, consortium.clock())));
        final LoadReport report = new LoadReport("baseline", results);
        System.out.println(report.table());

        assertThat(results).hasSize(12);
        for (final LevelResult result : results) {
            assertThat(result.committed()).as(result.scenario() + " at " + result.concurrency()).isPositive();
            // One transaction at a time in-process: nothing can conflict, nothing is refused.
            assertThat(result.failures()).as(result.scenario()).isEmpty();
            assertThat(result.p50Millis()).isPositive().isLessThanOrEqualTo(result.p95Millis());
            assertThat(result.p95Millis()).isLessThanOrEqualTo(result.p99Millis());
            assertThat(result.processes().get("driver").cpuPercentOfOneCore()).isPositive();
            assertThat(result.processes().get("driver").maxRssMegabytes()).isPositive();
            assertThat(report.throughputRatio(result)).isPositive();
        }
        // Three transactions per pull transfer; an operation in flight when the window opened had some before it.
        assertThat(results.stream().filter(r -> r.scenario().equals("pull transfer")))
                .allSatisfy(r -> assertThat(r.committed()).isGreaterThanOrEqualTo(3 * (r.operations() - r.concurrency())));
        results.stream().filter(r -> r.scenario().equals("baseline"))
                .forEach(r -> assertThat(report.throughputRatio(r)).isEqualTo(1.0));
        assertThat(consortium.auditor.totals().proof().balanced()).as("books balanced after the load").isTrue();

        report.writeJson(OUT.resolve("load-smoke.json"), Map.of("network", "in-process"));
        report.writeCharts(OUT.resolve("load-smoke-throughput.png"), OUT.resolve("load-smoke-p99.png"));
        final JsonNode json = new ObjectMapper().readTree(OUT.resolve("load-smoke.json").toFile());
        assertThat(json.at("/levels")).hasSize(12);
        assertThat(json.at("/levels/0/result/scenario").asText()).isEqualTo("baseline");
        assertThat(json.at("/levels/0/throughputRatioToBaseline").asDouble()).isEqualTo(1.0);
        assertThat(Files.size(OUT.resolve("load-smoke-throughput.png"))).isPositive();
        assertThat(Files.size(OUT.resolve("load-smoke-p99.png"))).isPositive();
    }

    @Test
    void failures_are_counted_by_reason_inside_the_window_only() throws Exception {
        final Consortium consortium = new Consortium();
        final LoadRecorder recorder = new LoadRecorder();
        final InProcessBenchConsortium bench = new InProcessBenchConsortium(consortium, recorder, 1, 0);
        final String donor = bench.donor(0).meterId();

        // Outside a window: not counted.
        consortium.network.beforeNextCommit(() -> refillQuietly(consortium, donor));
        assertThatThrownBy(() -> bench.dataCenter().refill(RequestId.random(), donor, 1)).isInstanceOf(LedgerException.class);

        recorder.open();
        // A concurrent refill of the same meter commits between endorsement and commit: MVCC read conflict.
        consortium.network.beforeNextCommit(() -> refillQuietly(consortium, donor));
        assertThatThrownBy(() -> bench.dataCenter().refill(RequestId.random(), donor, 1)).isInstanceOf(LedgerException.class);
        // Endorsed by the data center's peer only: the meter's key-level policy fails at validation.
        consortium.network.endorseNextWith(Set.of(Consortium.DATA_CENTER));
        assertThatThrownBy(() -> bench.dataCenter().refill(RequestId.random(), donor, 1)).isInstanceOf(LedgerException.class);
        // The contract refuses: recipient-0 never listed donor-0 as a requester.
        assertThatThrownBy(() -> bench.donor(0).request(RequestId.random(), bench.recipient(0).meterId(), 1,
                consortium.clock().instant().plusSeconds(3_600))).isInstanceOf(LedgerException.class);
        bench.dataCenter().refill(RequestId.random(), donor, 1);
        recorder.close();

        final LoadRecorder.Window window = recorder.window();
        assertThat(window.committed()).isEqualTo(1);
        assertThat(window.failures()).containsExactlyInAnyOrderEntriesOf(Map.of(FailureReason.MVCC_CONFLICT, 1L,
                FailureReason.ENDORSEMENT, 1L, FailureReason.REFUSED_BY_CONTRACT, 1L));
    }

    @Test
    void settings_are_bounded() {
        assertThatThrownBy(() -> new LoadDriver.Settings(List.of(0), Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LoadDriver.Settings(List.of(1), Duration.ZERO, Duration.ofMinutes(11)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LoadDriver.Settings(List.of(), Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static void refillQuietly(final Consortium consortium, final String meterId) {
        try {
            consortium.dataCenter.refill(RequestId.random(), meterId, 1);
        } catch (LedgerException e) {
            throw new IllegalStateException(e);
        }
    }
}
