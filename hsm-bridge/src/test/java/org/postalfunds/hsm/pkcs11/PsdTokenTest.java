package org.postalfunds.hsm.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Map;

import javax.crypto.KeyAgreement;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postalfunds.hsm.crypto.EcdsaSignatures;
import org.postalfunds.hsm.crypto.PublicKeys;
import org.postalfunds.api.format.SealedPackage;
import org.postalfunds.hsm.testing.SoftHsmToken;
import org.postalfunds.hsm.testing.TestPackages;

/** The token layer on a real SoftHSM2 token, without the network in between. */
class PsdTokenTest {
    private static SoftHsmToken softHsm;
    private static SoftHsmToken spare;
    private static SoftHsmToken reopened;
    private static SoftHsmToken limited;
    private static PsdToken token;

    @BeforeAll
    static void openToken() throws Exception {
        // All tokens first: SoftHSM2 sees only tokens that exist when this JVM first loads it.
        softHsm = SoftHsmToken.create("token-test");
        spare = SoftHsmToken.create("spare");
        reopened = SoftHsmToken.create("reopen");
        limited = SoftHsmToken.create("limit");
        token = PsdToken.open(softHsm.config());
    }

    @AfterAll
    static void closeToken() throws Exception {
        if (token != null) {
            token.close();
        }
        for (final SoftHsmToken each : new SoftHsmToken[] {softHsm, spare, reopened, limited}) {
            if (each != null) {
                each.close();
            }
        }
    }

    @Test
    void creates_a_p256_meter_key_whose_private_half_is_not_extractable() throws Exception {
        final MeterKeyInfo key = token.createMeterKey("meter-attr");

        assertThat(key.publicKey().getParams().getOrder()).isEqualTo(PublicKeys.p256().getOrder());
        assertThat(key.enrolled()).isFalse();
        // The signing key signs and never derives; the key-agreement key derives and never signs.
        final MeterKeyAttributes attributes = token.keyAttributes("meter-attr");
        assertThat(attributes).isEqualTo(new MeterKeyAttributes("meter-attr", true, true, true, false, true, true, true, false));
        final MeterKeyAttributes agreement = token.keyAgreementKeyAttributes("meter-attr");
        assertThat(agreement).isEqualTo(new MeterKeyAttributes("meter-attr#key-agreement", true, true, true, false, true,
                true, false, true));
    }

    @Test
    void the_key_agreement_key_is_a_second_key_attested_by_the_signing_key() throws Exception {
        final MeterKeyInfo key = token.createMeterKey("meter-two-keys");
        final java.security.cert.X509Certificate attestation = key.keyAgreementCertificate();

        final ECPublicKey agreementKey = org.postalfunds.api.format.KeyAgreementCertificate.verify(attestation,
                "meter-two-keys", key.publicKey());
        assertThat(PublicKeys.sameKey(agreementKey, key.publicKey())).isFalse();
        assertThat(attestation.getKeyUsage()[4]).as("keyAgreement").isTrue();
        assertThat(attestation.getKeyUsage()[0]).as("digitalSignature").isFalse();
        // Another meter's signing key did not issue it.
        final ECPublicKey other = token.createMeterKey("meter-two-keys-2").publicKey();
        assertThatThrownBy(() -> org.postalfunds.api.format.KeyAgreementCertificate.verify(attestation, "meter-two-keys", other))
                .hasMessageContaining("not signed by the meter's signing key");
        // And it comes back the same after the cache is bypassed (read from the token).
        assertThat(token.meterKey("meter-two-keys").keyAgreementCertificate()).isEqualTo(attestation);
        assertThat(token.meterIds()).contains("meter-two-keys").noneMatch(id -> id.contains("#"));
    }

    @Test
    void the_token_refuses_key_agreement_with_the_signing_key() throws Exception {
        token.createMeterKey("meter-sign-only");
        final KeyStore keyStore = KeyStore.getInstance("PKCS11", providerOf(token));
        keyStore.load(null, null);
        final java.security.Key signingKey = keyStore.getKey("meter-sign-only", null);
        final KeyPair peer = OrgKeys.p256();

        assertThatThrownBy(() -> {
            final KeyAgreement agreement = KeyAgreement.getInstance("ECDH", providerOf(token));
            agreement.init(signingKey);
            agreement.doPhase(peer.getPublic(), true);
            agreement.generateSecret();
        }).hasStackTraceContaining("CKR_KEY_");
    }

    @Test
    void the_private_key_handle_has_no_encoding_outside_the_token() throws Exception {
        token.createMeterKey("meter-handle");
        // Open the token's key store the way any other JCA code would, and ask for the key's bytes.
        final KeyStore keyStore = KeyStore.getInstance("PKCS11", providerOf(token));
        keyStore.load(null, null);
        final java.security.Key privateKey = keyStore.getKey("meter-handle", null);

        assertThat(privateKey).isInstanceOf(java.security.PrivateKey.class);
        assertThat(privateKey.getEncoded()).isNull();
        assertThat(privateKey.getFormat()).isNull();
    }

    @Test
    void refuses_a_second_key_for_the_same_meter() throws Exception {
        token.createMeterKey("meter-twice");

        assertThatThrownBy(() -> token.createMeterKey("meter-twice"))
                .isInstanceOfSatisfying(TokenException.class,
                        e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.METER_KEY_EXISTS));
    }

    @Test
    void signs_digests_that_verify_and_always_have_low_s() throws Exception {
        final ECPublicKey publicKey = token.createMeterKey("meter-sign").publicKey();
        final java.security.MessageDigest sha256 = java.security.MessageDigest.getInstance("SHA-256");

        for (int i = 0; i < 200; i++) {
            final byte[] message = ("indicium " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            final byte[] signature = token.signDigest("meter-sign", sha256.digest(message));

            final Signature verifier = Signature.getInstance("SHA256withECDSA");
            verifier.initVerify(publicKey);
            verifier.update(message);
            assertThat(verifier.verify(signature)).as("signature %d verifies", i).isTrue();
            assertThat(EcdsaSignatures.isLowS(signature, PublicKeys.p256().getOrder())).as("signature %d low-S", i).isTrue();
        }
    }

    @Test
    void refuses_to_sign_a_digest_that_is_not_32_bytes() throws Exception {
        token.createMeterKey("meter-length");

        assertThatThrownBy(() -> token.signDigest("meter-length", new byte[20]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 bytes");
    }

    @Test
    void reports_an_unknown_meter_as_not_found() {
        assertThatThrownBy(() -> token.signDigest("meter-nobody", new byte[32]))
                .isInstanceOfSatisfying(TokenException.class,
                        e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.METER_KEY_NOT_FOUND));
    }

    @Test
    void opens_a_package_sealed_to_the_key_agreement_key_and_nothing_else() throws Exception {
        final MeterKeyInfo key = token.createMeterKey("meter-unseal");
        final ECPublicKey agreementKey = (ECPublicKey) key.keyAgreementCertificate().getPublicKey();
        final byte[] content = "{\"letter\":\"1.25\"}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

        final byte[] sealed = TestPackages.sealTo(agreementKey, "meter-sender", "meter-unseal", content);
        assertThat(token.openPackage("meter-unseal", SealedPackage.decode(sealed))).isEqualTo(content);

        // Sealed to the signing key (the old, shared use): the key-agreement key cannot open it.
        final byte[] toSigningKey = TestPackages.sealTo(key.publicKey(), "meter-sender", "meter-unseal", content);
        assertThatThrownBy(() -> token.openPackage("meter-unseal", SealedPackage.decode(toSigningKey)))
                .isInstanceOfSatisfying(TokenException.class,
                        e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.PACKAGE_NOT_AUTHENTIC));
        // Addressed to another meter: refused before the token is asked.
        final byte[] misaddressed = TestPackages.sealTo(agreementKey, "meter-sender", "meter-other", content);
        assertThatThrownBy(() -> token.openPackage("meter-unseal", SealedPackage.decode(misaddressed)))
                .isInstanceOfSatisfying(TokenException.class,
                        e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.PACKAGE_MISADDRESSED));
    }

    @Test
    void refuses_a_second_open_of_the_same_token_in_one_jvm() {
        assertThatThrownBy(() -> PsdToken.open(softHsm.config()))
                .isInstanceOfSatisfying(TokenException.class,
                        e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.TOKEN_IN_USE));
    }

    @Test
    void names_a_missing_token_label_and_the_labels_that_exist() {
        final TokenConfig config = TokenConfig.newBuilder().library(SoftHsmToken.library()).tokenLabel("no-such-token")
                .pinSource(PinSource.file(softHsm.pinFile())).build();

        assertThatThrownBy(() -> PsdToken.open(config))
                .isInstanceOfSatisfying(TokenException.class,
                        e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.TOKEN_NOT_FOUND))
                .hasMessageContaining("no-such-token").hasMessageContaining(softHsm.label());
    }

    @Test
    void names_a_missing_pkcs11_library() {
        final TokenConfig config = TokenConfig.newBuilder().library(Path.of("/nonexistent/libpkcs11.so"))
                .tokenLabel(softHsm.label()).pinSource(PinSource.file(softHsm.pinFile())).build();

        assertThatThrownBy(() -> PsdToken.open(config))
                .isInstanceOfSatisfying(TokenException.class,
                        e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.LIBRARY_NOT_FOUND))
                .hasMessageContaining("/nonexistent/libpkcs11.so");
    }

    @Test
    void reports_an_unset_pin_variable_without_touching_the_token() throws Exception {
        final SoftHsmToken other = spare;
        final TokenConfig config = TokenConfig.newBuilder().library(SoftHsmToken.library()).tokenLabel(other.label())
                .pinSource(PinSource.environmentVariable("PSD_TEST_PIN", Map.of())).build();

        assertThatThrownBy(() -> PsdToken.open(config))
                .isInstanceOfSatisfying(TokenException.class,
                        e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.PIN_UNAVAILABLE))
                .hasMessageContaining("PSD_TEST_PIN");
    }

    @Test
    void reports_a_wrong_pin_as_pin_incorrect_without_echoing_it() throws Exception {
        final SoftHsmToken other = spare;
        final TokenConfig config = TokenConfig.newBuilder().library(SoftHsmToken.library()).tokenLabel(other.label())
                .pinSource(PinSource.environmentVariable("PSD_TEST_PIN", Map.of("PSD_TEST_PIN", "not-the-pin-4711")))
                .build();

        assertThatThrownBy(() -> PsdToken.open(config))
                .isInstanceOfSatisfying(TokenException.class,
                        e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.PIN_INCORRECT))
                .hasMessageContaining(other.label())
                .hasMessageNotContaining("not-the-pin-4711");
        // The token is usable with the right PIN afterwards: the refusal left nothing behind.
        try (PsdToken opened = PsdToken.open(other.config())) {
            assertThat(opened.label()).isEqualTo(other.label());
        }
    }

    @Test
    void keys_survive_closing_the_token_and_opening_it_with_a_new_provider() throws Exception {
        final SoftHsmToken other = reopened;
        final ECPublicKey created;
        try (PsdToken first = PsdToken.open(other.config())) {
            created = first.createMeterKey("meter-reopen").publicKey();
        }
        try (PsdToken second = PsdToken.open(other.config())) {
            assertThat(second.meterIds()).containsExactly("meter-reopen");
            assertThat(second.meterKey("meter-reopen").publicKey().getEncoded()).isEqualTo(created.getEncoded());
            final byte[] digest = new byte[32];
            final Signature verifier = Signature.getInstance("NONEwithECDSA");
            verifier.initVerify(created);
            verifier.update(digest);
            assertThat(verifier.verify(second.signDigest("meter-reopen", digest))).isTrue();
        }
    }

    @Test
    void refuses_new_keys_beyond_the_configured_limit() throws Exception {
        final SoftHsmToken other = limited;
        final TokenConfig config = TokenConfig.newBuilder().library(SoftHsmToken.library()).tokenLabel(other.label())
                .pinSource(PinSource.file(other.pinFile())).maxMeterKeys(2).build();
        try (PsdToken small = PsdToken.open(config)) {
            small.createMeterKey("meter-a");
            small.createMeterKey("meter-b");

            assertThatThrownBy(() -> small.createMeterKey("meter-c"))
                    .isInstanceOfSatisfying(TokenException.class,
                            e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.METER_KEY_LIMIT_REACHED));
            assertThat(small.meterIds()).containsExactly("meter-a", "meter-b");
        }
    }

    @Test
    void its_description_shows_where_the_pin_comes_from_but_never_the_pin() {
        assertThat(softHsm.config().toString()).contains(softHsm.pinFile().toString()).doesNotContain(softHsm.pin());
        assertThat(token.toString()).doesNotContain(softHsm.pin());
    }

    /** A software P-256 key pair. */
    private static final class OrgKeys {
        static KeyPair p256() throws Exception {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        }
    }

    private static java.security.Provider providerOf(final PsdToken token) throws Exception {
        final java.lang.reflect.Field field = PsdToken.class.getDeclaredField("provider");
        field.setAccessible(true);
        return (java.security.Provider) field.get(token);
    }
}
