package org.postalfunds.client;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.KeyAgreement;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.postalfunds.client.secure.RecipientPsd;
import org.postalfunds.client.secure.SecureItem;
import org.postalfunds.api.format.KeyAgreementCertificate;
import org.postalfunds.api.format.PackageCipher;
import org.postalfunds.api.format.SealedPackage;

/**
 * For the benchmark's and the tests' meters whose signing key is a file from the Fabric CA rather than a token key:
 * a separate key-agreement key per meter, held in this JVM's memory, attested by the meter's signing key exactly as a
 * PSD bridge attests its token's (ledger-api {@link KeyAgreementCertificate}), and a {@link RecipientPsd} that
 * opens packages with it through the same {@link PackageCipher} the bridge runs. Never a production path: a real
 * meter's keys are made in its token (hsm-bridge), and this class lives in the client's test sources (published in
 * its test jar for the benchmark module), outside the library.
 */
public final class SoftwareKeyAgreement {
    private static final Map<String, KeyPair> KEYS = new ConcurrentHashMap<>();

    private SoftwareKeyAgreement() {
    }

    /** A fresh key-agreement key for {@code meterId} (replacing any earlier one), attested by {@code signingKey}. */
    public static X509Certificate certificate(final String meterId, final PrivateKey signingKey) {
        try {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            final KeyPair agreement = generator.generateKeyPair();
            final Instant now = Instant.now();
            final JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    new X500Name("CN=" + meterId + ",OU=psd-signing-key"), BigInteger.valueOf(now.toEpochMilli()),
                    Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(365))),
                    X500Name.getInstance(KeyAgreementCertificate.subjectFor(meterId).getEncoded()), agreement.getPublic());
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyAgreement));
            final X509Certificate certificate = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signingKey)));
            KEYS.put(meterId, agreement);
            return certificate;
        } catch (Exception e) {
            throw new IllegalStateException("a key-agreement certificate for " + meterId + " could not be made", e);
        }
    }

    /** Opens packages sealed to the key {@link #certificate} made for {@code meterId}. */
    public static RecipientPsd recipient(final String meterId) {
        return sealed -> {
            final KeyPair agreement = KEYS.get(meterId);
            if (agreement == null) {
                throw new GeneralSecurityException("no key-agreement key was made for " + meterId + " in this JVM");
            }
            final SealedPackage parsed = SealedPackage.decode(sealed);
            final KeyAgreement ecdh = KeyAgreement.getInstance("ECDH");
            ecdh.init(agreement.getPrivate());
            ecdh.doPhase(PackageCipher.ephemeralKey(parsed.header()), true);
            return new SecureItem(parsed.header().itemName(), parsed.header().contentType(),
                    PackageCipher.decrypt(ecdh.generateSecret(), parsed.header(), parsed.ciphertext()));
        };
    }
}
