package org.postalfunds.client.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.postalfunds.hsm.crypto.Pem;
import org.postalfunds.hsm.enrol.FabricCaClient;
import org.postalfunds.hsm.enrol.FabricCaException;
import org.postalfunds.hsm.enrol.FabricCaRegistrar;
import org.postalfunds.testnetwork.NetworkDescription;

/**
 * Client identities issued by each organisation's Fabric CA over its REST API (register by the CA's registrar, then
 * enroll a CSR made here), the key kept in memory. The same two requests {@code fabric-ca-client} sends, without
 * starting two processes per identity: enrolling a thousand meters takes seconds, not many minutes, and runs on
 * many threads at once. The benchmark's larger meter sets (growth, contention, bridge signing) are enrolled so.
 */
final class CaEnrolment {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** An identity the organisation's CA registered and issued a certificate for; {@code secret} enrols it again. */
    record Enrolled(String name, String organisation, String mspId, String secret, X509Certificate certificate,
            PrivateKey privateKey) {
    }

    private final NetworkDescription network;
    private final Map<String, FabricCaClient> clients = new ConcurrentHashMap<>();
    private final Map<String, FabricCaRegistrar> registrars = new ConcurrentHashMap<>();

    CaEnrolment(final NetworkDescription network) {
        this.network = network;
    }

    /** Registers {@code name} (type client: NodeOUs make it a client of the organisation) and enrols a new key. */
    Enrolled enrol(final String organisation, final String name) throws FabricCaException, GeneralSecurityException {
        final NetworkDescription.Organisation org = network.organisation(organisation);
        final String secret = register(organisation, name);
        final KeyPair key = newKey();
        final X509Certificate certificate = client(organisation).enroll(name, secret, csr(name, key));
        return new Enrolled(name, org.name(), org.mspId(), secret, certificate, key.getPrivate());
    }

    /** Registers {@code name} as a client of the organisation with a random secret, returned. */
    String register(final String organisation, final String name) throws FabricCaException {
        final String secret = HexFormat.of().formatHex(randomBytes());
        return client(organisation).register(registrar(organisation), name, secret, "client");
    }

    /** A TLS client certificate (the CA's {@code tls} profile) for a registered identity and a key made here. */
    X509Certificate enrolTls(final String organisation, final String name, final String secret, final KeyPair key)
            throws FabricCaException, GeneralSecurityException {
        return client(organisation).enroll(name, secret, csr(name, key), "tls");
    }

    FabricCaClient client(final String organisation) {
        return clients.computeIfAbsent(organisation, name -> {
            final NetworkDescription.CertificateAuthority ca = network.organisation(name).ca();
            try {
                return FabricCaClient.newBuilder().url(ca.url()).caName(ca.name())
                        .tlsRootCertificates(Pem.readCertificates(ca.tlsCertificate())).build();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (java.security.cert.CertificateException e) {
                throw new IllegalStateException("unreadable TLS certificate of " + name + "'s CA", e);
            }
        });
    }

    private FabricCaRegistrar registrar(final String organisation) {
        return registrars.computeIfAbsent(organisation, name -> {
            final Path home = network.organisation(name).ca().registrarHome().resolve("msp");
            try (Stream<Path> keys = Files.list(home.resolve("keystore"))) {
                final Path key = keys.filter(p -> p.getFileName().toString().endsWith("_sk")).findFirst()
                        .orElseThrow(() -> new IllegalStateException("no registrar key in " + home));
                return FabricCaRegistrar.fromPemFiles(home.resolve("signcerts/cert.pem"), key);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("unreadable registrar identity of " + name + "'s CA", e);
            }
        });
    }

    static KeyPair newKey() throws GeneralSecurityException {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    /** A PKCS#10 request, CN = the enrollment id (Fabric CA issues for nothing else), in PEM. */
    static String csr(final String name, final KeyPair key) throws GeneralSecurityException {
        try {
            final byte[] der = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + name), key.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())).getEncoded();
            return Pem.encode("CERTIFICATE REQUEST", der);
        } catch (OperatorCreationException | IOException e) {
            throw new GeneralSecurityException("cannot sign a CSR for " + name, e);
        }
    }

    private static byte[] randomBytes() {
        final byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
