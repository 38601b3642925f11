package org.postalfunds.client.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.postalfunds.client.Money;
import org.postalfunds.client.indicium.DataMatrixCodec;
import org.postalfunds.client.indicium.Indicium;
import org.postalfunds.formats.IndiciumEncoding;
import org.postalfunds.hsm.MeterSubject;
import org.postalfunds.hsm.client.BridgeException;
import org.postalfunds.hsm.client.BridgeStats;
import org.postalfunds.hsm.client.PsdBridgeClient;
import org.postalfunds.hsm.crypto.Pem;
import org.postalfunds.hsm.enrol.EnrolledMeter;
import org.postalfunds.hsm.enrol.MeterEnrolment;
import org.postalfunds.hsm.dev.DevTlsAuthority;
import org.postalfunds.hsm.dev.LocalFabricCa;
import org.postalfunds.hsm.enrol.FabricCaClient;
import org.postalfunds.hsm.enrol.FabricCaIssuer;
import org.postalfunds.hsm.enrol.FabricCaRegistrar;

/**
 * The README demo's Java half (demo.sh runs it around a real HSM bridge process and a real SoftHSM2 token).
 *
 * <p>{@code prepare WORK}: the bridge's TLS material (a development TLS CA per organisation: the bridge's server
 * certificate, the operator's and the meters' TLS client certificates) and the bridge configuration.
 * {@code run WORK HOST:PORT OUT}: the PSD story — a real Fabric CA per meter owner (fabric-ca-server, started
 * here), meters registered there and enrolled with keys made in the token and CSRs signed in the token, an
 * indicium signed by a PSD through the bridge,
 * printed as a Data Matrix, read back and verified, a tampered copy caught, a meter refused another
 * meter's key, and the bridge's own counters.
 */
public final class PsdDemo {
    /** The demo's meters: id, owner organisation, owner MSP. */
    private record DemoMeter(String meterId, String organization, String mspId) {
    }

    private static final List<DemoMeter> METERS = List.of(
            new DemoMeter("METER-A1", "MailerA", "MailerAMSP"),
            new DemoMeter("METER-A2", "MailerA", "MailerAMSP"),
            new DemoMeter("METER-B1", "MailerB", "MailerBMSP"));
    private static final String OPERATOR = "datacenter-operator";

    private final PrintStream out;

    private PsdDemo(final PrintStream out) {
        this.out = out;
    }

    public static void main(final String[] args) throws Exception {
        // The story is the output; the libraries' progress lines would only interleave with it.
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        for (var handler : java.util.logging.Logger.getLogger("").getHandlers()) {
            handler.setLevel(java.util.logging.Level.WARNING);
        }
        PsdDemo demo = new PsdDemo(System.out);
        if (args.length == 2 && args[0].equals("prepare")) {
            demo.prepare(Path.of(args[1]));
        } else if (args.length == 4 && args[0].equals("run")) {
            demo.run(Path.of(args[1]), args[2], Path.of(args[3]));
        } else {
            System.err.println("usage: PsdDemo prepare WORK | run WORK HOST:PORT OUTPUT_DIR");
            System.exit(2);
        }
    }

    private void prepare(final Path work) throws IOException, GeneralSecurityException {
        Path tls = Files.createDirectories(work.resolve("tls"));
        DevTlsAuthority dataCenter = tlsCa(work, "DataCenter");
        List<X509Certificate> clientCas = new ArrayList<>(List.of(dataCenter.certificate()));
        for (DemoMeter meter : METERS) {
            DevTlsAuthority owner = tlsCa(work, meter.organization());
            if (!clientCas.contains(owner.certificate())) {
                clientCas.add(owner.certificate());
            }
            // The meter client's TLS key is the client program's, not the PSD key: that one is made in the token.
            KeyPair tlsKey = DevTlsAuthority.newP256KeyPair();
            write(tls, meter.meterId(), owner.issueTlsClientCertificate(meter.meterId(), MeterSubject.CLIENT_UNIT, tlsKey.getPublic()), tlsKey);
        }
        KeyPair operatorKey = DevTlsAuthority.newP256KeyPair();
        write(tls, OPERATOR, dataCenter.issueTlsClientCertificate(OPERATOR, "operator", operatorKey.getPublic()), operatorKey);
        KeyPair bridgeKey = DevTlsAuthority.newP256KeyPair();
        write(tls, "bridge", dataCenter.issueTlsServerCertificate("psd-bridge", List.of("127.0.0.1", "localhost"),
                bridgeKey.getPublic()), bridgeKey);
        Pem.writeCertificates(tls.resolve("client-cas.pem"), clientCas);
        Pem.writeCertificates(tls.resolve("bridge-ca.pem"), List.of(dataCenter.certificate()));
        Files.writeString(work.resolve("bridge.properties"), String.join("\n",
                "bridge.host = 127.0.0.1",
                "bridge.port = 0",
                "tls.certificateFile = tls/bridge.pem",
                "tls.privateKeyFile = tls/bridge-key.pem",
                "tls.clientCaFile = tls/client-cas.pem",
                "token.label = postal-demo",
                "token.pinFile = token.pin",
                // Only the DataCenter's CA may vouch for operators: another org's CA could also write OU=operator.
                "access.operatorIssuers = " + dataCenter.certificate().getSubjectX500Principal().getName(),
                "audit.file = audit.log",
                ""));
        out.println("  TLS CAs of the bridge's callers: DataCenter, MailerA, MailerB (keys generated now, in " + work + ")");
        out.println("  TLS: bridge server certificate, operator and meter client certificates");
    }

    private void run(final Path work, final String endpoint, final Path output) throws Exception {
        Files.createDirectories(output);
        String host = endpoint.substring(0, endpoint.lastIndexOf(':'));
        int port = Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));

        step("1. The data center's operator connects to the PSD bridge over mutual TLS");
        try (PsdBridgeClient operator = client(work, host, port, OPERATOR)) {
            var health = operator.health();
            out.printf("  bridge serving=%s token=%s meter keys=%d, sees the caller as: %s%n",
                    health.serving(), health.tokenLabel(), health.meterKeyCount(), health.callerSubject() + " (" + health.callerRole() + ")");

            step("2. Enrolment: each owner's Fabric CA registers its meters; a P-256 key made inside the token per meter, "
                    + "a CSR signed in the token, the certificate from the owner's Fabric CA");
            List<LocalFabricCa> fabricCas = new ArrayList<>();
            try {
                java.util.Map<String, FabricCaRegistrar> registrars = new java.util.HashMap<>();
                java.util.Map<String, FabricCaClient> clients = new java.util.HashMap<>();
                for (DemoMeter meter : METERS) {
                    if (!clients.containsKey(meter.organization())) {
                        LocalFabricCa fabricCa = LocalFabricCa.start(work.resolve("fabric-ca").resolve(meter.organization()),
                                "ca." + meter.organization());
                        fabricCas.add(fabricCa);
                        clients.put(meter.organization(), fabricCa.client());
                        registrars.put(meter.organization(), fabricCa.enrolBootstrapAdmin());
                        out.printf("  fabric-ca-server of %s at %s, root %s%n", meter.organization(), fabricCa.url(),
                                fabricCa.caCertificate().getSubjectX500Principal().getName());
                    }
                }
                for (DemoMeter meter : METERS) {
                    FabricCaClient ownerCa = clients.get(meter.organization());
                    String secret = ownerCa.register(registrars.get(meter.organization()), meter.meterId(), null, "client");
                    EnrolledMeter enrolled = new MeterEnrolment(operator, new FabricCaIssuer(ownerCa, meter.meterId(), secret),
                            meter.mspId()).enrol(MeterSubject.client(meter.meterId(), meter.organization()));
                    X509Certificate certificate = enrolled.certificate();
                    out.printf("  %-9s %-11s %s  key %s…%n", meter.meterId(), meter.mspId(),
                            certificate.getSubjectX500Principal().getName(), fingerprint(certificate).substring(0, 16));
                }
            } finally {
                fabricCas.forEach(LocalFabricCa::close);
            }
            out.println("  (the private keys exist only in the token: non-extractable, never on disk, never on the wire)");

            DemoMeter printer = METERS.get(0);
            step("3. " + printer.meterId() + " prints postage: the indicium is signed by its PSD, through the bridge");
            Path indiciumJson = output.resolve("indicium-" + printer.meterId() + "-1.json");
            Path indiciumPng = output.resolve("indicium-" + printer.meterId() + "-1.png");
            X509Certificate printerCertificate;
            try (PsdBridgeClient meterClient = client(work, host, port, printer.meterId())) {
                printerCertificate = meterClient.publicKey(printer.meterId()).certificate();
                IndiciumEncoding.Fields fields = new IndiciumEncoding.Fields(printer.meterId(), 1, 73,
                        LocalDate.now(ZoneOffset.UTC), "06926", "US", "FIRST_CLASS_LETTER");
                Indicium indicium = Indicium.sign(fields, meterClient.signer(printer.meterId()));
                Files.writeString(indiciumJson, indicium.toJson());
                Files.write(indiciumPng, DataMatrixCodec.encodePng(indicium.toJson()));
                out.printf("  postage %s, piece 1, mailed %s to %s %s; signature %s…%n", Money.CENTS.format(73),
                        fields.mailingDate(), fields.destinationCountryCode(), fields.destinationPostalCode(),
                        indicium.signature().substring(0, 24));
                out.println("  wrote " + indiciumJson + " and the Data Matrix " + indiciumPng);
            }

            step("4. An auditor scans the Data Matrix and verifies the PSD signature against the meter's certificate");
            Indicium scanned = Indicium.parse(DataMatrixCodec.decodePng(Files.readAllBytes(indiciumPng)));
            out.println("  scanned and decoded: " + verdict(scanned, printerCertificate));
            String tamperedJson = scanned.toJson().replace("\"amountMinorUnits\":73", "\"amountMinorUnits\":7300");
            if (tamperedJson.equals(scanned.toJson())) {
                throw new IllegalStateException("the demo's tampering found nothing to change");
            }
            out.println("  the same indicium with the amount changed to " + Money.CENTS.format(7300) + ": "
                    + verdict(Indicium.parse(tamperedJson), printerCertificate));

            DemoMeter other = METERS.get(2);
            step("5. The gatekeeper: " + other.meterId() + "'s client asks for " + printer.meterId() + "'s key");
            try (PsdBridgeClient intruder = client(work, host, port, other.meterId())) {
                intruder.signDigest(printer.meterId(), MessageDigest.getInstance("SHA-256").digest(
                        "pay me".getBytes(StandardCharsets.US_ASCII)));
                throw new IllegalStateException("the bridge let a meter use another meter's key");
            } catch (BridgeException e) {
                out.println("  refused: " + e.code() + " — " + e.getMessage());
            }

            step("6. The bridge's counters (operator only) and its audit trail");
            BridgeStats stats = operator.stats();
            for (BridgeStats.Counter counter : stats.counters()) {
                out.printf("  %-20s %-18s %d%n", counter.method(), counter.outcome(), counter.count());
            }
            List<String> audit = Files.readAllLines(work.resolve("audit.log"));
            audit.subList(Math.max(0, audit.size() - 3), audit.size()).forEach(line -> out.println("  " + line));
        }
    }

    private String verdict(final Indicium indicium, final X509Certificate meterCertificate) {
        return indicium.signedBy(meterCertificate.getPublicKey()) ? "GENUINE (signature verifies with " + indicium.meterId() + "'s PSD key)"
                : "FORGED (signature does not verify)";
    }

    private void step(final String title) {
        out.println();
        out.println("== " + title);
    }

    private static PsdBridgeClient client(final Path work, final String host, final int port, final String name)
            throws IOException, GeneralSecurityException {
        Path tls = work.resolve("tls");
        return PsdBridgeClient.newBuilder()
                .target(host, port)
                .trustedCertificates(tls.resolve("bridge-ca.pem"))
                .clientCertificate(tls.resolve(name + ".pem"), tls.resolve(name + "-key.pem"))
                .build();
    }

    /** The bridge's TLS only; the meters' ledger identities come from the Fabric CAs in {@link #run}. */
    private static DevTlsAuthority tlsCa(final Path work, final String organization)
            throws IOException, GeneralSecurityException {
        return DevTlsAuthority.loadOrCreate(work.resolve("tls-ca").resolve(organization), organization);
    }

    private static void write(final Path directory, final String name, final X509Certificate certificate, final KeyPair key)
            throws IOException {
        Pem.writeCertificates(directory.resolve(name + ".pem"), List.of(certificate));
        Pem.writePrivateKey(directory.resolve(name + "-key.pem"), key.getPrivate());
    }

    private static String fingerprint(final X509Certificate certificate) throws GeneralSecurityException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getPublicKey().getEncoded()));
    }
}
