package org.postalfunds.hsm.dev;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.postalfunds.hsm.crypto.Pem;
import org.postalfunds.hsm.crypto.PublicKeys;
import org.postalfunds.hsm.enrol.FabricCaClient;
import org.postalfunds.hsm.enrol.FabricCaException;
import org.postalfunds.hsm.enrol.FabricCaRegistrar;

/**
 * A real {@code fabric-ca-server} for tests and the demo, never for production: its own home folder, TLS on
 * 127.0.0.1 at a free port (server certificate for 127.0.0.1 and localhost, issued by the CA itself), its
 * operations port elsewhere, and a bootstrap admin with a random password that exists only in this process.
 * The first start initialises the home; a later start on the same home keeps the CA key. Stopped by
 * {@link #close()}.
 */
public final class LocalFabricCa implements AutoCloseable {
    public static final String BOOTSTRAP_ADMIN = "admin";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Process process;
    private final Path home;
    private final URI url;
    private final String adminPassword;

    private LocalFabricCa(final Process process, final Path home, final URI url, final String adminPassword) {
        this.process = process;
        this.home = home;
        this.url = url;
        this.adminPassword = adminPassword;
    }

    /**
     * Starts a Fabric CA for the organisation in {@code home} (created if missing) and waits until it listens.
     *
     * @param caCommonName the CN of the CA's root certificate, e.g. {@code ca.MailerA}
     */
    public static LocalFabricCa start(final Path home, final String caCommonName) throws IOException {
        Files.createDirectories(home);
        final Path server = FabricBinaries.fabricCaServer();
        final int port = freePort();
        final int operationsPort = freePort();
        final byte[] passwordBytes = new byte[16];
        RANDOM.nextBytes(passwordBytes);
        final String password = HexFormat.of().formatHex(passwordBytes);
        final Path log = home.resolve("fabric-ca-server.log");
        final ProcessBuilder builder = new ProcessBuilder(server.toString(), "start", "--home", home.toString(),
                "--address", "127.0.0.1", "--port", Integer.toString(port), "--tls.enabled",
                "--csr.hosts", "127.0.0.1,localhost", "--csr.cn", caCommonName)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // The bootstrap secret goes by environment (Fabric CA reads FABRIC_CA_SERVER_<FLAG>), not the command line.
        builder.environment().put("FABRIC_CA_SERVER_BOOT", BOOTSTRAP_ADMIN + ":" + password);
        // Off the default 9443, which other local servers (a peer's operations) may hold.
        builder.environment().put("FABRIC_CA_SERVER_OPERATIONS_LISTENADDRESS", "127.0.0.1:" + operationsPort);
        final Process process = builder.start();
        final LocalFabricCa ca = new LocalFabricCa(process, home, URI.create("https://127.0.0.1:" + port), password);
        try {
            ca.awaitListening(log, port);
        } catch (IOException | RuntimeException e) {
            ca.close();
            throw e;
        }
        return ca;
    }

    private void awaitListening(final Path log, final int port) throws IOException {
        final String ready = "Listening on https://127.0.0.1:" + port;
        final Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            final String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            if (text.contains(ready)) {
                return;
            }
            if (!process.isAlive()) {
                throw new IOException("fabric-ca-server stopped (exit " + process.exitValue() + "): " + tail(text));
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while fabric-ca-server started", e);
            }
        }
        throw new IOException("fabric-ca-server did not listen within " + START_TIMEOUT.toSeconds() + " s: "
                + tail(Files.readString(log, StandardCharsets.UTF_8)));
    }

    public URI url() {
        return url;
    }

    public Path home() {
        return home;
    }

    /** The CA's root certificate, which also issued its TLS server certificate: the one TLS trust anchor. */
    public Path caCertificateFile() {
        return home.resolve("ca-cert.pem");
    }

    public X509Certificate caCertificate() throws IOException, GeneralSecurityException {
        return Pem.readCertificates(caCertificateFile()).get(0);
    }

    public String bootstrapAdminPassword() {
        return adminPassword;
    }

    /** A client of this CA trusting its root for TLS. */
    public FabricCaClient client() throws IOException, GeneralSecurityException {
        return FabricCaClient.newBuilder().url(url).tlsRootCertificates(caCertificateFile()).build();
    }

    /**
     * Enrols the bootstrap admin with a fresh software key (in memory only) and returns it as a registrar.
     * A real organisation's admin enrols once, with {@code fabric-ca-client enroll}, and keeps its key file.
     */
    public FabricCaRegistrar enrolBootstrapAdmin() throws IOException, GeneralSecurityException, FabricCaException {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec(PublicKeys.CURVE));
        return enrol(generator.generateKeyPair());
    }

    private FabricCaRegistrar enrol(final KeyPair pair) throws IOException, GeneralSecurityException, FabricCaException {
        final byte[] csr;
        try {
            csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + BOOTSTRAP_ADMIN), pair.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())).getEncoded();
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("making the admin's CSR failed", e);
        }
        final X509Certificate certificate = client().enroll(BOOTSTRAP_ADMIN, adminPassword,
                Pem.encode("CERTIFICATE REQUEST", csr));
        return FabricCaRegistrar.of(certificate, pair.getPrivate());
    }

    /**
     * The same, keeping the admin's certificate and key (owner-only) in files, as {@code fabric-ca-client enroll}
     * leaves them in {@code msp/signcerts} and {@code msp/keystore}.
     */
    public FabricCaRegistrar enrolBootstrapAdmin(final Path certificateFile, final Path privateKeyFile)
            throws IOException, GeneralSecurityException, FabricCaException {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec(PublicKeys.CURVE));
        final KeyPair pair = generator.generateKeyPair();
        final FabricCaRegistrar registrar = enrol(pair);
        Pem.writeCertificates(certificateFile, List.of(registrar.certificate()));
        Pem.writePrivateKey(privateKeyFile, pair.getPrivate());
        return registrar;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String tail(final String text) {
        final List<String> lines = text.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
    }
}
