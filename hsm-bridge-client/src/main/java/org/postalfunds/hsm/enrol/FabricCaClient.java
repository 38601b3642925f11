package org.postalfunds.hsm.enrol;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.postalfunds.hsm.crypto.Pem;

/**
 * A client of an organisation's Fabric CA (1.5) over its REST API: enrolment with a CSR made elsewhere (for a
 * meter: signed inside its PKCS#11 token), registration of new identities by a registrar, and the CA's
 * chain. HTTPS only, trusting nothing but the CA's TLS certificates it is given. Immutable and thread-safe.
 *
 * <pre>{@code
 * FabricCaClient ca = FabricCaClient.newBuilder()
 *         .url(URI.create("https://ca.mailera.example:7054"))
 *         .tlsRootCertificates(Path.of("tls/ca-mailera.pem"))
 *         .build();
 * String secret = ca.register(registrar, "meter-A1", null, "client");
 * X509Certificate certificate = ca.enroll("meter-A1", secret, csrPem);
 * }</pre>
 */
public interface FabricCaClient {
    /** Default time allowed for connecting and for each request. */
    Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** Longest answer read from the CA; a certificate chain is a few KiB. */
    int MAX_RESPONSE_BYTES = 1 << 20;

    static Builder newBuilder() {
        return new FabricCaClientImpl.BuilderImpl();
    }

    /**
     * {@code POST /api/v1/enroll} with basic authentication: the CA issues a certificate for the CSR's key.
     * The CSR's CN must be the enrollment id (Fabric CA refuses anything else); the CA decides the OUs (the
     * identity's type, e.g. {@code client}, and its affiliation).
     *
     * @param csrPem a PKCS#10 request in PEM ({@code CERTIFICATE REQUEST})
     * @return the issued certificate, checked to carry exactly the CSR's public key
     * @throws FabricCaException when the CA refuses (e.g. code 20 for a wrong secret) or cannot be reached
     */
    default X509Certificate enroll(String enrollmentId, String secret, String csrPem) throws FabricCaException {
        return enroll(enrollmentId, secret, csrPem, null);
    }

    /** The same with a signing profile of the CA (e.g. {@code tls}); {@code null} for the default. */
    X509Certificate enroll(String enrollmentId, String secret, String csrPem, String profile) throws FabricCaException;

    /**
     * {@code POST /api/v1/register}, authorised by a token signed with the registrar's key.
     *
     * @param name the new identity's enrollment id (for a meter: its meter id)
     * @param secret the enrollment secret to set, or {@code null} to let the CA choose one
     * @param type the identity type, which becomes the OU of its certificates (meters: {@code client})
     * @return the enrollment secret the CA registered
     * @throws FabricCaException when the CA refuses (e.g. code 74 when the name is already registered)
     */
    String register(FabricCaRegistrar registrar, String name, String secret, String type,
            FabricCaAttribute... attributes) throws FabricCaException;

    /** {@code GET /api/v1/cainfo}: the CA's certificate chain, its root last. */
    List<X509Certificate> caChain() throws FabricCaException;

    /** The CA's base URL. */
    URI url();

    interface Builder {
        /** The CA's base URL, {@code https://host:port}. */
        Builder url(URI url);

        /** The certificates that may vouch for the CA's TLS server certificate; nothing else is trusted. */
        Builder tlsRootCertificates(List<X509Certificate> certificates);

        /** Reads the trusted TLS certificates from a PEM file (e.g. the CA's {@code ca-cert.pem} or {@code tls-cert.pem}). */
        default Builder tlsRootCertificates(Path pemFile) throws IOException, CertificateException {
            return tlsRootCertificates(Pem.readCertificates(pemFile));
        }

        /** The name of the CA inside a server that runs several ({@code caname}); default the server's default CA. */
        Builder caName(String caName);

        /** Connection and request timeout (default {@link FabricCaClient#DEFAULT_TIMEOUT}). */
        Builder timeout(Duration timeout);

        FabricCaClient build();
    }
}
