package org.postalfunds.testnetwork;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The network scripts' own behaviour on the real binaries: the bad cases each give a message naming the cause,
 * and up twice, down twice, down without up are clean. Runs before any other module's tests start the network.
 */
class NetworkScriptsTest {
    private static final NetworkScripts SCRIPTS = NetworkScripts.forThisProject();
    private static final Duration LIMIT = Duration.ofMinutes(4);

    @BeforeAll
    static void noNetworkOfOurOwnRunning() {
        assumeFalse(SCRIPTS.run("status.sh", LIMIT, Map.of()).exitCode() != 3,
                "a network already runs in " + SCRIPTS.state() + "; these tests need the ports free (run test-network/down.sh)");
    }

    @Test
    void down_without_up_is_clean(@TempDir final Path state) {
        final NetworkScripts.Outcome down = SCRIPTS.run("down.sh", LIMIT, Map.of("POSTAL_NETWORK_STATE", state.resolve("none").toString()));

        assertThat(down.exitCode()).isZero();
        assertThat(down.output()).contains("nothing to stop");
    }

    @Test
    void a_busy_port_is_named_and_nothing_starts(@TempDir final Path state) throws IOException {
        final int port = 7064 + Integer.parseInt(System.getenv().getOrDefault("POSTAL_PORT_OFFSET", "0"));
        try (ServerSocket squatter = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            final NetworkScripts.Outcome up = SCRIPTS.run("up.sh", LIMIT, Map.of("POSTAL_NETWORK_STATE", state.toString()));

            assertThat(up.exitCode()).isNotZero();
            assertThat(up.output()).contains("port 127.0.0.1:" + port + " (Fabric CA of DataCenter) is busy");
            assertThat(state.resolve("pids")).satisfiesAnyOf(
                    pids -> assertThat(pids).doesNotExist(), pids -> assertThat(pids).isEmptyDirectory());
        }
    }

    @Test
    void missing_binaries_are_named(@TempDir final Path empty) {
        final NetworkScripts.Outcome up = SCRIPTS.run("up.sh", LIMIT, Map.of(
                "POSTAL_NETWORK_STATE", empty.resolve("state").toString(), "POSTAL_FABRIC_HOME", empty.toString()));

        assertThat(up.exitCode()).isNotZero();
        assertThat(up.output()).contains("no peer binary in " + empty + "/bin");
    }

    @Test
    void deploy_without_a_network_says_so(@TempDir final Path state) {
        final NetworkScripts.Outcome deploy = SCRIPTS.run("deploy.sh", LIMIT, Map.of("POSTAL_NETWORK_STATE", state.toString()),
                SCRIPTS.projectRoot().resolve("pom.xml").toString());

        assertThat(deploy.exitCode()).isNotZero();
        assertThat(deploy.output()).contains("no network in " + state + ": run test-network/up.sh first");
    }

    @Test
    void up_twice_and_down_twice_are_clean(@TempDir final Path state) throws IOException {
        final Map<String, String> env = Map.of("POSTAL_NETWORK_STATE", state.toString());
        try {
            final NetworkScripts.Outcome first = SCRIPTS.run("up.sh", LIMIT, env);
            assertThat(first.exitCode()).as(first.output()).isZero();
            final String pids = pids(state);

            final NetworkScripts.Outcome second = SCRIPTS.run("up.sh", LIMIT, env);
            assertThat(second.exitCode()).as(second.output()).isZero();
            assertThat(second.output()).contains("already running").doesNotContain("identities enrolled");
            assertThat(pids(state)).as("the second up starts nothing").isEqualTo(pids);
            assertThat(SCRIPTS.run("status.sh", LIMIT, env).exitCode()).isZero();
        } finally {
            final NetworkScripts.Outcome down = SCRIPTS.run("down.sh", LIMIT, env);
            assertThat(down.exitCode()).as(down.output()).isZero();
        }
        assertThat(state).doesNotExist();
        final NetworkScripts.Outcome again = SCRIPTS.run("down.sh", LIMIT, env);
        assertThat(again.exitCode()).isZero();
        assertThat(again.output()).contains("nothing to stop");
    }

    private static String pids(final Path state) throws IOException {
        final StringBuilder all = new StringBuilder();
        try (var files = Files.list(state.resolve("pids")).sorted()) {
            for (Path f : (Iterable<Path>) files::iterator) {
                all.append(f.getFileName()).append('=').append(Files.readString(f).trim()).append('\n');
            }
        }
        return all.toString();
    }
}
