package org.postalfunds.hsm.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postalfunds.api.format.SealedPackage;
import org.postalfunds.hsm.MeterSubject;
import org.postalfunds.hsm.enrol.OrgCertificateAuthority;
import org.postalfunds.hsm.testing.SoftHsmToken;
import org.postalfunds.hsm.testing.TestPackages;

/**
 * Issue 17: a token holding many meters enrols the next one as fast as the first ones and signs for each of them, a
 * reopened token (a bridge restart) finds every key, and meters written by the former SunPKCS11 KeyStore code are read.
 */
class ManyMetersInOneTokenTest {
    private static final int METERS = 150;
    /** Meters timed at the start and at the end of the run: the median of each window is compared. */
    private static final int WINDOW = 15;

    private static SoftHsmToken many;
    private static SoftHsmToken legacy;

    @BeforeAll
    static void createTokens() throws Exception {
        // All tokens first: SoftHSM2 sees only tokens that exist when this JVM first loads it.
        many = SoftHsmToken.create("many-meters");
        legacy = SoftHsmToken.create("legacy-layout");
    }

    @AfterAll
    static void deleteTokens() throws Exception {
        for (final SoftHsmToken each : new SoftHsmToken[] {many, legacy}) {
            if (each != null) {
                each.close();
            }
        }
    }

    @Test
    @Timeout(90) // ~25 s on the 2-core development machine's disk; the KeyStore path took 7 minutes for 99 meters
    void enrols_150_meters_at_a_flat_pace_and_finds_every_key_after_reopening() throws Exception {
        final OrgCertificateAuthority ca = OrgCertificateAuthority.create("MailerA");
        final long[] enrolNanos = new long[METERS];
        try (PsdToken token = PsdToken.open(many.config())) {
            // The first and last meters one at a time, timed; those in between 4 at a time, as the bridge's operator
            // enrols them (its file store waits for the disk more than it computes).
            for (int i = 0; i < WINDOW; i++) {
                enrolNanos[i] = enrol(token, ca, i);
            }
            final ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                final List<Future<Long>> middle = new ArrayList<>();
                for (int i = WINDOW; i < METERS - WINDOW; i++) {
                    final int index = i;
                    middle.add(pool.submit(() -> enrol(token, ca, index)));
                }
                for (final Future<Long> each : middle) {
                    each.get();
                }
            } finally {
                pool.shutdownNow();
            }
            for (int i = METERS - WINDOW; i < METERS; i++) {
                enrolNanos[i] = enrol(token, ca, i);
            }
            assertThat(token.meterIds()).hasSize(METERS);
        }
        final long first = median(Arrays.copyOfRange(enrolNanos, 1, WINDOW));
        final long last = median(Arrays.copyOfRange(enrolNanos, METERS - WINDOW, METERS));
        // With the KeyStore path the 50th meter cost ~6 times the 10th; by handle the last cost what the first did.
        assertThat(last).as("median enrolment of the last %d meters %.1f ms, of the first %d %.1f ms", WINDOW,
                last / 1e6, WINDOW, first / 1e6).isLessThan(3 * first);

        final byte[] digest = TestPackages.sha256("many meters".getBytes(StandardCharsets.US_ASCII));
        try (PsdToken reopened = PsdToken.open(many.config())) {
            assertThat(reopened.meterIds()).hasSize(METERS).contains(meterId(0), meterId(METERS - 1));
            for (int i = 0; i < METERS; i++) {
                final MeterKeyInfo key = reopened.meterKey(meterId(i));
                assertThat(key.enrolled()).isTrue();
                assertThat(key.certificate().getIssuerX500Principal()).isEqualTo(ca.certificate().getSubjectX500Principal());
                assertThat(verifies(key.publicKey(), digest, reopened.signDigest(meterId(i), digest))).isTrue();
            }
            final MeterKeyInfo last150 = reopened.meterKey(meterId(METERS - 1));
            final byte[] sealed = TestPackages.sealTo(last150.keyAgreementCertificate().getPublicKey(), "meter-sender",
                    meterId(METERS - 1), new byte[] {4, 2});
            assertThat(reopened.openPackage(meterId(METERS - 1), SealedPackage.decode(sealed))).containsExactly(4, 2);
            assertThat(reopened.revokeMeterKey(meterId(7))).isFalse();
        }
        try (PsdToken again = PsdToken.open(many.config())) {
            assertThat(again.isRevoked(meterId(7))).isTrue();
            assertThat(again.privateKeyObjects(meterId(7))).isZero();
            assertThat(again.meterIds()).hasSize(METERS - 1).doesNotContain(meterId(7));
        }
    }

    /**
     * A meter as the bridge stored it before issue 17: key pairs generated by SunPKCS11 providers with the old
     * templates, stored with their certificates through SunPKCS11's KeyStore (CKA_ID and the certificate's CKA_LABEL
     * are the alias).
     */
    @Test
    void reads_a_meter_stored_through_the_sunpkcs11_key_store() throws Exception {
        final String meterId = "meter-legacy";
        final long slot = Pkcs11Module.load(SoftHsmToken.library()).slotOf(legacy.label());
        final Provider signing = provider(slot, "legacy-signing", "CKA_SIGN = true\n  CKA_DERIVE = false");
        final Provider agreement = provider(slot, "legacy-agreement", "CKA_SIGN = false\n  CKA_DERIVE = true");
        final KeyStore signingStore = KeyStore.getInstance("PKCS11", signing);
        signingStore.load(null, legacy.pin().toCharArray());
        final KeyStore agreementStore = KeyStore.getInstance("PKCS11", agreement);
        agreementStore.load(null, legacy.pin().toCharArray());

        final KeyPair signingPair = p256(signing);
        final X509Certificate placeholder = certificate(meterId, signingPair.getPublic(), signingPair, signing);
        signingStore.setKeyEntry(meterId, signingPair.getPrivate(), null, new Certificate[] {placeholder});
        final KeyPair agreementPair = p256(agreement);
        final X509Certificate agreementCertificate = certificate(meterId, agreementPair.getPublic(), signingPair,
                signing);
        agreementStore.setKeyEntry(PsdToken.keyAgreementAlias(meterId), agreementPair.getPrivate(), null,
                new Certificate[] {agreementCertificate});

        try (PsdToken token = PsdToken.open(legacy.config())) {
            assertThat(token.meterIds()).containsExactly(meterId);
            final MeterKeyInfo key = token.meterKey(meterId);
            assertThat(key.certificate()).isEqualTo(placeholder);
            assertThat(key.enrolled()).isFalse();
            assertThat(key.keyAgreementCertificate()).isEqualTo(agreementCertificate);
            final byte[] digest = TestPackages.sha256(new byte[] {1});
            assertThat(verifies((ECPublicKey) signingPair.getPublic(), digest, token.signDigest(meterId, digest)))
                    .isTrue();
            final byte[] sealed = TestPackages.sealTo(agreementPair.getPublic(), "meter-sender", meterId,
                    new byte[] {7});
            assertThat(token.openPackage(meterId, SealedPackage.decode(sealed))).containsExactly(7);
            assertThat(token.keyAttributes(meterId).sign()).isTrue();
            assertThat(token.keyAgreementKeyAttributes(meterId).derive()).isTrue();
        }
    }

    /** Key, CSR signed in the token, certificate from the meter CA imported: one meter's enrolment, timed. */
    private static long enrol(final PsdToken token, final OrgCertificateAuthority ca, final int index) throws Exception {
        final String meterId = meterId(index);
        final long start = System.nanoTime();
        token.createMeterKey(meterId);
        final byte[] csr = token.createCsr(meterId, MeterSubject.client(meterId, "MailerA").toX500Name());
        token.importCertificate(meterId, ca.issue(meterId, csr));
        return System.nanoTime() - start;
    }

    private static String meterId(final int index) {
        return String.format(Locale.ROOT, "meter-many-%03d", index);
    }

    private static long median(final long[] values) {
        final long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static boolean verifies(final ECPublicKey key, final byte[] digest, final byte[] signature)
            throws Exception {
        final Signature verifier = Signature.getInstance("NONEwithECDSA");
        verifier.initVerify(key);
        verifier.update(digest);
        return verifier.verify(signature);
    }

    private static Provider provider(final long slot, final String name, final String privateKeyUse) {
        final String configuration = String.join("\n",
                "name = " + name,
                "library = " + SoftHsmToken.library(),
                "slot = " + slot,
                "attributes(generate, CKO_PUBLIC_KEY, CKK_EC) = {",
                "  CKA_TOKEN = true",
                "  CKA_PRIVATE = false",
                "}",
                "attributes(generate, CKO_PRIVATE_KEY, CKK_EC) = {",
                "  CKA_TOKEN = true",
                "  CKA_PRIVATE = true",
                "  CKA_SENSITIVE = true",
                "  CKA_EXTRACTABLE = false",
                "  " + privateKeyUse,
                "}",
                "");
        return Security.getProvider("SunPKCS11").configure("--" + configuration);
    }

    private static KeyPair p256(final Provider provider) throws Exception {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", provider);
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X509Certificate certificate(final String meterId, final java.security.PublicKey subjectKey,
            final KeyPair issuer, final Provider provider) throws Exception {
        final X500Name name = new X500Name("CN=" + meterId + ",OU=" + PsdToken.PLACEHOLDER_UNIT);
        final Instant now = Instant.now();
        return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name,
                BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minusSeconds(60)),
                Date.from(now.plus(Duration.ofDays(1))), name, subjectKey)
                .build(new JcaContentSignerBuilder("SHA256withECDSA").setProvider(provider)
                        .build(issuer.getPrivate())));
    }
}
