package org.postalfunds.client.network;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.hyperledger.fabric.client.identity.Identities;
import org.hyperledger.fabric.client.identity.Signers;
import org.hyperledger.fabric.client.identity.X509Identity;
import org.postalfunds.client.AuditorClient;
import org.postalfunds.client.cli.GatewayConnector;
import org.postalfunds.client.cli.PostalCli;
import org.postalfunds.client.ledger.LedgerConnection;
import org.postalfunds.hsm.crypto.Pem;
import org.postalfunds.hsm.testing.BridgeFixture;
import org.postalfunds.hsm.testing.TestPki;
import org.postalfunds.testnetwork.NetworkDescription;

/**
 * The {@code postal} command line run in this JVM against the real network (the production
 * {@link GatewayConnector}: peer gateways over TLS), with meters whose PSD keys sit in a real SoftHSM2 token behind a
 * real bridge in this JVM (mutual TLS). Meters are enrolled the way {@code demo.sh} enrols them: registered at the
 * owner's Fabric CA by its registrar ({@code postal ca register-meter}), key made and CSR signed in the token and the
 * certificate issued by that CA ({@code postal meter enrol}), registered on the ledger by the data center
 * ({@code postal datacenter register --certificate --key-agreement-certificate}, through the data center's admin profile).
 *
 * <p>The bridge's own TLS material (server certificate, operator and meter client certificates) comes from the dev TLS
 * authority of hsm-bridge's {@link BridgeFixture}: the bridge's TLS trust is separate from the ledger's identities
 * (what the peers verify is the meter certificate from the owner's Fabric CA and the token's signature), and the demo
 * already runs the bridge on certificates from the orgs' Fabric CAs.
 */
final class RealCli implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one command printed and returned. */
    record Run(int exitCode, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + this, e);
            }
        }

        Run ok() {
            assertThat(exitCode).as(toString()).isZero();
            return this;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    /** A meter enrolled in the token, registered on the ledger, with a profile signing through the bridge. */
    record Meter(String id, String organisation, String mspId, Path profile, Path certificate) {
    }

    final NetworkDescription network;
    final BridgeFixture bridge;
    final Path directory;
    final String run = UUID.randomUUID().toString().substring(0, 8);
    private final Path operatorBridge;
    private final List<LedgerConnection> connections = new ArrayList<>();
    private AuditorClient auditor;
    private LedgerConnection auditorLedger;

    RealCli(final NetworkDescription network, final String purpose) throws Exception {
        this.network = network;
        this.directory = Files.createTempDirectory("real-cli-" + purpose);
        this.bridge = BridgeFixture.start(purpose);
        this.operatorBridge = bridgeSettings("operator", BridgeFixture.OPERATOR_CN, "operator");
    }

    Run run(final String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = PostalCli.run(new GatewayConnector(), new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    /** {@code postal --profile PROFILE args...} */
    Run as(final Path profile, final String... args) {
        return run(Stream.concat(Stream.of("--profile", profile.toString()), Stream.of(args)).toArray(String[]::new));
    }

    Run as(final Meter meter, final String... args) {
        return as(meter.profile(), Stream.concat(Stream.of("meter"), Stream.of(args)).toArray(String[]::new));
    }

    Run dataCenter(final String... args) {
        return as(network.adminProfile("DataCenter"), Stream.concat(Stream.of("datacenter"), Stream.of(args))
                .toArray(String[]::new));
    }

    Run auditorCli(final String... args) {
        return as(network.adminProfile("PostalAuthority"), Stream.concat(Stream.of("auditor"), Stream.of(args))
                .toArray(String[]::new));
    }

    /** A fresh meter of {@code organisation}, enrolled through the CLI as in the demo, refilled when funds are given. */
    Meter meter(final String organisation, final String name, final String refill) throws Exception {
        final NetworkDescription.Organisation org = network.organisation(organisation);
        final NetworkDescription.CertificateAuthority ca = org.ca();
        final String id = name + "-" + run;
        final Path registrarKey;
        try (Stream<Path> keys = Files.list(ca.registrarHome().resolve("msp/keystore"))) {
            registrarKey = keys.filter(p -> p.getFileName().toString().endsWith("_sk")).findFirst().orElseThrow();
        }
        final String[] caOptions = {"--fabric-ca", ca.url().toString(), "--fabric-ca-tls", ca.tlsCertificate().toString(),
            "--ca-name", ca.name()};
        final Path secret = directory.resolve(id + ".secret");
        run(concat(new String[] {"ca", "register-meter", id, "--registrar-certificate",
            ca.registrarHome().resolve("msp/signcerts/cert.pem").toString(), "--registrar-key", registrarKey.toString(),
            "--secret-out", secret.toString()}, caOptions)).ok();
        final Path certificate = directory.resolve(id + ".pem");
        run(concat(new String[] {"meter", "enrol", id, "--bridge", operatorBridge.toString(), "--owner-org", org.name(),
            "--owner-msp", org.mspId(), "--enrollment-secret-file", secret.toString(), "--certificate-out",
            certificate.toString()}, caOptions)).ok();
        dataCenter("register", id, "--owner-msp", org.mspId(), "--max-balance", "1000.00", "--max-postage-per-piece",
                "20.00", "--max-transfer", "200.00", "--certificate", certificate.toString(),
                // Written by 'meter enrol' beside the certificate: the PSD's key-agreement key, what senders seal to.
                "--key-agreement-certificate", directory.resolve(id + "-key-agreement.pem").toString()).ok();
        if (refill != null) {
            dataCenter("refill", id, refill).ok();
        }
        return new Meter(id, org.name(), org.mspId(), meterProfile(org, id), certificate);
    }

    /** The organisation's admin profile without its key files, plus the meter and its bridge settings. */
    private Path meterProfile(final NetworkDescription.Organisation org, final String meterId) throws Exception {
        final ObjectNode profile = (ObjectNode) JSON.readTree(network.adminProfile(org.name()).toFile());
        resolvePaths(profile, network.adminProfile(org.name()).getParent());
        profile.remove("certificate");
        profile.remove("privateKey");
        profile.put("meterId", meterId);
        profile.set("hsmBridge", JSON.readTree(bridgeSettings(meterId, meterId, "client").toFile()));
        final Path file = directory.resolve(meterId + ".json");
        Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(profile), StandardCharsets.UTF_8);
        return file;
    }

    /** Relative paths of the admin profile are relative to its folder: make them absolute for a profile elsewhere. */
    private static void resolvePaths(final ObjectNode profile, final Path folder) {
        for (String field : List.of("tlsRootCertificate")) {
            if (profile.hasNonNull(field)) {
                profile.put(field, folder.resolve(profile.get(field).asText()).toAbsolutePath().toString());
            }
        }
    }

    /** An {@code hsmBridge} settings file with a client certificate {@code CN=cn, OU=ou} of the bridge's TLS CA. */
    private Path bridgeSettings(final String name, final String cn, final String ou) throws Exception {
        final Path folder = Files.createDirectories(directory.resolve("bridge-" + name));
        final TestPki.ClientCredentials client = bridge.pki().client(cn, ou);
        Pem.writeCertificates(folder.resolve("client.pem"), List.of(client.certificate()));
        Pem.writePrivateKey(folder.resolve("client-key.pem"), client.privateKey());
        final Path ca = folder.resolve("bridge-ca.pem");
        Files.copy(bridge.caFile(), ca);
        final ObjectNode settings = JSON.createObjectNode().put("host", "127.0.0.1").put("port", bridge.port())
                .put("serverName", "localhost").put("trustedCertificates", ca.toString())
                .put("clientCertificate", folder.resolve("client.pem").toString())
                .put("clientKey", folder.resolve("client-key.pem").toString());
        return Files.writeString(folder.resolve("bridge.json"), settings.toString());
    }

    /** The operator's HSM bridge settings file (OU=operator): what the data center's commands pass as --bridge. */
    Path operatorBridge() {
        return operatorBridge;
    }

    /** The postal authority's admin, through the postal authority's own peer: the reads that check every step. */
    synchronized AuditorClient auditor() throws IOException, GeneralSecurityException {
        if (auditor == null) {
            auditorLedger = adminConnection("PostalAuthority");
            auditor = AuditorClient.of(auditorLedger);
        }
        return auditor;
    }

    synchronized LedgerConnection auditorLedger() throws IOException, GeneralSecurityException {
        auditor();
        return auditorLedger;
    }

    /** A connection as the organisation's admin through its own peer. */
    synchronized LedgerConnection adminConnection(final String organisation) throws IOException, GeneralSecurityException {
        final NetworkDescription.Organisation org = network.organisation(organisation);
        final NetworkDescription.Peer peer = org.requirePeer();
        try (var certificate = Files.newBufferedReader(org.admin().certificate());
                var key = Files.newBufferedReader(org.admin().privateKey())) {
            final LedgerConnection connection = LedgerConnection.builder().peerEndpoint(peer.endpoint())
                    .serverName(peer.serverName()).tlsRootCertificate(org.tlsRootCertificate())
                    .channel(network.channel()).chaincode(network.chaincodeName())
                    .identity(new X509Identity(org.mspId(), Identities.readX509Certificate(certificate)))
                    .signer(Signers.newPrivateKeySigner(Identities.readPrivateKey(key))).connect();
            connections.add(connection);
            return connection;
        } catch (java.security.cert.CertificateException | java.security.InvalidKeyException e) {
            throw new GeneralSecurityException(e);
        }
    }

    /** Closed with this fixture. */
    synchronized LedgerConnection track(final LedgerConnection connection) {
        connections.add(connection);
        return connection;
    }

    Path file(final String name) {
        return directory.resolve(name);
    }

    private static String[] concat(final String[] first, final String[] second) {
        return Stream.concat(Stream.of(first), Stream.of(second)).toArray(String[]::new);
    }

    @Override
    public synchronized void close() throws IOException {
        connections.forEach(LedgerConnection::close);
        connections.clear();
        bridge.close();
    }
}
