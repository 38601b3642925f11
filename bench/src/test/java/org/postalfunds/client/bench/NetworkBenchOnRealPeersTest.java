package org.postalfunds.client.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postalfunds.client.bench.LoadDriver.LevelResult;
import org.postalfunds.testnetwork.NetworkDescription;
import org.postalfunds.testnetwork.PostalNetwork;

/**
 * The network benchmark's smoke run on the shared real network: the real-network consortium (meters enrolled at
 * their owners' Fabric CAs, registered, funded, each client through its own organisation's peer) and the entry point,
 * the baseline put and the refill at low concurrency for a few seconds, on the benchmark's chaincode (chaincode-bench:
 * the production contracts and the Baseline, deployed by @PostalNetwork because this module's surefire names its jar).
 * It checks that the harness works (figures, processes told apart by pid file, the nodes' metrics, the files), never
 * how fast anything is: {@code ./bench.sh} measures speed.
 */
@PostalNetwork
@Tag("network-bench")
class NetworkBenchOnRealPeersTest {
    private final NetworkDescription network;

    NetworkBenchOnRealPeersTest(final NetworkDescription network) {
        this.network = network;
    }

    @Test
    @Timeout(300)
    void a_few_seconds_of_baseline_puts_and_refills_through_the_entry_point_commit_and_fail_nothing() throws Exception {
        final Path out = Path.of("target", "bench-smoke");
        final NetworkBench.Options options = NetworkBench.Options.parse("--network",
                network.state().resolve("network.json").toString(), "--concurrency", "2", "--warm-up", "1", "--duration",
                "3", "--transactions", "0", "--workloads", "baseline put,refill", "--pairs", "6", "--out", out.toString(),
                "--name", "smoke");
        // More pairs than workers: each worker refills three donors in turn, so no refill reads a meter its worker's
        // previous refill wrote a moment ago (another org's endorser could still be a block behind: a mismatch).
        final ByteArrayOutputStream log = new ByteArrayOutputStream();

        final NetworkBenchReport report = NetworkBench.run(options, new PrintStream(log, true, StandardCharsets.UTF_8));

        assertThat(report.results()).extracting(LevelResult::scenario).containsExactly("baseline put", "refill");
        final LevelResult put = report.results().get(0);
        final LevelResult refill = report.results().get(1);
        // The Baseline contract answers on this chaincode: the ratio's denominator is measured, not missing.
        assertThat(put.committed()).as(log.toString(StandardCharsets.UTF_8)).isPositive();
        assertThat(put.failures()).as("baseline failures by reason").isEmpty();
        assertThat(put.steps()).containsOnlyKeys(BaselineFunction.WRITE.functionName());
        assertThat(refill.committed()).as(log.toString(StandardCharsets.UTF_8)).isPositive();
        assertThat(refill.committedPerSecond()).isPositive();
        assertThat(refill.failures()).as("failures by reason").isEmpty();
        assertThat(refill.steps()).containsOnlyKeys("refillMeter");
        // Processes told apart by the network's pid files, both peers named, not guessed from command lines.
        assertThat(refill.processes()).containsKeys("peer0-DataCenter", "peer0-MailerA", "orderer1", "chaincode", "driver");
        assertThat(refill.processes().get("peer0-DataCenter").pid())
                .isNotEqualTo(refill.processes().get("peer0-MailerA").pid());
        // The nodes' own metrics: the data center's peer endorsed the refills.
        assertThat(refill.network()).containsKeys("peer0-DataCenter", "orderer1");
        assertThat(Files.readString(out.resolve("smoke.md"))).contains("| baseline put | 2 |", "| refill | 2 |");
        assertThat(Files.size(out.resolve("smoke.json"))).isPositive();
        assertThat(Files.size(out.resolve("smoke-throughput.png"))).isPositive();
    }
}
