package org.postalfunds.client.faults;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.hyperledger.fabric.client.identity.Identities;
import org.postalfunds.hsm.client.PsdBridgeClient;
import org.postalfunds.hsm.server.BridgeMain;
import org.postalfunds.hsm.testing.BridgeFixture;
import org.postalfunds.hsm.testing.TestPki;

/**
 * The HSM bridge as operators run it, in a JVM of its own ({@code BridgeMain --config bridge.properties}) over a
 * SoftHSM2 token, on a fixed port so that its clients find it again after a restart: the crash harness SIGKILLs it and
 * starts it again. The token, the bridge's TLS authority and its settings come from hsm-bridge's {@link BridgeFixture}
 * (whose in-JVM server is stopped before the process starts). Its output goes to {@code bridge.log} in the token folder.
 */
final class BridgeProcess implements AutoCloseable {
    private static final Duration START_LIMIT = Duration.ofSeconds(90);

    private final BridgeFixture fixture;
    private final int port;
    private final Path config;
    private final Path log;
    private Process process;

    private BridgeProcess(final BridgeFixture fixture, final int port, final Path config) {
        this.fixture = fixture;
        this.port = port;
        this.config = config;
        this.log = fixture.token().directory().resolve("bridge.log");
    }

    static BridgeProcess start(final String purpose) throws Exception {
        final BridgeFixture fixture = BridgeFixture.start(purpose);
        fixture.stopServer();
        final int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        final BridgeProcess bridge = new BridgeProcess(fixture, port,
                fixture.writeConfigFile(Map.of("bridge.port", Integer.toString(port))));
        Runtime.getRuntime().addShutdownHook(new Thread(bridge::destroy, "bridge-process-cleanup"));
        bridge.launch();
        return bridge;
    }

    int port() {
        return port;
    }

    /** Starts the bridge's JVM and waits until it listens (its "listening" line in the log written since). */
    synchronized Duration launch() throws Exception {
        final long started = System.nanoTime();
        final long mark = Files.exists(log) ? Files.size(log) : 0;
        final List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports", "jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED", "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), BridgeMain.class.getName(), "--config", config.toString()));
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        final String listening = "psd-bridge listening on 127.0.0.1:" + port;
        while (true) {
            final String since = since(mark);
            if (since.contains(listening)) {
                return Duration.ofNanos(System.nanoTime() - started);
            }
            if (!process.isAlive() || System.nanoTime() - started > START_LIMIT.toNanos()) {
                throw new IllegalStateException("the bridge did not start (exit " + (process.isAlive() ? "-" : process.exitValue())
                        + "); its output:\n" + since);
            }
            Thread.sleep(100);
        }
    }

    /** SIGKILL: the bridge's process ends at once, with whatever it was signing; returns its pid. */
    synchronized long kill() throws Exception {
        final long pid = process.pid();
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the bridge (pid " + pid + ") did not die on SIGKILL");
        }
        return pid;
    }

    /** A client of the bridge with the meter's own TLS client certificate (CN = meter id, OU = client). */
    PsdBridgeClient meter(final String meterId) throws Exception {
        return clientAs(fixture.pki().client(meterId, "client"));
    }

    /** A client with the operator's certificate, for creating meter keys and enrolling them. */
    PsdBridgeClient operator() throws Exception {
        return clientAs(fixture.pki().client(BridgeFixture.OPERATOR_CN, "operator"));
    }

    /**
     * What a client process needs to reach the bridge as {@code meterId}: the bridge's CA, and the meter's client
     * certificate and key, written as PEM files beside the token (owner-only folder of the test).
     */
    Access access(final String meterId) throws Exception {
        final TestPki.ClientCredentials credentials = fixture.pki().client(meterId, "client");
        final Path folder = Files.createDirectories(fixture.token().directory().resolve("clients"));
        final Path certificate = Files.writeString(folder.resolve(meterId + ".pem"),
                Identities.toPemString(credentials.certificate()), StandardCharsets.US_ASCII);
        final Path key = Files.writeString(folder.resolve(meterId + "-key.pem"),
                Identities.toPemString(credentials.privateKey()), StandardCharsets.US_ASCII);
        return new Access(port, fixture.caFile(), certificate, key);
    }

    /** How a client reaches the bridge: port on 127.0.0.1, the bridge's CA, the client's certificate and key. */
    record Access(int port, Path caFile, Path clientCertificate, Path clientKey) {
        PsdBridgeClient connect() throws Exception {
            return PsdBridgeClient.newBuilder().target("127.0.0.1", port).trustedCertificates(caFile)
                    .clientCertificate(clientCertificate, clientKey).callTimeout(Duration.ofSeconds(5)).build();
        }
    }

    private PsdBridgeClient clientAs(final TestPki.ClientCredentials credentials) {
        return PsdBridgeClient.newBuilder().target("127.0.0.1", port).trustedCertificates(List.of(fixture.pki().caCertificate()))
                .clientCertificate(credentials.certificate(), credentials.privateKey()).callTimeout(Duration.ofSeconds(5))
                .build();
    }

    private String since(final long mark) throws IOException {
        if (!Files.exists(log)) {
            return "";
        }
        final byte[] all = Files.readAllBytes(log);
        return new String(all, (int) Math.min(mark, all.length), (int) Math.max(0, all.length - mark), StandardCharsets.UTF_8);
    }

    private synchronized void destroy() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                process.waitFor(15, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() throws IOException {
        destroy();
        fixture.close();
    }
}
