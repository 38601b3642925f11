package org.postalfunds.client.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postalfunds.testnetwork.NetworkDescription;
import org.postalfunds.testnetwork.NetworkScripts;
import org.postalfunds.testnetwork.PostalNetwork;

/**
 * Crash recovery on the real network: {@code -Dfaults.runs=N} runs (default one cycle, 7 runs with one orderer: the
 * short mode; 100 or more is the long mode), each killing one component (round robin over the four peers, each orderer
 * (on a network started with {@code up.sh --orderers 3}: one Raft node of three at a time), the chaincode service and a client,
 * in a seeded random order per cycle; {@code -Dfaults.seed=S} replays the choices), restarting it with the network
 * scripts and resuming every client's journal; the table of runs, kills per component and outcomes is printed and
 * written to {@code target/faults/crash-table.txt}. Every run must pass its checks; the full conservation audit and
 * the chain verification run every 10 runs and at the end.
 */
@PostalNetwork
// Kills and restarts network processes: runs when asked (-Dfaults.runs=N, e.g. ./test.sh -Dfaults.runs=7), not in the
// default run, where one orderer restart on a loaded 2-core machine outlasted the clients' retries (see the README).
@org.junit.jupiter.api.condition.EnabledIfSystemProperty(named = "faults.runs", matches = "[0-9]+")
class CrashRecoveryOnRealPeersTest {
    private static LiveNetwork net;

    @BeforeAll
    static void start(final NetworkDescription network) {
        net = new LiveNetwork(network);
    }

    @AfterAll
    static void close() {
        net.close();
    }

    @Test
    void every_component_killed_at_random_points_loses_nothing_and_strands_nothing() throws Exception {
        // Short mode: one cycle, every component killed once (about 3-4 minutes on 2 shared cores).
        final int runs = Integer.getInteger("faults.runs", CrashHarness.components(net.network).size());
        final long seed = Long.getLong("faults.seed", System.nanoTime());
        final Path out = Path.of("target", "faults");
        Files.createDirectories(out);
        final Path journals = Files.createTempDirectory(out, "journals-");
        final CrashHarness harness = new CrashHarness(net, new Components(NetworkScripts.forThisProject()), journals, seed, 4);
        harness.setUp();
        System.out.println("[crash] seed " + seed + ", " + runs + " runs");
        System.out.println("[crash] " + CrashHarness.header());
        final Random order = new Random(seed);
        final List<String> cycle = CrashHarness.components(net.network);
        final long started = System.nanoTime();
        for (int run = 1; run <= runs; run++) {
            if ((run - 1) % cycle.size() == 0) {
                Collections.shuffle(cycle, order);
            }
            harness.run(run, cycle.get((run - 1) % cycle.size()));
            if (run % 10 == 0 || run == runs) {
                net.auditPasses();
                if (run == runs) {
                    net.chainVerifies();
                }
            }
        }
        final String table = harness.table() + String.format("%d runs in %.0f s, seed %d%n", runs,
                (System.nanoTime() - started) / 1e9, seed);
        System.out.println(table);
        Files.writeString(out.resolve("crash-table.txt"), table);
        assertThat(harness.rows()).allSatisfy(row -> assertThat(row.outcome()).as("run %d", row.run()).isEqualTo("PASS"));
    }
}
