package org.postalfunds.hsm.testing;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import org.postalfunds.hsm.crypto.Pem;
import org.postalfunds.hsm.enrol.OrgCertificateAuthority;

/**
 * TLS material made at test time: a DataCenter CA that issues the bridge's server certificate and the
 * callers' client certificates. Nothing is read from the repository.
 */
public final class TestPki {
    private final OrgCertificateAuthority dataCenter;
    /** A second trusted CA, driven by hand, for certificates the org CA would never issue (no CN, ...). */
    private final KeyPair oddCaKeys;
    private final X509Certificate oddCaCertificate;
    private final Path directory;

    public TestPki(final Path directory) throws GeneralSecurityException, IOException {
        this.dataCenter = OrgCertificateAuthority.create("DataCenter");
        this.oddCaKeys = OrgCertificateAuthority.newP256KeyPair();
        final X500Name oddCaName = new X500Name("O=Odd Test CA,CN=odd-ca");
        this.oddCaCertificate = sign(new JcaX509v3CertificateBuilder(oddCaName, BigInteger.ONE,
                Date.from(Instant.now().minusSeconds(60)), Date.from(Instant.now().plus(Duration.ofDays(1))), oddCaName,
                oddCaKeys.getPublic()).addExtension(Extension.basicConstraints, true, new BasicConstraints(true)));
        this.directory = directory;
    }

    /**
     * A client certificate with any subject, from the second trusted CA (e.g. one without a CN, which no
     * org CA issues).
     */
    public ClientCredentials oddClient(final String subject) throws GeneralSecurityException, IOException {
        final KeyPair pair = OrgCertificateAuthority.newP256KeyPair();
        final X509Certificate certificate = sign(new JcaX509v3CertificateBuilder(oddCaCertificate,
                BigInteger.valueOf(System.nanoTime()), Date.from(Instant.now().minusSeconds(60)),
                Date.from(Instant.now().plus(Duration.ofDays(1))), new X500Name(subject), pair.getPublic())
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth)));
        return new ClientCredentials(certificate, pair.getPrivate());
    }

    private X509Certificate sign(final X509v3CertificateBuilder builder) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(oddCaKeys.getPrivate())));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    public OrgCertificateAuthority dataCenter() {
        return dataCenter;
    }

    public X509Certificate caCertificate() {
        return dataCenter.certificate();
    }

    /** Writes the CA certificate and a server certificate for localhost/127.0.0.1 with its key. */
    public ServerFiles writeServerFiles() throws GeneralSecurityException, IOException {
        final KeyPair pair = OrgCertificateAuthority.newP256KeyPair();
        final X509Certificate certificate = dataCenter.issueTlsServerCertificate("psd-bridge",
                List.of("localhost", "127.0.0.1"), pair.getPublic());
        final ServerFiles files = new ServerFiles(directory.resolve("ca.pem"), directory.resolve("bridge.pem"),
                directory.resolve("bridge-key.pem"));
        Pem.writeCertificates(files.caFile(), List.of(dataCenter.certificate(), oddCaCertificate));
        Pem.writeCertificates(files.certificateFile(), List.of(certificate));
        Pem.writePrivateKey(files.privateKeyFile(), pair.getPrivate());
        return files;
    }

    /** A client certificate issued by the DataCenter CA with the given CN and OU. */
    public ClientCredentials client(final String commonName, final String organizationalUnit)
            throws GeneralSecurityException {
        return client(dataCenter, commonName, organizationalUnit);
    }

    public static ClientCredentials client(final OrgCertificateAuthority issuer, final String commonName,
            final String organizationalUnit) throws GeneralSecurityException {
        final KeyPair pair = OrgCertificateAuthority.newP256KeyPair();
        return new ClientCredentials(issuer.issueTlsClientCertificate(commonName, organizationalUnit, pair.getPublic()),
                pair.getPrivate());
    }

    public record ServerFiles(Path caFile, Path certificateFile, Path privateKeyFile) {
    }

    public record ClientCredentials(X509Certificate certificate, PrivateKey privateKey) {
    }
}
