package org.postalfunds.hsm.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.SignatureException;
import java.util.HexFormat;

import io.grpc.Status;
import org.hyperledger.fabric.client.Hash;
import org.hyperledger.fabric.client.identity.Signer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postalfunds.hsm.client.BridgeException;
import org.postalfunds.hsm.client.MeterPublicKey;
import org.postalfunds.hsm.client.PsdBridgeClient;
import org.postalfunds.hsm.crypto.EcdsaSignatures;
import org.postalfunds.hsm.crypto.PublicKeys;
import org.postalfunds.hsm.testing.BridgeFixture;

/** Signing through the bridge over mutual TLS, on a real SoftHSM2 token. */
class BridgeSigningTest {
    private static final String METER = "meter-0001";

    private static BridgeFixture bridge;
    private static MeterPublicKey meterKey;
    private static PsdBridgeClient meterClient;

    @BeforeAll
    static void startBridge() throws Exception {
        bridge = BridgeFixture.start("signing");
        try (PsdBridgeClient operator = bridge.operator()) {
            meterKey = operator.createMeterKey(METER);
        }
        meterClient = bridge.meter(METER);
    }

    @AfterAll
    static void stopBridge() throws Exception {
        meterClient.close();
        bridge.close();
    }

    @Test
    void two_hundred_fifty_signatures_all_verify_with_the_meter_public_key_and_are_low_s() throws Exception {
        final MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < 250; i++) {
            final byte[] message = ("proposal " + i).getBytes(StandardCharsets.UTF_8);
            final byte[] signature = meterClient.signDigest(METER, sha256.digest(message));

            final Signature verifier = Signature.getInstance("SHA256withECDSA");
            verifier.initVerify(meterKey.publicKey());
            verifier.update(message);
            assertThat(verifier.verify(signature)).as("signature %d verifies", i).isTrue();
            assertThat(EcdsaSignatures.isLowS(signature, PublicKeys.p256().getOrder())).as("signature %d is low-S", i)
                    .isTrue();
            assertThat(EcdsaSignatures.normaliseDer(signature, PublicKeys.p256().getOrder()))
                    .as("signature %d is canonical DER", i).isEqualTo(signature);
        }
    }

    @Test
    void the_bridge_signer_signs_the_sha256_digest_the_fabric_gateway_hands_it() throws Exception {
        // What the Gateway does for every proposal and transaction: hash with its Hash.SHA256, call Signer.sign.
        final Signer signer = meterClient.signer(METER);
        final byte[] proposalBytes = "a serialized SignedProposal payload".getBytes(StandardCharsets.UTF_8);
        final byte[] signature = signer.sign(Hash.SHA256.apply(proposalBytes));

        // What a peer does: verify SHA256withECDSA over the bytes with the certificate's key, and demand low S.
        final Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(meterKey.certificate().getPublicKey());
        verifier.update(proposalBytes);
        assertThat(verifier.verify(signature)).isTrue();
        assertThat(EcdsaSignatures.isLowS(signature, PublicKeys.p256().getOrder())).isTrue();
    }

    @Test
    void a_client_with_several_connections_signs_over_each_of_them() throws Exception {
        try (PsdBridgeClient spread = bridge.builderFor(bridge.pki().client(METER, "client")).connections(3).build()) {
            for (int i = 0; i < 9; i++) {
                final byte[] digest = new byte[32];
                digest[31] = (byte) i;
                final Signature verifier = Signature.getInstance("NONEwithECDSA");
                verifier.initVerify(meterKey.publicKey());
                verifier.update(digest);
                assertThat(verifier.verify(spread.signDigest(METER, digest))).isTrue();
            }
        }
    }

    @ParameterizedTest(name = "a digest of {0} bytes is refused")
    @ValueSource(ints = {0, 1, 31, 33, 48, 64})
    void a_digest_that_is_not_32_bytes_is_refused_with_invalid_argument(final int length) {
        assertThatThrownBy(() -> meterClient.signDigest(METER, new byte[length]))
                .isInstanceOfSatisfying(BridgeException.class, e -> {
                    assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.operation()).isEqualTo("SignDigest");
                    assertThat(e.meterId()).isEqualTo(METER);
                })
                .hasMessageContaining("32 bytes").hasMessageContaining("got " + length);
    }

    @Test
    void a_meter_without_a_key_in_the_token_is_not_found() throws Exception {
        try (PsdBridgeClient unknownMeter = bridge.meter("meter-unregistered")) {
            assertThatThrownBy(() -> unknownMeter.signDigest("meter-unregistered", new byte[32]))
                    .isInstanceOfSatisfying(BridgeException.class,
                            e -> assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND))
                    .hasMessageContaining("meter-unregistered");
        }
    }

    @Test
    void the_bridge_signer_reports_a_refusal_as_a_signature_exception_with_the_cause() {
        final Signer signer = meterClient.signer(METER);

        assertThatThrownBy(() -> signer.sign(new byte[48]))
                .isInstanceOf(SignatureException.class)
                .hasCauseInstanceOf(BridgeException.class)
                .hasMessageContaining("INVALID_ARGUMENT");
    }

    @Test
    void every_signing_request_is_audited_with_meter_digest_prefix_caller_and_outcome() throws Exception {
        final byte[] digest = MessageDigest.getInstance("SHA-256").digest("audited indicium".getBytes(StandardCharsets.UTF_8));
        meterClient.signDigest(METER, digest);
        try (PsdBridgeClient otherMeter = bridge.meter("meter-0002")) {
            assertThatThrownBy(() -> otherMeter.signDigest(METER, digest)).isInstanceOf(BridgeException.class);
        }

        final String prefix = HexFormat.of().formatHex(digest, 0, 4);
        assertThat(bridge.auditLines())
                .anySatisfy(line -> assertThat(line).contains("op=SignDigest", "meter=" + METER, "digest=" + prefix,
                        "CN=" + METER, "outcome=OK"))
                .anySatisfy(line -> assertThat(line).contains("op=SignDigest", "meter=" + METER, "digest=" + prefix,
                        "CN=meter-0002", "outcome=PERMISSION_DENIED"))
                .allSatisfy(line -> assertThat(line).matches("^\\d{4}-\\d{2}-\\d{2}T\\S+Z op=\\S+ .*outcome=[A-Z_]+.*")
                        .doesNotContain(HexFormat.of().formatHex(digest)).doesNotContain(bridge.token().pin()));
    }
}
