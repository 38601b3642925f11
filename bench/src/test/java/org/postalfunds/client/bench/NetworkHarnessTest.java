package org.postalfunds.client.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The network benchmark's parts that need no network: pid files, the metrics parser, the command line. */
class NetworkHarnessTest {
    @Test
    void processes_are_told_apart_by_the_network_pid_files_not_by_command_line(@TempDir final Path pids) throws Exception {
        final long self = ProcessHandle.current().pid();
        // Two peers run the same command line; their pid files name them.
        Files.writeString(pids.resolve("peer0-MailerA.pid"), self + "\n");
        Files.writeString(pids.resolve("peer0-MailerB.pid"), Long.toString(self));
        Files.writeString(pids.resolve("ca-MailerA.pid"), Long.toString(self));
        Files.writeString(pids.resolve("orderer1.pid"), "99999999"); // no such process: left out
        Files.writeString(pids.resolve("chaincode.pid"), "not a pid");
        Files.writeString(pids.resolve("notes.txt"), "ignored");

        final ProcessSampler sampler = ProcessSampler.byPidFiles(pids, Map.of("driver", self));

        assertThat(sampler.pids()).containsExactly(Map.entry("peer0-MailerA", self), Map.entry("peer0-MailerB", self),
                Map.entry("driver", self), Map.entry("ca-MailerA", self));
    }

    @Test
    void every_window_also_reports_the_whole_machine_busy_iowait_and_steal() throws Exception {
        final ProcessSampler sampler = new ProcessSampler(Map.of("driver", ProcessHandle.current().pid()));
        final ProcessSampler.Sampling window = sampler.start();
        // Half a second of one busy core in this process: the machine counts it too.
        final long until = System.nanoTime() + 500_000_000L;
        long spin = 0;
        while (System.nanoTime() < until) {
            spin++;
        }
        final Map<String, ProcessSampler.Usage> usage = window.stop();

        assertThat(spin).isPositive();
        assertThat(usage).containsKeys("driver", ProcessSampler.MACHINE_BUSY, ProcessSampler.MACHINE_IOWAIT,
                ProcessSampler.MACHINE_STEAL);
        final ProcessSampler.Usage busy = usage.get(ProcessSampler.MACHINE_BUSY);
        final double cores = 100.0 * Runtime.getRuntime().availableProcessors();
        assertThat(busy.machine()).isTrue();
        assertThat(usage.get("driver").machine()).isFalse();
        // The machine's ticks (10 ms) against the process's nanoseconds: equal within a few ticks of the window.
        assertThat(busy.cpuPercentOfOneCore()).isBetween(usage.get("driver").cpuPercentOfOneCore() - 10, cores + 10);
        assertThat(busy.maxRssMegabytes()).isPositive();
        assertThat(usage.get(ProcessSampler.MACHINE_STEAL).cpuPercentOfOneCore()).isBetween(0.0, cores + 10);
        assertThat(usage.get(ProcessSampler.MACHINE_IOWAIT).cpuPercentOfOneCore()).isBetween(0.0, cores + 10);
    }

    @Test
    void histograms_are_summed_over_label_sets_and_other_series_ignored() {
        final String exposition = String.join("\n",
                "# HELP endorser_proposal_duration The time to complete a proposal.",
                "# TYPE endorser_proposal_duration histogram",
                "endorser_proposal_duration_bucket{channel=\"postal\",chaincode=\"postal-ledger\",success=\"true\",le=\"0.005\"} 3",
                "endorser_proposal_duration_sum{channel=\"postal\",chaincode=\"postal-ledger\",success=\"true\"} 0.5",
                "endorser_proposal_duration_count{channel=\"postal\",chaincode=\"postal-ledger\",success=\"true\"} 10",
                "endorser_proposal_duration_sum{channel=\"postal\",chaincode=\"postal-ledger\",success=\"false\"} 0.25",
                "endorser_proposal_duration_count{channel=\"postal\",chaincode=\"postal-ledger\",success=\"false\"} 5",
                "blockcutter_block_fill_duration_sum 2.5",
                "blockcutter_block_fill_duration_count 10",
                "go_gc_duration_seconds_sum 1.0",
                "");

        final Map<String, double[]> parsed = NetworkMetrics.parse(exposition);

        assertThat(parsed).containsOnlyKeys("endorser_proposal_duration", "blockcutter_block_fill_duration");
        assertThat(parsed.get("endorser_proposal_duration")).containsExactly(0.75, 15.0);
        assertThat(parsed.get("blockcutter_block_fill_duration")).containsExactly(2.5, 10.0);
    }

    @Test
    void the_command_line_has_defaults_a_quick_mode_and_refuses_what_it_does_not_know() {
        final NetworkBench.Options defaults = NetworkBench.Options.parse();
        assertThat(defaults.concurrency()).containsExactly(16, 64);
        assertThat(defaults.window()).isEqualTo(Duration.ofSeconds(60));
        assertThat(defaults.transactions()).isEqualTo(5_000);
        assertThat(defaults.pairs()).isEqualTo(64);
        assertThat(defaults.distributorRecipients()).isEqualTo(100);
        assertThat(defaults.workloads()).isEqualTo(NetworkBench.WORKLOADS);

        final NetworkBench.Options quick = NetworkBench.Options.parse("--quick", "--concurrency", "16,64,200",
                "--workloads", "baseline put,refill");
        assertThat(quick.window()).isEqualTo(Duration.ofSeconds(5));
        assertThat(quick.transactions()).isZero();
        assertThat(quick.pairs()).isEqualTo(200);
        assertThat(quick.workloads()).isEqualTo(List.of("baseline put", "refill"));

        assertThatThrownBy(() -> NetworkBench.Options.parse("--workloads", "teleport"))
                .hasMessageContaining("unknown workload");
        assertThatThrownBy(() -> NetworkBench.Options.parse("--speed", "9")).hasMessageContaining("--speed");
        assertThatThrownBy(() -> NetworkBench.Options.parse("--concurrency", "0"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
