package org.postalfunds.hsm.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.grpc.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postalfunds.hsm.crypto.EcdsaSignatures;
import org.postalfunds.hsm.crypto.PublicKeys;
import org.postalfunds.hsm.testing.BridgeFixture;

/** Signing over one long-lived SignDigestStream: same answers, same refusals, same audit as a call each. */
class SigningStreamTest {
    private static final String METER = "meter-stream";

    private static BridgeFixture bridge;
    private static ECPublicKey publicKey;

    @BeforeAll
    static void startBridge() throws Exception {
        bridge = BridgeFixture.start("stream");
        try (PsdBridgeClient operator = bridge.operator()) {
            publicKey = operator.createMeterKey(METER).publicKey();
        }
    }

    @AfterAll
    static void stopBridge() throws Exception {
        bridge.close();
    }

    @Test
    void signatures_from_eight_threads_on_one_stream_each_answer_their_own_digest() throws Exception {
        final ExecutorService threads = Executors.newFixedThreadPool(8);
        try (PsdBridgeClient meter = streamingMeter()) {
            final List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 240; i++) {
                final int n = i;
                results.add(threads.submit(() -> {
                    final byte[] digest = MessageDigest.getInstance("SHA-256").digest(ByteBuffer.allocate(4).putInt(n).array());
                    final byte[] signature = meter.signDigest(METER, digest);
                    final Signature verifier = Signature.getInstance("NONEwithECDSA");
                    verifier.initVerify(publicKey);
                    verifier.update(digest);
                    return verifier.verify(signature) && EcdsaSignatures.isLowS(signature, PublicKeys.p256().getOrder());
                }));
            }
            for (final Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void a_refused_message_reports_its_status_and_the_stream_keeps_signing() throws Exception {
        try (PsdBridgeClient meter = streamingMeter()) {
            assertThatThrownBy(() -> meter.signDigest(METER, new byte[31]))
                    .isInstanceOfSatisfying(BridgeException.class,
                            e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
                    .hasMessageContaining("got 31");
            assertThatThrownBy(() -> meter.signDigest("meter-someone-else", new byte[32]))
                    .isInstanceOfSatisfying(BridgeException.class,
                            e -> assertThat(e.code()).isEqualTo(Status.Code.PERMISSION_DENIED));

            assertThat(meter.signDigest(METER, new byte[32])).isNotEmpty();
        }
    }

    @Test
    void stream_messages_are_audited_and_counted_like_sign_digest_calls() throws Exception {
        final long before;
        try (PsdBridgeClient operator = bridge.operator()) {
            before = operator.stats().count("SignDigest", "OK");
        }
        final byte[] digest = new byte[32];
        digest[0] = (byte) 0xab;
        digest[3] = (byte) 0xcd;
        try (PsdBridgeClient meter = streamingMeter()) {
            meter.signDigest(METER, digest);
            meter.signDigest(METER, digest);
        }

        try (PsdBridgeClient operator = bridge.operator()) {
            assertThat(operator.stats().count("SignDigest", "OK") - before).isEqualTo(2);
        }
        assertThat(bridge.auditLines()).anySatisfy(line -> assertThat(line)
                .contains("op=SignDigest", "meter=" + METER, "digest=ab0000cd", "outcome=OK"));
    }

    @Test
    void after_a_bridge_restart_the_next_signature_opens_a_new_stream() throws Exception {
        try (PsdBridgeClient meter = streamingMeter()) {
            assertThat(meter.signDigest(METER, new byte[32])).isNotEmpty();

            bridge.restartServerOnSamePort();

            // The old bridge ended the stream when it stopped; the same client reconnects with a new stream.
            final byte[] digest = new byte[32];
            final Signature verifier = Signature.getInstance("NONEwithECDSA");
            verifier.initVerify(publicKey);
            verifier.update(digest);
            assertThat(verifier.verify(meter.signDigest(METER, digest))).isTrue();
        }
    }

    private static PsdBridgeClient streamingMeter() throws Exception {
        return bridge.builderFor(bridge.pki().client(METER, "client")).signOverStream(true)
                .callTimeout(java.time.Duration.ofSeconds(5)).build();
    }
}
