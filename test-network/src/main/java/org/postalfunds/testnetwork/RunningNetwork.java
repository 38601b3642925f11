package org.postalfunds.testnetwork;

import java.nio.file.Files;

/**
 * The network of one test run. Started here when nothing runs yet, and then torn down at the end of the run
 * (unless {@code -Dpostal.network.keep=true} or {@code POSTAL_NETWORK_KEEP=true} asks to keep it, as
 * {@code ./test.sh} does so that every module's tests share one network and the script tears it down once).
 * A network found running and healthy is reused and left running; only a run that names its own chaincode jar
 * ({@value NetworkScripts#CHAINCODE_JAR_PROPERTY}) deploys that jar on it.
 */
final class RunningNetwork implements ProvidedNetwork {
    private final NetworkScripts scripts;
    private final NetworkDescription description;
    private final boolean startedHere;

    private RunningNetwork(final NetworkScripts scripts, final NetworkDescription description, final boolean startedHere) {
        this.scripts = scripts;
        this.description = description;
        this.startedHere = startedHere;
    }

    static RunningNetwork startOrReuse(final NetworkScripts scripts) {
        if (Files.isRegularFile(scripts.networkJson()) && scripts.run("status.sh", NetworkScripts.DOWN_LIMIT) == 0) {
            final NetworkDescription running = NetworkDescription.read(scripts.networkJson());
            if (running.chaincode().isPresent()) {
                System.err.println("[postal-network] using the network already running in " + running.state());
                return new RunningNetwork(scripts, deployRequested(scripts, running), false);
            }
        }
        requireJar(scripts);
        final long started = System.nanoTime();
        try {
            scripts.require("up.sh", NetworkScripts.UP_LIMIT);
            scripts.require("deploy.sh", NetworkScripts.DEPLOY_LIMIT, scripts.chaincodeJar().toString());
        } catch (RuntimeException e) {
            scripts.run("down.sh", NetworkScripts.DOWN_LIMIT, "--keep-logs", scripts.projectRoot().resolve("target/network-logs").toString());
            throw e;
        }
        System.err.printf("[postal-network] network up and chaincode deployed in %.1f s%n", (System.nanoTime() - started) / 1e9);
        return new RunningNetwork(scripts, NetworkDescription.read(scripts.networkJson()), true);
    }

    /**
     * A run that names its own chaincode jar (the benchmark's) gets it on a network it reuses too: deploy.sh installs it
     * as the next sequence of the same chaincode, or does nothing when that jar is already the one deployed.
     */
    private static NetworkDescription deployRequested(final NetworkScripts scripts, final NetworkDescription running) {
        if (scripts.requestedChaincodeJar().isEmpty()) {
            return running;
        }
        requireJar(scripts);
        scripts.require("deploy.sh", NetworkScripts.DEPLOY_LIMIT, scripts.chaincodeJar().toString());
        return NetworkDescription.read(scripts.networkJson());
    }

    private static void requireJar(final NetworkScripts scripts) {
        if (!Files.isRegularFile(scripts.chaincodeJar())) {
            throw new IllegalStateException("no chaincode jar at " + scripts.chaincodeJar() + ": build it first (mvn -pl "
                    + scripts.projectRoot().relativize(scripts.chaincodeJar()).getName(0) + " -am package -DskipTests)");
        }
    }

    @Override
    public NetworkDescription description() {
        return description;
    }

    static boolean keepRequested() {
        return Boolean.getBoolean("postal.network.keep") || "true".equalsIgnoreCase(System.getenv("POSTAL_NETWORK_KEEP"));
    }

    @Override
    public void close() {
        if (startedHere && !keepRequested()) {
            scripts.require("down.sh", NetworkScripts.DOWN_LIMIT);
        }
    }
}
