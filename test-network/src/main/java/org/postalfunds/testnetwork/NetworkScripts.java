package org.postalfunds.testnetwork;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs the network scripts of {@code test-network/} from Java, each with a time limit, their output passed on
 * to this JVM's standard error line by line (never to its standard output, which a test runner may own).
 */
public final class NetworkScripts {
    /** Limits per script: a cold start builds nothing (install-fabric.sh runs before), so minutes are ample. */
    public static final Duration UP_LIMIT = Duration.ofMinutes(4);
    public static final Duration DEPLOY_LIMIT = Duration.ofMinutes(6);
    public static final Duration DOWN_LIMIT = Duration.ofMinutes(1);
    /** The system property that names another chaincode jar for a test run (a path, relative to the project root). */
    public static final String CHAINCODE_JAR_PROPERTY = "postal.chaincode.jar";

    private final Path projectRoot;
    /** Variables every script of this instance runs with (e.g. another state folder and port offset). */
    private final java.util.Map<String, String> environment;

    public NetworkScripts(final Path projectRoot) {
        this(projectRoot, java.util.Map.of());
    }

    private NetworkScripts(final Path projectRoot, final java.util.Map<String, String> environment) {
        this.projectRoot = projectRoot;
        this.environment = java.util.Map.copyOf(environment);
    }

    /**
     * The same scripts for another network: every script runs with these variables too (POSTAL_NETWORK_STATE,
     * POSTAL_PORT_OFFSET, POSTAL_ORDERERS), and {@link #state()} follows POSTAL_NETWORK_STATE among them.
     */
    public NetworkScripts withEnvironment(final java.util.Map<String, String> variables) {
        final java.util.Map<String, String> merged = new java.util.HashMap<>(environment);
        merged.putAll(variables);
        return new NetworkScripts(projectRoot, merged);
    }

    /** The project's root: the nearest folder upwards from the working directory with network/consortium.json. */
    public static NetworkScripts forThisProject() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("network/consortium.json"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no network/consortium.json above " + Path.of("").toAbsolutePath());
        }
        return new NetworkScripts(dir);
    }

    public Path projectRoot() {
        return projectRoot;
    }

    /** Where the scripts keep the network's state; POSTAL_NETWORK_STATE moves it, as it does for the scripts. */
    public Path state() {
        final String moved = environment.getOrDefault("POSTAL_NETWORK_STATE", System.getenv("POSTAL_NETWORK_STATE"));
        return moved == null || moved.isBlank() ? projectRoot.resolve(".network") : Path.of(moved);
    }

    public Path networkJson() {
        return state().resolve("network.json");
    }

    /**
     * The chaincode jar a test run deploys: the production chaincode ({@code chaincode/target/chaincode.jar}) unless
     * the run names another with {@value #CHAINCODE_JAR_PROPERTY} (the benchmark module names chaincode-bench's).
     */
    public Path chaincodeJar() {
        return requestedChaincodeJar().orElse(projectRoot.resolve("chaincode/target/chaincode.jar"));
    }

    /** The jar {@value #CHAINCODE_JAR_PROPERTY} names, if the run names one. */
    public Optional<Path> requestedChaincodeJar() {
        final String named = System.getProperty(CHAINCODE_JAR_PROPERTY, "");
        return named.isBlank() ? Optional.empty() : Optional.of(projectRoot.resolve(named));
    }

    /** What a script did: its exit code and its output (standard output and error, interleaved). */
    public record Outcome(int exitCode, String output) {
    }

    /** Runs test-network/NAME with ARGS; returns its exit code. */
    public int run(final String name, final Duration limit, final String... args) {
        return run(name, limit, java.util.Map.of(), args).exitCode();
    }

    /** Runs test-network/NAME with extra environment variables; returns its exit code and output. */
    public Outcome run(final String name, final Duration limit, final java.util.Map<String, String> environment,
            final String... args) {
        final StringBuffer output = new StringBuffer();
        final List<String> command = new ArrayList<>(List.of("bash", projectRoot.resolve("test-network").resolve(name).toString()));
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command).directory(projectRoot.toFile()).redirectErrorStream(true);
        builder.environment().putAll(this.environment);
        builder.environment().putAll(environment);
        try {
            final Process process = builder.start();
            final Thread pump = new Thread(() -> pump(process, name, output), "network-" + name);
            pump.setDaemon(true);
            pump.start();
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IllegalStateException("test-network/" + name + " did not finish within " + limit);
            }
            pump.join(TimeUnit.SECONDS.toMillis(5));
            return new Outcome(process.exitValue(), output.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run test-network/" + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while test-network/" + name + " ran", e);
        }
    }

    /** Runs a script and fails when it does. */
    public void require(final String name, final Duration limit, final String... args) {
        final int status = run(name, limit, args);
        if (status != 0) {
            throw new IllegalStateException("test-network/" + name + " failed with exit code " + status
                    + " (its output is above; the processes' logs are in " + state().resolve("logs") + ")");
        }
    }

    private static void pump(final Process process, final String name, final StringBuffer output) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                System.err.println("[" + name + "] " + line);
                output.append(line).append('\n');
            }
        } catch (IOException e) {
            System.err.println("[" + name + "] output lost: " + e.getMessage());
        }
    }
}
