package org.postalfunds.client.secure;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import org.hyperledger.fabric.client.identity.Signer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.format.SealedPackage;
import org.postalfunds.hsm.client.BridgeException;
import org.postalfunds.hsm.client.PsdBridgeClient;
import org.postalfunds.hsm.testing.BridgeFixture;

/**
 * Sealing to a recipient PSD and unsealing inside its SoftHSM2 token through the real bridge over mutual TLS.
 * Three meters share one token (one bridge): A sends, B receives, C is a third meter with a key of its own.
 */
@Tag("softhsm")
class SealingThroughBridgeTest {
    private static final Addressing A_TO_B = new Addressing("info-transfer-1", "meter-A", "meter-B");
    private static final SecureItem RATE_TABLE = new SecureItem("rate-table-2027", "application/json",
            "{\"LETTER-STD\":85,\"LETTER-LARGE\":160}".getBytes(UTF_8));

    private static BridgeFixture fixture;
    private static PsdBridgeClient meterA;
    private static PsdBridgeClient meterB;
    private static PsdBridgeClient meterC;
    private static PublicKey keyA;
    private static PublicKey keyB;
    private static PublicKey signingKeyB;

    @BeforeAll
    static void startBridgeWithThreeMeterKeys() throws Exception {
        fixture = BridgeFixture.start("sealing");
        try (PsdBridgeClient operator = fixture.operator()) {
            keyA = operator.createMeterKey("meter-A").certificate().getPublicKey();
            final org.postalfunds.hsm.client.MeterPublicKey keysB = operator.createMeterKey("meter-B");
            signingKeyB = keysB.publicKey();
            // What a sender seals to: B's key-agreement key, attested by B's signing key.
            keyB = org.postalfunds.api.format.KeyAgreementCertificate.verify(keysB.keyAgreementCertificate(), "meter-B",
                    signingKeyB);
            operator.createMeterKey("meter-C");
        }
        meterA = fixture.meter("meter-A");
        meterB = fixture.meter("meter-B");
        meterC = fixture.meter("meter-C");
    }

    @AfterAll
    static void stopBridge() throws Exception {
        for (final PsdBridgeClient client : new PsdBridgeClient[] {meterA, meterB, meterC}) {
            if (client != null) {
                client.close();
            }
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    private static byte[] sealedForB() throws SealingException {
        return Sealing.seal(RATE_TABLE, A_TO_B, keyB, meterA.signer("meter-A"));
    }

    private static SecureItem unsealAsB(final byte[] sealed, final Addressing expected) throws SealingException {
        return Sealing.unseal(sealed, expected, keyA, RecipientPsd.throughBridge(meterB, "meter-B"));
    }

    @Test
    void the_recipient_token_unseals_what_the_sender_sealed() throws Exception {
        final byte[] sealed = sealedForB();

        assertThat(unsealAsB(sealed, A_TO_B)).isEqualTo(RATE_TABLE);
        assertThat(new String(sealed, UTF_8)).doesNotContain("LETTER-STD");
        final SealedPackage decoded = SealedPackage.decode(sealed);
        assertThat(decoded.header().transferId()).isEqualTo("info-transfer-1");
        assertThat(decoded.header().itemName()).isEqualTo("rate-table-2027");
    }

    @Test
    void every_package_has_a_fresh_ephemeral_key_and_nonce() throws Exception {
        final SealedPackage first = SealedPackage.decode(sealedForB());
        final SealedPackage second = SealedPackage.decode(sealedForB());

        assertThat(first.header().ephemeralPublicKey()).isNotEqualTo(second.header().ephemeralPublicKey());
        assertThat(first.ciphertext()).isNotEqualTo(second.ciphertext());
    }

    @Test
    void the_sender_signature_is_the_sender_psd_signature_over_the_package() throws Exception {
        final SealedPackage decoded = SealedPackage.decode(sealedForB());
        final Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(keyA);
        verifier.update(decoded.signedBytes());

        assertThat(verifier.verify(decoded.signature())).isTrue();
    }

    @Test
    void the_bridge_refuses_another_meters_client_the_recipient_key() throws Exception {
        final byte[] sealed = sealedForB();

        assertThatThrownBy(() -> Sealing.unseal(sealed, A_TO_B, keyA, RecipientPsd.throughBridge(meterC, "meter-B")))
                .isInstanceOfSatisfying(SealingException.class, refused -> {
                    assertThat(refused.reason()).isEqualTo(SealingException.Reason.KEY_AGREEMENT_REFUSED);
                    assertThat(refused.getCause()).isInstanceOfSatisfying(BridgeException.class,
                            bridge -> assertThat(bridge.code()).isEqualTo(Status.Code.PERMISSION_DENIED));
                });
    }

    @Test
    void a_third_meters_bridge_refuses_a_package_addressed_to_another_meter() throws Exception {
        final byte[] sealed = sealedForB();

        assertThatThrownBy(() -> Sealing.unseal(sealed, A_TO_B, keyA, RecipientPsd.throughBridge(meterC, "meter-C")))
                .isInstanceOfSatisfying(SealingException.class, refused -> {
                    assertThat(refused.reason()).isEqualTo(SealingException.Reason.KEY_AGREEMENT_REFUSED);
                    assertThat(refused.getCause()).isInstanceOfSatisfying(BridgeException.class,
                            bridge -> assertThat(bridge.code()).isEqualTo(Status.Code.FAILED_PRECONDITION));
                });
    }

    @Test
    void a_package_sealed_to_the_recipients_signing_key_does_not_open_its_keys_are_separate() throws Exception {
        final byte[] toSigningKey = Sealing.seal(RATE_TABLE, A_TO_B, signingKeyB, meterA.signer("meter-A"));

        assertThatThrownBy(() -> unsealAsB(toSigningKey, A_TO_B))
                .isInstanceOfSatisfying(SealingException.class, refused -> {
                    assertThat(refused.reason()).isEqualTo(SealingException.Reason.DECRYPTION_FAILED);
                    assertThat(refused.getCause()).isInstanceOfSatisfying(BridgeException.class,
                            bridge -> assertThat(bridge.code()).isEqualTo(Status.Code.DATA_LOSS));
                });
    }

    @Test
    void a_package_with_any_single_byte_altered_is_rejected() throws Exception {
        final byte[] sealed = sealedForB();
        // Every position: header fields, ephemeral key, nonce, ciphertext, tag and signature.
        for (int position = 0; position < sealed.length; position += Math.max(1, sealed.length / 97)) {
            final byte[] tampered = sealed.clone();
            tampered[position] ^= 0x01;
            assertThatThrownBy(() -> unsealAsB(tampered, A_TO_B)).as("byte %d altered", position)
                    .isInstanceOf(SealingException.class);
        }
    }

    @Test
    void a_tampered_ciphertext_with_a_valid_sender_signature_still_fails_gcm() throws Exception {
        // The sender signs a ciphertext someone else altered: only GCM can catch it, and does.
        final SealedPackage original = SealedPackage.decode(sealedForB());
        final byte[] ciphertext = original.ciphertext();
        ciphertext[0] ^= 0x01;
        final byte[] resigned = SealedPackage.of(original.header(), ciphertext,
                meterA.signer("meter-A").sign(java.security.MessageDigest.getInstance("SHA-256")
                        .digest(SealedPackage.signedBytes(original.header(), ciphertext)))).encode();

        assertThatThrownBy(() -> unsealAsB(resigned, A_TO_B)).isInstanceOfSatisfying(SealingException.class,
                refused -> assertThat(refused.reason()).isEqualTo(SealingException.Reason.DECRYPTION_FAILED));
    }

    @Test
    void a_package_bound_to_another_transfer_is_rejected() throws Exception {
        final byte[] sealed = sealedForB();

        assertThatThrownBy(() -> unsealAsB(sealed, new Addressing("info-transfer-2", "meter-A", "meter-B")))
                .isInstanceOfSatisfying(SealingException.class,
                        refused -> assertThat(refused.reason()).isEqualTo(SealingException.Reason.WRONG_ADDRESSING));
    }

    @Test
    void a_package_bound_to_other_meters_is_rejected() throws Exception {
        final byte[] sealed = sealedForB();

        assertThatThrownBy(() -> unsealAsB(sealed, new Addressing("info-transfer-1", "meter-C", "meter-B")))
                .isInstanceOfSatisfying(SealingException.class,
                        refused -> assertThat(refused.reason()).isEqualTo(SealingException.Reason.WRONG_ADDRESSING));
        assertThatThrownBy(() -> unsealAsB(sealed, new Addressing("info-transfer-1", "meter-A", "meter-C")))
                .isInstanceOfSatisfying(SealingException.class,
                        refused -> assertThat(refused.reason()).isEqualTo(SealingException.Reason.WRONG_ADDRESSING));
    }

    @Test
    void a_header_rewritten_to_another_transfer_and_resigned_by_the_sender_fails_gcm() throws Exception {
        // Even the sender cannot re-address a sealed package: the header is GCM associated data and HKDF input.
        final SealedPackage original = SealedPackage.decode(sealedForB());
        final SealedPackage.Header header = original.header();
        final SealedPackage.Header moved = new SealedPackage.Header("info-transfer-2", header.senderMeterId(),
                header.recipientMeterId(), header.itemName(), header.contentType(), header.ephemeralPublicKey(),
                header.nonce());
        final byte[] ciphertext = original.ciphertext();
        final byte[] readdressed = SealedPackage.of(moved, ciphertext, meterA.signer("meter-A").sign(
                java.security.MessageDigest.getInstance("SHA-256").digest(SealedPackage.signedBytes(moved, ciphertext))))
                .encode();

        assertThatThrownBy(() -> unsealAsB(readdressed, new Addressing("info-transfer-2", "meter-A", "meter-B")))
                .isInstanceOfSatisfying(SealingException.class,
                        refused -> assertThat(refused.reason()).isEqualTo(SealingException.Reason.DECRYPTION_FAILED));
    }

    @Test
    void a_package_signed_by_another_key_is_rejected_before_the_token_is_asked() throws Exception {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        final KeyPair forger = generator.generateKeyPair();
        final Signer forgedPsd = digest -> {
            final Signature signature = Signature.getInstance("NONEwithECDSA");
            signature.initSign(forger.getPrivate());
            signature.update(digest);
            return signature.sign();
        };
        final byte[] forged = Sealing.seal(RATE_TABLE, A_TO_B, keyB, forgedPsd);
        final boolean[] tokenAsked = {false};

        assertThatThrownBy(() -> Sealing.unseal(forged, A_TO_B, keyA, sealedPackage -> {
            tokenAsked[0] = true;
            return RecipientPsd.throughBridge(meterB, "meter-B").open(sealedPackage);
        })).isInstanceOfSatisfying(SealingException.class,
                refused -> assertThat(refused.reason()).isEqualTo(SealingException.Reason.BAD_SIGNATURE));
        assertThat(tokenAsked[0]).isFalse();
    }

    @Test
    void content_over_the_limit_is_refused_and_content_at_the_limit_round_trips() throws Exception {
        assertThatThrownBy(() -> new SecureItem("firmware", "application/octet-stream",
                new byte[SealedPackage.MAX_CONTENT_BYTES + 1])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most " + SealedPackage.MAX_CONTENT_BYTES);

        final SecureItem largest = new SecureItem("firmware", "application/octet-stream",
                new byte[SealedPackage.MAX_CONTENT_BYTES]);
        final byte[] sealed = Sealing.seal(largest, A_TO_B, keyB, meterA.signer("meter-A"));

        assertThat(sealed.length).isLessThanOrEqualTo(SealedPackage.MAX_PACKAGE_BYTES);
        assertThat(unsealAsB(sealed, A_TO_B)).isEqualTo(largest);
    }

    @Test
    void an_oversize_or_truncated_package_is_malformed() throws Exception {
        final byte[] sealed = sealedForB();
        final byte[] oversize = new byte[SealedPackage.MAX_PACKAGE_BYTES + 1];
        final byte[] truncated = java.util.Arrays.copyOf(sealed, sealed.length - 1);
        final byte[] extended = java.util.Arrays.copyOf(sealed, sealed.length + 1);

        for (final byte[] bad : new byte[][] {oversize, truncated, extended}) {
            assertThatThrownBy(() -> unsealAsB(bad, A_TO_B)).isInstanceOfSatisfying(SealingException.class,
                    refused -> assertThat(refused.reason()).isEqualTo(SealingException.Reason.MALFORMED));
        }
    }

    @Test
    void the_sender_psd_refuses_to_sign_for_another_meter() throws Exception {
        assertThatThrownBy(() -> Sealing.seal(RATE_TABLE, A_TO_B, keyB, meterC.signer("meter-A")))
                .isInstanceOfSatisfying(SealingException.class,
                        refused -> assertThat(refused.reason()).isEqualTo(SealingException.Reason.SEALING_FAILED));
    }
}
