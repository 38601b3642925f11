package org.postalfunds.hsm.enrol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import org.postalfunds.hsm.crypto.EcdsaSignatures;
import org.postalfunds.hsm.crypto.Pem;
import org.postalfunds.hsm.crypto.PublicKeys;

/**
 * An identity of the organisation's Fabric CA that may register others (its CA admin): the certificate the
 * CA issued to it and its private key. It signs Fabric CA's authorization token; the key never leaves
 * this object.
 *
 * <p>The token is the one Fabric CA 1.5's own client sends ({@code util.GenECDSAToken} in
 * {@code util/util.go}, called through {@code lib/client/credential/x509/credential.go} with
 * {@code req.URL.RequestURI()}): {@code B64(certificate PEM) + "." + B64(signature)}, the signature being
 * ECDSA over SHA-256 of {@code METHOD + "." + B64(URI) + "." + B64(body) + "." + B64(certificate PEM)}, where URI is
 * the request's path and query only (e.g. {@code /api/v1/register}), B64 is standard base64 with padding, and
 * the signature is DER with S in the low half of the order (Fabric's BCCSP refuses a high S).
 */
public final class FabricCaRegistrar {
    private final X509Certificate certificate;
    private final String certificatePem;
    private final PrivateKey privateKey;

    private FabricCaRegistrar(final X509Certificate certificate, final PrivateKey privateKey) throws InvalidKeyException {
        this.certificate = Objects.requireNonNull(certificate, "certificate");
        this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
        PublicKeys.requireP256(certificate.getPublicKey());
        // "EC" from the JDK, "ECDSA" when Bouncy Castle read the key: the interface is what matters.
        if (!(privateKey instanceof java.security.interfaces.ECPrivateKey)) {
            throw new InvalidKeyException("a registrar's key must be a P-256 EC key, not " + privateKey.getAlgorithm());
        }
        this.certificatePem = Pem.encode(certificate);
        final byte[] probe = "registrar key check".getBytes(StandardCharsets.US_ASCII);
        try {
            final Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(privateKey);
            signer.update(probe);
            final byte[] signature = signer.sign();
            final Signature verifier = Signature.getInstance("SHA256withECDSA");
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            if (!verifier.verify(signature)) {
                throw new InvalidKeyException("the registrar's private key does not belong to its certificate "
                        + certificate.getSubjectX500Principal());
            }
        } catch (java.security.NoSuchAlgorithmException | java.security.SignatureException e) {
            throw new InvalidKeyException("cannot check the registrar's key: " + e.getMessage(), e);
        }
    }

    public static FabricCaRegistrar of(final X509Certificate certificate, final PrivateKey privateKey)
            throws InvalidKeyException {
        return new FabricCaRegistrar(certificate, privateKey);
    }

    /**
     * Reads the registrar's certificate (the first in the file) and its unencrypted private key, e.g. what
     * {@code fabric-ca-client enroll} wrote to {@code msp/signcerts/cert.pem} and {@code msp/keystore/*_sk}.
     */
    public static FabricCaRegistrar fromPemFiles(final Path certificateFile, final Path privateKeyFile)
            throws IOException, GeneralSecurityException {
        final List<X509Certificate> certificates = Pem.readCertificates(certificateFile);
        return new FabricCaRegistrar(certificates.get(0), Pem.readPrivateKey(privateKeyFile));
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /**
     * The value of the {@code Authorization} header for a request.
     *
     * @param method HTTP method, e.g. {@code POST}
     * @param requestUri the request's path and query as sent, e.g. {@code /api/v1/register}
     * @param body the exact body bytes sent
     */
    public String token(final String method, final String requestUri, final byte[] body) throws GeneralSecurityException {
        final Base64.Encoder base64 = Base64.getEncoder();
        final String b64Certificate = base64.encodeToString(certificatePem.getBytes(StandardCharsets.US_ASCII));
        final String payload = method + "." + base64.encodeToString(requestUri.getBytes(StandardCharsets.UTF_8))
                + "." + base64.encodeToString(body) + "." + b64Certificate;
        final Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(privateKey);
        signer.update(payload.getBytes(StandardCharsets.UTF_8));
        final byte[] signature = EcdsaSignatures.normaliseDer(signer.sign(), PublicKeys.p256().getOrder());
        return b64Certificate + "." + base64.encodeToString(signature);
    }

    @Override
    public String toString() {
        return "FabricCaRegistrar[" + certificate.getSubjectX500Principal() + "]";
    }

}
