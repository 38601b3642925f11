package org.postalfunds.client.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postalfunds.testnetwork.NetworkDescription;
import org.postalfunds.testnetwork.NetworkScripts;
import org.postalfunds.testnetwork.PostalNetwork;

/**
 * Crash recovery on the real network: {@code -Dfaults.runs=N} runs (default one cycle, every component killed once: the
 * short mode of the default test run; 100 or more is the long mode), each killing one component (round robin over the
 * four peers, each orderer, the chaincode service, the HSM bridge's process and a client process, in a seeded random
 * order per cycle; {@code -Dfaults.seed=S} replays the choices), restarting it and resuming every client's journal; the
 * table of runs, kills per component and outcomes is printed and written to {@code target/faults/crash-table.txt}. Every
 * run must pass its checks; the full conservation audit and the chain verification run every 10 runs and at the end.
 *
 * <p>{@code -Dfaults.orderers=3}: the runs go to a network of their own with three Raft orderers (one node of three
 * killed at a time), brought up with {@code up.sh --orderers 3} in {@code <state>-raft3} at port offset
 * {@code -Dfaults.raftOffset} (default 20000) and torn down after (kept with POSTAL_NETWORK_KEEP=true).
 */
@PostalNetwork
@Tag("softhsm")
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
        final long seed = Long.getLong("faults.seed", System.nanoTime());
        final Path out = Path.of("target", "faults");
        Files.createDirectories(out);
        final Path journals = Files.createTempDirectory(out, "journals-");
        NetworkScripts scripts = NetworkScripts.forThisProject();
        LiveNetwork live = net;
        final boolean raft3 = Integer.getInteger("faults.orderers", 1) == 3;
        if (raft3) {
            scripts = scripts.withEnvironment(Map.of("POSTAL_NETWORK_STATE", scripts.state() + "-raft3",
                    "POSTAL_PORT_OFFSET", Integer.toString(Integer.getInteger("faults.raftOffset", 20_000)),
                    "POSTAL_ORDERERS", "3"));
            scripts.require("up.sh", NetworkScripts.UP_LIMIT, "--orderers", "3");
            scripts.require("deploy.sh", NetworkScripts.DEPLOY_LIMIT, scripts.chaincodeJar().toString());
            live = new LiveNetwork(NetworkDescription.read(scripts.networkJson()));
            assertThat(live.network.orderers()).hasSize(3);
        }
        final BridgeProcess bridge = BridgeProcess.start("crash");
        try {
            // Short mode: one cycle, every component killed once (about 4-5 minutes on 2 shared cores).
            final int runs = Integer.getInteger("faults.runs", CrashHarness.components(live.network, true).size());
            run(live, runs, seed, out, new CrashHarness(live, new Components(scripts), bridge, journals, seed, 4, 2));
        } finally {
            bridge.close();
            if (raft3) {
                live.close();
                if (!Boolean.parseBoolean(System.getenv("POSTAL_NETWORK_KEEP"))) {
                    scripts.run("down.sh", NetworkScripts.DOWN_LIMIT);
                }
            }
        }
    }

    private static void run(final LiveNetwork net, final int runs, final long seed, final Path out,
            final CrashHarness harness) throws Exception {
        harness.setUp();
        System.out.println("[crash] seed " + seed + ", " + runs + " runs");
        System.out.println("[crash] " + CrashHarness.header());
        final Random order = new Random(seed);
        final List<String> cycle = CrashHarness.components(net.network, true);
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
