package org.postalfunds.chaincode.fake;

import com.google.protobuf.ByteString;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.hyperledger.fabric.protos.msp.SerializedIdentity;

/**
 * A real identity for tests: a key pair and a self-signed X.509 certificate, serialised the way Fabric puts the
 * creator into a proposal, so the shim's own ClientIdentity parses it.
 */
public final class TestIdentity {
    private static final AtomicLong SERIALS = new AtomicLong(1);

    private final String mspId;
    private final KeyPair keyPair;
    private final X509Certificate certificate;
    private final String certificatePem;

    private TestIdentity(final String mspId, final KeyPair keyPair, final X509Certificate certificate) {
        this.mspId = mspId;
        this.keyPair = keyPair;
        this.certificate = certificate;
        this.certificatePem = pem(certificate);
    }

    /** A P-256 identity valid from 2020 to 2100. */
    public static TestIdentity p256(final String mspId, final String commonName) {
        return create(mspId, commonName, "EC", new ECGenParameterSpec("secp256r1"), "SHA256withECDSA",
                Instant.parse("2020-01-01T00:00:00Z"), Instant.parse("2100-01-01T00:00:00Z"));
    }

    /** A P-256 identity with the given validity window. */
    public static TestIdentity p256Valid(
            final String mspId, final String commonName, final Instant notBefore, final Instant notAfter) {
        return create(mspId, commonName, "EC", new ECGenParameterSpec("secp256r1"), "SHA256withECDSA", notBefore,
                notAfter);
    }

    /** An identity with an RSA key, which a meter may not have. */
    public static TestIdentity rsa(final String mspId, final String commonName) {
        return create(mspId, commonName, "RSA", null, "SHA256withRSA", Instant.parse("2020-01-01T00:00:00Z"),
                Instant.parse("2100-01-01T00:00:00Z"));
    }

    /** Same organisation and the same key, in a second certificate (as after a renewal). */
    public TestIdentity renewed() {
        return new TestIdentity(mspId, keyPair, certificate(keyPair, "renewed", "SHA256withECDSA",
                Instant.parse("2020-01-01T00:00:00Z"), Instant.parse("2100-01-01T00:00:00Z")));
    }

    public String mspId() {
        return mspId;
    }

    public String certificatePem() {
        return certificatePem;
    }

    public KeyPair keyPair() {
        return keyPair;
    }

    /** The proposal creator bytes: a serialised msp.SerializedIdentity with the PEM certificate. */
    public byte[] creator() {
        return SerializedIdentity.newBuilder().setMspid(mspId).setIdBytes(ByteString.copyFromUtf8(certificatePem))
                .build().toByteArray();
    }

    /** Base64 of the DER SHA256withECDSA signature, as the PSD token produces it. */
    public String sign(final byte[] data) {
        try {
            final Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(keyPair.getPrivate());
            signer.update(data);
            return Base64.getEncoder().encodeToString(signer.sign());
        } catch (GeneralSecurityException failure) {
            throw new IllegalStateException(failure);
        }
    }

    private static TestIdentity create(
            final String mspId, final String commonName, final String algorithm, final ECGenParameterSpec curve,
            final String signatureAlgorithm, final Instant notBefore, final Instant notAfter) {
        try {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            if (curve != null) {
                generator.initialize(curve);
            } else {
                generator.initialize(2048);
            }
            final KeyPair keyPair = generator.generateKeyPair();
            return new TestIdentity(mspId, keyPair,
                    certificate(keyPair, commonName, signatureAlgorithm, notBefore, notAfter));
        } catch (GeneralSecurityException failure) {
            throw new IllegalStateException(failure);
        }
    }

    private static X509Certificate certificate(
            final KeyPair keyPair, final String commonName, final String signatureAlgorithm, final Instant notBefore,
            final Instant notAfter) {
        try {
            final X500Name name = new X500Name("CN=" + commonName + ",OU=client,O=postal-funds-test");
            final JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
                    BigInteger.valueOf(SERIALS.getAndIncrement()), Date.from(notBefore), Date.from(notAfter), name,
                    keyPair.getPublic());
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(signatureAlgorithm).build(keyPair.getPrivate())));
        } catch (Exception failure) {
            throw new IllegalStateException(failure);
        }
    }

    /**
     * A key-agreement certificate for {@code meterId} (ledger-api KeyAgreementCertificate) over a fresh P-256 key,
     * issued by this identity's key, as a PSD's signing key issues it inside the token.
     */
    public String keyAgreementCertificatePem(final String meterId) {
        try {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            final KeyPair agreement = generator.generateKeyPair();
            final X500Name subject = X500Name.getInstance(
                    org.postalfunds.api.format.KeyAgreementCertificate.subjectFor(meterId).getEncoded());
            final Instant now = Instant.now();
            final JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    new X500Name("CN=" + meterId + ",OU=psd-signing-key"), BigInteger.valueOf(SERIALS.getAndIncrement()),
                    Date.from(now.minusSeconds(60)), Date.from(now.plusSeconds(86_400)), subject, agreement.getPublic());
            builder.addExtension(org.bouncycastle.asn1.x509.Extension.keyUsage, true,
                    new org.bouncycastle.asn1.x509.KeyUsage(org.bouncycastle.asn1.x509.KeyUsage.keyAgreement));
            return pem(new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keyPair.getPrivate()))));
        } catch (Exception failure) {
            throw new IllegalStateException(failure);
        }
    }

    private static String pem(final X509Certificate certificate) {
        try {
            return "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                            .encodeToString(certificate.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (java.security.cert.CertificateEncodingException failure) {
            throw new IllegalStateException(failure);
        }
    }

    @Override
    public String toString() {
        return mspId + "/" + certificate.getSubjectX500Principal().getName();
    }
}
