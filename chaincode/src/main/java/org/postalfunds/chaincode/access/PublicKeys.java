package org.postalfunds.chaincode.access;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.Provider;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Limits;
import org.postalfunds.api.model.Indicium;
import org.postalfunds.chaincode.support.Hashes;

/** PSD keys: certificate parsing, the P-256 check, and the fingerprint that names a key. */
public final class PublicKeys {
    /** Order of the NIST P-256 base point; identifies the curve together with the 256-bit field. */
    private static final BigInteger P256_ORDER =
            new BigInteger("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16);

    /**
     * Checks PSD signatures. Bouncy Castle's P-256 verifies in about 0.3 ms where the JDK 17 provider's takes about
     * 1.2 ms (this machine, one core), and a print's endorsement was half signature check (issue 17's profile). Held
     * here, never registered with java.security.Security: the rest of the JVM keeps the JDK's providers.
     */
    private static final Provider SIGNATURE_CHECKS = new BouncyCastleProvider();

    private PublicKeys() {}

    /** Does the indicium's signature verify under the PSD key of this (already accepted) meter certificate? */
    public static boolean signs(final String certificatePem, final Indicium indicium) {
        return indicium.signedBy(parse(certificatePem).getPublicKey(), SIGNATURE_CHECKS);
    }

    /** SHA-256 of the DER SubjectPublicKeyInfo, hex: the same key gives the same fingerprint in every certificate. */
    public static String fingerprint(final PublicKey key) {
        return Hashes.sha256Hex(key.getEncoded());
    }

    /** Parses a PEM certificate, checks it holds a P-256 key and is valid at {@code now}. */
    public static X509Certificate meterCertificate(final String pem, final Instant now) {
        if (pem == null || pem.isBlank() || pem.length() > Limits.MAX_CERTIFICATE_PEM_CHARS) {
            throw ErrorCode.INVALID_CERTIFICATE.exception(
                    "certificatePem must be a PEM certificate of at most " + Limits.MAX_CERTIFICATE_PEM_CHARS + " characters");
        }
        final X509Certificate certificate = parse(pem);
        if (!isP256(certificate.getPublicKey())) {
            throw ErrorCode.INVALID_CERTIFICATE.exception("the meter certificate must hold an EC P-256 key, it holds "
                    + certificate.getPublicKey().getAlgorithm());
        }
        try {
            certificate.checkValidity(Date.from(now));
        } catch (CertificateException expiredOrNotYetValid) {
            throw ErrorCode.INVALID_CERTIFICATE.exception(
                    "the meter certificate is not valid at the transaction time: " + expiredOrNotYetValid.getMessage());
        }
        return certificate;
    }

    /** Parses a certificate this contract already accepted. */
    public static X509Certificate parse(final String pem) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(US_ASCII)));
        } catch (CertificateException | ClassCastException malformed) {
            throw ErrorCode.INVALID_CERTIFICATE.exception("certificatePem does not parse: " + malformed.getMessage());
        }
    }

    static boolean isP256(final PublicKey key) {
        return key instanceof ECPublicKey ec
                && ec.getParams().getCurve().getField().getFieldSize() == 256
                && ec.getParams().getOrder().equals(P256_ORDER);
    }
}
