package org.postalfunds.hsm.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLException;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import org.postalfunds.hsm.client.PsdBridgeClient;
import org.postalfunds.hsm.pkcs11.TokenException;
import org.postalfunds.hsm.server.BridgeConfig;
import org.postalfunds.hsm.server.PsdBridgeServer;

/**
 * A bridge running in this JVM on 127.0.0.1 (free port) over a fresh SoftHSM2 token, with real TLS material
 * made at test time, and helpers to connect as an operator or as a meter's client.
 */
public final class BridgeFixture implements AutoCloseable {
    public static final String OPERATOR_CN = "dc-operator";

    private final SoftHsmToken token;
    private final TestPki pki;
    private final TestPki.ServerFiles serverFiles;
    private final Map<String, String> extraSettings;
    private PsdBridgeServer server;

    private BridgeFixture(final SoftHsmToken token, final TestPki pki, final TestPki.ServerFiles serverFiles,
            final Map<String, String> extraSettings) {
        this.token = token;
        this.pki = pki;
        this.serverFiles = serverFiles;
        this.extraSettings = Map.copyOf(extraSettings);
    }

    public static BridgeFixture start(final String purpose) throws Exception {
        return start(purpose, Map.of());
    }

    /** @param extraSettings configuration keys added to (or replacing) the fixture's defaults */
    public static BridgeFixture start(final String purpose, final Map<String, String> extraSettings) throws Exception {
        final SoftHsmToken token = SoftHsmToken.create(purpose);
        try {
            final TestPki pki = new TestPki(token.directory());
            final BridgeFixture fixture = new BridgeFixture(token, pki, pki.writeServerFiles(), extraSettings);
            fixture.startServer();
            return fixture;
        } catch (Exception e) {
            token.close();
            throw e;
        }
    }

    /** The settings a deployment would write into bridge.properties. */
    public Map<String, String> settings() {
        final Map<String, String> settings = new HashMap<>();
        settings.put("bridge.host", "127.0.0.1");
        settings.put("bridge.port", "0");
        settings.put("tls.certificateFile", serverFiles.certificateFile().toString());
        settings.put("tls.privateKeyFile", serverFiles.privateKeyFile().toString());
        settings.put("tls.clientCaFile", serverFiles.caFile().toString());
        settings.put("token.library", SoftHsmToken.library().toString());
        settings.put("token.label", token.label());
        settings.put("token.pinFile", token.pinFile().toString());
        settings.put("access.operatorCommonNames", OPERATOR_CN);
        settings.put("audit.file", auditFile().toString());
        settings.putAll(extraSettings);
        return settings;
    }

    public BridgeConfig config() {
        return BridgeConfig.fromValues(settings(), token.directory(), Map.of());
    }

    /** Writes the settings as a properties file (for a bridge in another JVM). */
    public Path writeConfigFile(final Map<String, String> overrides) throws IOException {
        final Map<String, String> settings = settings();
        settings.putAll(overrides);
        final StringBuilder text = new StringBuilder("# written by BridgeFixture\n");
        settings.forEach((key, value) -> text.append(key).append(" = ").append(value.replace("\\", "\\\\")).append('\n'));
        final Path file = token.directory().resolve("bridge.properties");
        Files.writeString(file, text);
        return file;
    }

    public void startServer() throws TokenException, IOException {
        server = PsdBridgeServer.start(config());
    }

    public void stopServer() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    public PsdBridgeServer server() {
        return server;
    }

    public int port() {
        return server.port();
    }

    public SoftHsmToken token() {
        return token;
    }

    public TestPki pki() {
        return pki;
    }

    public Path caFile() {
        return serverFiles.caFile();
    }

    public Path auditFile() {
        return token.directory().resolve("audit").resolve("psd-bridge-audit.log");
    }

    public List<String> auditLines() throws IOException {
        return Files.exists(auditFile()) ? Files.readAllLines(auditFile()) : List.of();
    }

    /** A client with an operator certificate (OU=operator). */
    public PsdBridgeClient operator() throws GeneralSecurityException {
        return clientAs(pki.client(OPERATOR_CN, "operator"));
    }

    /** A client with the meter's own client certificate (OU=client, CN=meter id). */
    public PsdBridgeClient meter(final String meterId) throws GeneralSecurityException {
        return clientAs(pki.client(meterId, "client"));
    }

    public PsdBridgeClient clientAs(final TestPki.ClientCredentials credentials) {
        return builderFor(credentials).build();
    }

    /** A client builder aimed at this bridge with the given certificate, for options of the test's own. */
    public PsdBridgeClient.Builder builderFor(final TestPki.ClientCredentials credentials) {
        return PsdBridgeClient.newBuilder()
                .target("127.0.0.1", port())
                .trustedCertificates(List.of(pki.caCertificate()))
                .clientCertificate(credentials.certificate(), credentials.privateKey());
    }

    /**
     * A bare gRPC channel to the bridge (for the generated stubs and the health service), presenting the
     * given client certificate, or none when null.
     */
    public ManagedChannel channel(final TestPki.ClientCredentials credentials) throws SSLException {
        final SslContextBuilder ssl = GrpcSslContexts.forClient().trustManager(pki.caCertificate());
        if (credentials != null) {
            ssl.keyManager(credentials.privateKey(), credentials.certificate());
        }
        return NettyChannelBuilder.forAddress("127.0.0.1", port()).sslContext(ssl.build()).build();
    }

    /** Shuts a channel down and waits for it. */
    public static void shutdown(final ManagedChannel channel) throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws IOException {
        stopServer();
        token.close();
    }
}
