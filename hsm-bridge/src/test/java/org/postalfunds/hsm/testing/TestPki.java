package org.postalfunds.hsm.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

import org.postalfunds.hsm.crypto.Pem;
import org.postalfunds.hsm.enrol.OrgCertificateAuthority;

/**
 * TLS material made at test time: a DataCenter CA that issues the bridge's server certificate and the
 * callers' client certificates. Nothing is read from the repository.
 */
public final class TestPki {
    private final OrgCertificateAuthority dataCenter;
    private final Path directory;

    public TestPki(final Path directory) throws GeneralSecurityException {
        this.dataCenter = OrgCertificateAuthority.create("DataCenter");
        this.directory = directory;
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
        Pem.writeCertificates(files.caFile(), List.of(dataCenter.certificate()));
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
