package org.postalfunds.api.format;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import javax.security.auth.x500.X500Principal;

/**
 * A meter's key-agreement key, attested by its signing key. Each meter's PSD holds two keys: the signing key (its
 * certificate, issued by the owner's Fabric CA, is the meter's identity on the ledger; CKA_SIGN only) and a separate
 * key-agreement key (CKA_DERIVE only) that secure information is sealed to. The PSD publishes the key-agreement key as
 * an X.509 certificate issued by the meter's signing key inside the token:
 *
 * <ul>
 *   <li>subject {@code CN=<meter id>, OU=psd-key-agreement} (exactly {@link #subjectFor});</li>
 *   <li>a P-256 public key; key usage keyAgreement only (no digitalSignature, no certificate signing);</li>
 *   <li>signed (SHA256withECDSA) by the meter's signing key, so it verifies with the public key of the meter's
 *       registered certificate.</li>
 * </ul>
 *
 * <p>The data center registers it on the ledger with the meter ({@code keyAgreementCertificatePem}); the contract
 * checks it with {@link #verify} before storing it, and a sender checks it again before sealing to it. A CA-signed
 * extension would have needed the owner's Fabric CA to copy arbitrary CSR extensions; a ledger record alone would
 * have left the key unbound to the PSD. Signed by the signing key, it is bound to the same token and carried by the
 * ledger where senders already read the meter's certificate. JDK only, shared by contract, client and bridge.
 */
public final class KeyAgreementCertificate {
    /** The organisational unit that marks a key-agreement certificate. */
    public static final String UNIT = "psd-key-agreement";
    /** The KeyUsage bit for keyAgreement (RFC 5280: digitalSignature(0) .. keyAgreement(4) .. keyCertSign(5)). */
    private static final int KEY_AGREEMENT = 4;
    private static final int MAX_PEM_CHARS = 4096;

    private KeyAgreementCertificate() {}

    /** The exact subject of a meter's key-agreement certificate. */
    public static X500Principal subjectFor(final String meterId) {
        return new X500Principal("CN=" + meterId + ",OU=" + UNIT);
    }

    /**
     * Checks a key-agreement certificate against the meter's signing key and returns its P-256 key.
     *
     * @param signingKey the public key of the meter's registered certificate
     * @throws GeneralSecurityException naming what is wrong: another subject, a key usage other than keyAgreement,
     *     not a P-256 key, or not signed by {@code signingKey}
     */
    public static ECPublicKey verify(final X509Certificate certificate, final String meterId, final PublicKey signingKey)
            throws GeneralSecurityException {
        if (!certificate.getSubjectX500Principal().equals(subjectFor(meterId))) {
            throw new CertificateException("a key-agreement certificate of " + meterId + " names "
                    + certificate.getSubjectX500Principal().getName() + ", not " + subjectFor(meterId).getName());
        }
        final boolean[] usage = certificate.getKeyUsage();
        if (usage == null || usage.length <= KEY_AGREEMENT || !usage[KEY_AGREEMENT]) {
            throw new CertificateException("the key-agreement certificate of " + meterId + " lacks key usage keyAgreement");
        }
        for (int bit = 0; bit < usage.length; bit++) {
            if (usage[bit] && bit != KEY_AGREEMENT) {
                throw new CertificateException("the key-agreement certificate of " + meterId
                        + " allows more than keyAgreement (key usage bit " + bit + ")");
            }
        }
        if (!(certificate.getPublicKey() instanceof ECPublicKey key) || key.getParams().getCurve().getField().getFieldSize() != 256
                || !key.getParams().getOrder().equals(P256_ORDER)) {
            throw new CertificateException("the key-agreement key of " + meterId + " is not a P-256 key");
        }
        try {
            certificate.verify(signingKey);
        } catch (GeneralSecurityException e) {
            throw new CertificateException("the key-agreement certificate of " + meterId
                    + " is not signed by the meter's signing key", e);
        }
        return key;
    }

    /** Parses one PEM certificate (at most 4096 characters). */
    public static X509Certificate parsePem(final String pem) throws CertificateException {
        if (pem == null || pem.isBlank() || pem.length() > MAX_PEM_CHARS) {
            throw new CertificateException("a key-agreement certificate is one PEM certificate of at most "
                    + MAX_PEM_CHARS + " characters");
        }
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    /** The certificate as PEM, 64 characters a line. */
    public static String toPem(final X509Certificate certificate) throws CertificateException {
        return "-----BEGIN CERTIFICATE-----\n"
                + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    private static final java.math.BigInteger P256_ORDER = new java.math.BigInteger(
            "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16);
}
