package org.postalfunds.client.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.postalfunds.testnetwork.NetworkScripts;

/**
 * The network's own processes, found by their pid files in the state folder ({@code pids/<name>.pid}), killed with
 * SIGKILL and brought back by the network scripts ({@code up.sh} restarts a missing CA, orderer or peer;
 * {@code deploy.sh} a missing chaincode service). A pid is killed only if that process's command line or
 * environment names this network's state folder (peers and orderers: their environment; the chaincode service: its
 * jar under the state folder), so nothing else on the machine is ever touched.
 */
public final class Components {
    public static final List<String> PEERS = List.of("peer0-DataCenter", "peer0-MailerA", "peer0-MailerB",
            "peer0-PostalAuthority");

    private final NetworkScripts scripts;
    /** How often a restart script had to run again. */
    public volatile int restartRetries;

    public Components(final NetworkScripts scripts) {
        this.scripts = scripts;
    }

    /** The network's description (network.json), for a client process. */
    public Path networkJson() {
        return scripts.networkJson();
    }

    public Path pidFile(final String name) {
        return scripts.state().resolve("pids").resolve(name + ".pid");
    }

    /** SIGKILLs the component and waits until it is gone; returns its pid. */
    public long kill(final String name) throws Exception {
        final long pid = Long.parseLong(Files.readString(pidFile(name)).trim());
        final ProcessHandle process = ProcessHandle.of(pid).orElseThrow(() ->
                new IllegalStateException(name + " (pid " + pid + ") is not running"));
        final String state = scripts.state().toAbsolutePath().toString();
        final String command = read(Path.of("/proc", Long.toString(pid), "cmdline"));
        final String environment = read(Path.of("/proc", Long.toString(pid), "environ"));
        if (!command.contains(state) && !environment.contains(state)) {
            throw new IllegalStateException("pid " + pid + " of " + pidFile(name) + " does not belong to the network in "
                    + state + " (" + command.trim() + "): not killed");
        }
        process.destroyForcibly();
        process.onExit().get(10, TimeUnit.SECONDS);
        return pid;
    }

    /** How a component came back: the time it took, and whether its channel had to be recovered (an orderer). */
    public record Restart(Duration took, boolean recoveredFromTornWal) {
    }

    /**
     * Brings the component back with the idempotent scripts. An orderer that cannot start because its Raft data of the
     * channel is unreadable (a SIGKILL tore its write-ahead log; Fabric 3.1.5 panics while loading the channel) is
     * recovered with {@code recover-orderer.sh}: the channel removed from it and joined again, replicated from the other
     * two members. That is an operator's intervention, and the restart says so.
     */
    public Restart restart(final String name) {
        final long started = System.nanoTime();
        final boolean orderer = name.startsWith("orderer");
        // up.sh can lose a race with a restarted orderer: it asks osnadmin to join the channel before the orderer's
        // admin endpoint listens ("orderer1 could not join channel postal ... connection refused") and exits 1. It is
        // idempotent, so running it again (at most 3 times, 3 s apart) finishes the job.
        for (int attempt = 1; ; attempt++) {
            final int status = name.equals("chaincode")
                    ? scripts.run("deploy.sh", NetworkScripts.DEPLOY_LIMIT, scripts.chaincodeJar().toString())
                    : scripts.run("up.sh", NetworkScripts.UP_LIMIT);
            if (status == 0) {
                return new Restart(Duration.ofNanos(System.nanoTime() - started), false);
            }
            if (orderer && channelUnreadable(name)) {
                if (scripts.run("recover-orderer.sh", RECOVER_LIMIT, name) != 0) {
                    throw new IllegalStateException("recovering " + name + " from its unreadable Raft data failed (logs in "
                            + scripts.state() + "/logs)");
                }
                return new Restart(Duration.ofNanos(System.nanoTime() - started), true);
            }
            if (attempt == 3) {
                throw new IllegalStateException("restarting " + name + " failed 3 times (logs in " + scripts.state() + "/logs)");
            }
            restartRetries++;
            try {
                Thread.sleep(3_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** up.sh's start, the join, and the wait until the node's height reaches the others'. */
    static final Duration RECOVER_LIMIT = Duration.ofMinutes(8);

    /** The orderer's log since its last start says it could not load the channel's Raft data (WAL or snapshot). */
    boolean channelUnreadable(final String orderer) {
        final String log = read(scripts.state().resolve("logs").resolve(orderer + ".log"));
        final String sinceStart = log.substring(Math.max(0, log.lastIndexOf("Orderer config values")));
        return sinceStart.contains("failed to restore persisted raft data");
    }

    /** status.sh's verdict: every process running and healthy. */
    public boolean healthy() {
        return scripts.run("status.sh", NetworkScripts.DOWN_LIMIT) == 0;
    }

    private static String read(final Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }
}
