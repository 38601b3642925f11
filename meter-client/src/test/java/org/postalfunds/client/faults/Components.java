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

    /** Brings the component back with the idempotent scripts; returns how long it took. */
    public Duration restart(final String name) {
        final long started = System.nanoTime();
        // up.sh can lose a race with a restarted orderer: it asks osnadmin to join the channel before the orderer's
        // admin endpoint listens ("orderer1 could not join channel postal ... connection refused") and exits 1. It is
        // idempotent, so running it again (at most 3 times, 3 s apart) finishes the job.
        for (int attempt = 1; ; attempt++) {
            final int status = name.equals("chaincode")
                    ? scripts.run("deploy.sh", NetworkScripts.DEPLOY_LIMIT, scripts.chaincodeJar().toString())
                    : scripts.run("up.sh", NetworkScripts.UP_LIMIT);
            if (status == 0) {
                return Duration.ofNanos(System.nanoTime() - started);
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
