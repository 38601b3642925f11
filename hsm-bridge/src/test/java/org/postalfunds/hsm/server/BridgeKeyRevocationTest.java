package org.postalfunds.hsm.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.Signature;
import java.util.List;
import io.grpc.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postalfunds.hsm.MeterSubject;
import org.postalfunds.hsm.client.BridgeException;
import org.postalfunds.hsm.client.MeterPublicKey;
import org.postalfunds.hsm.client.PsdBridgeClient;
import org.postalfunds.hsm.pkcs11.PsdToken;
import org.postalfunds.hsm.pkcs11.TokenException;
import org.postalfunds.hsm.testing.BridgeFixture;
import org.postalfunds.hsm.testing.TestPackages;

/**
 * A failed PSD at the bridge (issue 19): the operator revokes the meter's key on a real SoftHSM2 token; its private
 * key objects are destroyed in the token, and every later request for the meter is refused with FAILED_PRECONDITION
 * "METER_KEY_REVOKED:", after a restart too, while other meters sign on.
 */
class BridgeKeyRevocationTest {
    private static BridgeFixture bridge;
    private static PsdBridgeClient operator;

    @BeforeAll
    static void startBridge() throws Exception {
        bridge = BridgeFixture.start("revocation");
        operator = bridge.operator();
    }

    @AfterAll
    static void stopBridge() throws Exception {
        operator.close();
        bridge.close();
    }

    private static void refusedAsRevoked(final Runnable call) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(BridgeException.class, e -> {
            assertThat(e.code()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(e.keyRevoked()).as(e.getMessage()).isTrue();
        });
    }

    @Test
    void a_revoked_key_signs_unseals_and_is_created_never_again_and_its_private_keys_are_gone_from_the_token()
            throws Exception {
        // (a sealed package is checked for form before the token is asked, so the one used below is well formed)
        final MeterPublicKey key = operator.createMeterKey("meter-failed");
        operator.createMeterKey("meter-other");
        final byte[] digest = new byte[32];
        try (PsdBridgeClient meter = bridge.meter("meter-failed")) {
            final Signature verifier = Signature.getInstance("NONEwithECDSA");
            verifier.initVerify(key.publicKey());
            verifier.update(digest);
            assertThat(verifier.verify(meter.signDigest("meter-failed", digest))).isTrue();

            // Only an operator revokes; a meter cannot, not even its own key.
            assertThatThrownBy(() -> meter.revokeMeterKey("meter-failed", "self"))
                    .isInstanceOfSatisfying(BridgeException.class,
                            e -> assertThat(e.code()).isEqualTo(Status.Code.PERMISSION_DENIED));
            assertThat(operator.revokeMeterKey("meter-failed", "PSD tamper alarm")).isFalse();

            refusedAsRevoked(() -> meter.signDigest("meter-failed", digest));
            refusedAsRevoked(() -> meter.signDigests("meter-failed", List.of(digest, digest)));
            refusedAsRevoked(() -> meter.publicKey("meter-failed"));
            final byte[] sealed = TestPackages.sealTo(key.keyAgreement().orElseThrow().getPublicKey(), "meter-sender",
                    "meter-failed", new byte[] {1, 2, 3});
            refusedAsRevoked(() -> meter.unsealPackage("meter-failed", sealed));
        }
        refusedAsRevoked(() -> operator.createCsr(MeterSubject.client("meter-failed", "Org1")));
        refusedAsRevoked(() -> operator.createMeterKey("meter-failed"));
        // Revoking again changes nothing; a meter the token never knew is not found.
        assertThat(operator.revokeMeterKey("meter-failed", "again")).isTrue();
        assertThatThrownBy(() -> operator.revokeMeterKey("meter-never", "lost"))
                .isInstanceOfSatisfying(BridgeException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND));
        try (PsdBridgeClient other = bridge.meter("meter-other")) {
            assertThat(other.signDigest("meter-other", digest)).isNotEmpty();
        }
        assertThat(bridge.auditLines()).anySatisfy(line -> assertThat(line)
                .contains("op=RevokeMeterKey", "meter=meter-failed", "outcome=OK"));
        assertThat(bridge.auditLines()).anySatisfy(line -> assertThat(line)
                .contains("op=SignDigest ", "meter=meter-failed", "outcome=FAILED_PRECONDITION"));

        // In the token itself: no private key object of the meter is left, and the revocation is recorded there.
        bridge.stopServer();
        try (PsdToken token = PsdToken.open(bridge.token().config())) {
            assertThat(token.privateKeyObjects("meter-failed")).isZero();
            assertThat(token.privateKeyObjects("meter-other")).isEqualTo(2);
            assertThat(token.isRevoked("meter-failed")).isTrue();
            assertThat(token.isRevoked("meter-other")).isFalse();
            assertThat(token.meterIds()).contains("meter-other").doesNotContain("meter-failed");
        }
        // A restarted bridge (a new provider instance) knows it from the token alone.
        bridge.startServer();
        operator.close();
        operator = bridge.operator();
        try (PsdBridgeClient meter = bridge.meter("meter-failed")) {
            refusedAsRevoked(() -> meter.signDigest("meter-failed", digest));
        }
    }
}
