package org.postalfunds.client.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.postalfunds.client.bench.LoadDriver.LevelResult;
import org.postalfunds.client.bench.NetworkBenchReport.Verdict;

/**
 * The options and the report of the signing, growth and contention parts, from made-up figures: which option gives
 * which run, and which ratios and verdicts the report derives (the real run is {@code bench.sh}'s).
 */
class NetworkBenchPartsTest {

    @Test
    void the_parts_options_parse_and_stay_off_by_default() {
        final NetworkBench.Options none = NetworkBench.Options.parse("--quick");
        assertThat(none.signing()).isEmpty();
        assertThat(none.growth()).isEmpty();
        assertThat(none.seedTransfers()).isZero();
        assertThat(none.contention()).isZero();
        assertThat(none.concurrency()).containsExactly(16, 64);

        final NetworkBench.Options all = NetworkBench.Options.parse("--signing", "file,bridge", "--bridge", "b.json",
                "--growth", "10,100,1000", "--seed-transfers", "100000", "--contention", "64", "--enrol-threads", "12");
        assertThat(all.signing()).containsExactly("file", "bridge");
        assertThat(all.bridge()).isEqualTo(Path.of("b.json"));
        assertThat(all.growth()).containsExactly(10, 100, 1000);
        assertThat(all.growthInFlight()).isEqualTo(5);
        assertThat(all.seedTransfers()).isEqualTo(100_000);
        assertThat(all.contention()).isEqualTo(64);
        assertThat(all.enrolThreads()).isEqualTo(12);
    }

    @Test
    void bad_parts_options_are_refused_with_the_values_named() {
        assertThatThrownBy(() -> NetworkBench.Options.parse("--signing", "file,hsm"))
                .hasMessageContaining("'hsm'").hasMessageContaining("[file, bridge]");
        assertThatThrownBy(() -> NetworkBench.Options.parse("--growth", "100,10"))
                .hasMessageContaining("ascending").hasMessageContaining("[100, 10]");
        assertThatThrownBy(() -> NetworkBench.Options.parse("--growth", "11")).hasMessageContaining("even");
        assertThatThrownBy(() -> NetworkBench.Options.parse("--seed-transfers", "1000"))
                .hasMessageContaining("only with --growth");
        assertThatThrownBy(() -> NetworkBench.Options.parse("--contention", "1")).hasMessageContaining("was 1");
        assertThatThrownBy(() -> NetworkBench.Options.parse("--contention", "many")).hasMessageContaining("'many'");
    }

    @Test
    void the_report_gives_bridge_over_file_growth_over_the_smallest_stage_and_the_ring_s_conflict_rate() {
        final List<LevelResult> results = List.of(
                level("signing file", 16, 100, 400, Map.of()),
                level("signing bridge", 16, 96, 440, Map.of()),
                level("signing file", 64, 200, 900, Map.of()),
                level("signing bridge", 64, 150, 1200, Map.of()),
                level(NetworkBench.growthScenario(10, 0), 5, 50, 400, Map.of()),
                level(NetworkBench.growthScenario(1000, 0), 5, 47, 430, Map.of()),
                level(NetworkBench.growthScenario(1000, 100_000), 5, 40, 500, Map.of()),
                level(NetworkBench.CONTENTION, 64, 90, 2000, Map.of(FailureReason.MVCC_CONFLICT, 9L)));

        final NetworkBenchReport report = new NetworkBenchReport(results, Map.of("date", "test",
                "setUp", Map.of("contentionSetUpSeconds", 11.94)));

        assertThat(report.signingRatios()).extracting(NetworkBenchReport.SigningRatio::throughputRatio)
                .containsExactly(0.96, 0.75);
        assertThat(report.growth()).extracting(NetworkBenchReport.GrowthStage::meters).containsExactly(10, 1000, 1000);
        assertThat(report.growth()).extracting(NetworkBenchReport.GrowthStage::settledTransfers)
                .containsExactly(0L, 0L, 100_000L);
        assertThat(report.growth().get(2).throughputRatio()).isEqualTo(0.8);
        assertThat(report.growth().get(2).p99Ratio()).isEqualTo(1.25);
        assertThat(verdict(report, "bridge signing", "signing bridge", 16).met()).isTrue();
        assertThat(verdict(report, "bridge signing", "signing bridge", 64).met()).isFalse();
        assertThat(verdict(report, "tx/s within 10 %", NetworkBench.growthScenario(1000, 0), 5).met()).isTrue();
        assertThat(verdict(report, "p99 within 10 %", NetworkBench.growthScenario(1000, 0), 5).met()).isTrue();
        assertThat(verdict(report, "tx/s within 10 %", NetworkBench.growthScenario(1000, 100_000), 5).met()).isFalse();
        // 9 conflicts beside 900 commits (90 tx/s over the 10 s window): 0.99 %, just under the target.
        final Verdict mvcc = verdict(report, "MVCC conflicts", NetworkBench.CONTENTION, 64);
        assertThat(mvcc.target()).contains("64 meters in a ring");
        assertThat(mvcc.value()).isCloseTo(9 / 909.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(mvcc.met()).isTrue();
        assertThat(report.markdown()).contains("## Signing end to end", "| 16 | 100.0 | 96.0 | 0.96 |",
                "## Cost as the ledger grows: the pull transfer at 5 in flight",
                "| 1000 | 100000 | 40.0 | 0.80 | 500 | 1.25 |", "## Contention: 64 meters in a ring",
                "MVCC conflicts 9 (0.99 %", "whole pull transfer p50 2000 ms", "contentionSetUpSeconds 11.9;");
    }

    private static Verdict verdict(final NetworkBenchReport report, final String target, final String workload,
            final int concurrency) {
        return report.verdicts().stream().filter(v -> v.target().startsWith(target) && v.workload().equals(workload)
                && v.concurrency() == concurrency).findFirst().orElseThrow();
    }

    /** A 10 s window with {@code txPerSecond} committed and the given failures. */
    private static LevelResult level(final String scenario, final int concurrency, final double txPerSecond,
            final double p99, final Map<FailureReason, Long> failures) {
        final long committed = Math.round(txPerSecond * 10);
        return new LevelResult(scenario, concurrency, 10, committed, 0, committed, failures, txPerSecond, 0, p99 / 2,
                p99 * 0.9, p99, Map.of(), Map.of(), p99, p99, p99, Map.of(), Map.of());
    }
}
