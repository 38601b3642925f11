package org.postalfunds.hsm.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.ByteString;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.hyperledger.fabric.client.identity.Signer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postalfunds.hsm.client.BridgeException;
import org.postalfunds.hsm.client.BridgeStats;
import org.postalfunds.hsm.client.PsdBridgeClient;
import org.postalfunds.hsm.crypto.EcdsaSignatures;
import org.postalfunds.hsm.crypto.PublicKeys;
import org.postalfunds.hsm.proto.DigestSignature;
import org.postalfunds.hsm.proto.PsdBridgeGrpc;
import org.postalfunds.hsm.proto.SignDigestsRequest;
import org.postalfunds.hsm.proto.SignDigestsResponse;
import org.postalfunds.hsm.testing.BridgeFixture;

/**
 * SignDigests (many digests per request) and the client's coalescing of concurrent signDigest calls into it,
 * on a real SoftHSM2 token over mutual TLS.
 */
class BridgeBatchSigningTest {
    private static final String METER = "meter-b001";
    private static final String OTHER_METER = "meter-b002";

    private static BridgeFixture bridge;
    private static ECPublicKey meterKey;
    private static PsdBridgeClient operator;
    private static PsdBridgeClient meterClient;

    @BeforeAll
    static void startBridge() throws Exception {
        bridge = BridgeFixture.start("batch");
        operator = bridge.operator();
        meterKey = operator.createMeterKey(METER).publicKey();
        operator.createMeterKey(OTHER_METER);
        meterClient = bridge.meter(METER);
    }

    @AfterAll
    static void stopBridge() throws Exception {
        meterClient.close();
        operator.close();
        bridge.close();
    }

    @Test
    void a_batch_of_64_digests_is_signed_in_one_request_and_every_signature_verifies_and_is_low_s() throws Exception {
        final List<byte[]> digests = digests("full batch", PsdBridgeClient.MAX_DIGESTS_PER_REQUEST);
        final long requestsBefore = operator.stats().total("SignDigests");

        final List<byte[]> signatures = meterClient.signDigests(METER, digests);

        assertThat(operator.stats().total("SignDigests") - requestsBefore).isEqualTo(1);
        assertThat(signatures).hasSize(digests.size());
        for (int i = 0; i < digests.size(); i++) {
            assertValid(digests.get(i), signatures.get(i), "signature " + i);
        }
    }

    @Test
    void the_client_splits_a_longer_list_into_requests_of_at_most_64() throws Exception {
        final List<byte[]> digests = digests("long list", 150);
        final long requestsBefore = operator.stats().total("SignDigests");

        final List<byte[]> signatures = meterClient.signDigests(METER, digests);

        assertThat(operator.stats().total("SignDigests") - requestsBefore).isEqualTo(3);
        for (int i = 0; i < digests.size(); i++) {
            assertValid(digests.get(i), signatures.get(i), "signature " + i);
        }
    }

    @Test
    void more_than_64_digests_in_one_request_are_refused_whole_with_invalid_argument_and_nothing_is_signed()
            throws Exception {
        final List<byte[]> digests = digests("oversized", PsdBridgeClient.MAX_DIGESTS_PER_REQUEST + 1);
        final int auditBefore = bridge.auditLines().size();

        assertThatThrownBy(() -> rawSignDigests(METER, METER, digests))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("1 to 64 digests", "got 65");
                });
        assertThatThrownBy(() -> rawSignDigests(METER, METER, List.of()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("got 0");
                });

        final List<String> newLines = bridge.auditLines().subList(auditBefore, bridge.auditLines().size());
        assertThat(newLines).filteredOn(line -> line.contains("op=SignDigests")).hasSize(2)
                .allSatisfy(line -> assertThat(line).contains("meter=" + METER, "outcome=INVALID_ARGUMENT")
                        .doesNotContain("digest="));
    }

    @Test
    void a_batch_for_another_meters_key_is_refused_whole_and_each_digest_is_audited_as_refused() throws Exception {
        final List<byte[]> digests = digests("not yours", 5);

        // The request names one meter; the caller (meter-b002's client) is not that meter: nothing is signed.
        assertThatThrownBy(() -> rawSignDigests(OTHER_METER, METER, digests))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
        try (PsdBridgeClient otherMeter = bridge.meter(OTHER_METER)) {
            assertThatThrownBy(() -> otherMeter.signDigests(METER, digests))
                    .isInstanceOfSatisfying(BridgeException.class, e -> {
                        assertThat(e.code()).isEqualTo(Status.Code.PERMISSION_DENIED);
                        assertThat(e.operation()).isEqualTo("SignDigests");
                    });
        }
        // An operator may not sign either.
        assertThatThrownBy(() -> operator.signDigests(METER, digests))
                .isInstanceOfSatisfying(BridgeException.class,
                        e -> assertThat(e.code()).isEqualTo(Status.Code.PERMISSION_DENIED));

        final List<String> lines = bridge.auditLines();
        for (final byte[] digest : digests) {
            final String prefix = "digest=" + HexFormat.of().formatHex(digest, 0, 4);
            assertThat(lines).filteredOn(line -> line.contains(prefix))
                    .hasSize(3)
                    .allSatisfy(line -> assertThat(line).contains("op=SignDigests", "meter=" + METER,
                            "outcome=PERMISSION_DENIED"));
        }
    }

    @Test
    void a_digest_of_the_wrong_length_is_refused_alone_and_the_rest_of_its_batch_is_signed() throws Exception {
        final List<byte[]> digests = new ArrayList<>(digests("mixed lengths", 4));
        digests.add(2, new byte[48]);

        final SignDigestsResponse response = rawSignDigests(METER, METER, digests);

        assertThat(response.getResultsCount()).isEqualTo(5);
        for (int i = 0; i < 5; i++) {
            final DigestSignature result = response.getResults(i);
            if (i == 2) {
                assertThat(result.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
                assertThat(result.getDetail()).contains("32 bytes", "got 48");
                assertThat(result.getSignature().isEmpty()).isTrue();
            } else {
                assertThat(result.getCode()).isZero();
                assertValid(digests.get(i), result.getSignature().toByteArray(), "signature " + i);
            }
        }
        assertThatThrownBy(() -> meterClient.signDigests(METER, digests))
                .isInstanceOfSatisfying(BridgeException.class, e -> {
                    assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).contains("digest 2", "got 48");
                });
    }

    @Test
    void a_meter_without_a_key_is_refused_whole_with_not_found() throws Exception {
        try (PsdBridgeClient unknown = bridge.meter("meter-b404")) {
            assertThatThrownBy(() -> unknown.signDigests("meter-b404", digests("no key", 3)))
                    .isInstanceOfSatisfying(BridgeException.class,
                            e -> assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND));
        }
    }

    @Test
    void concurrent_signers_are_coalesced_and_each_caller_gets_its_own_signature_audited_once() throws Exception {
        final int threads = 24;
        final int perThread = 40;
        final BridgeStats before = operator.stats();
        final ConcurrentLinkedQueue<byte[][]> signed = new ConcurrentLinkedQueue<>();
        final CyclicBarrier start = new CyclicBarrier(threads);
        final ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            final List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                final int thread = t;
                // Half the callers use the client, half the Fabric Gateway Signer over the same client.
                final Signer signer = meterClient.signer(METER);
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        final byte[] digest = digest("caller " + thread + " call " + i);
                        final byte[] signature = thread % 2 == 0 ? meterClient.signDigest(METER, digest) : signer.sign(digest);
                        signed.add(new byte[][] {digest, signature});
                    }
                    return null;
                }));
            }
            for (final Future<?> future : done) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(signed).hasSize(threads * perThread);
        for (final byte[][] pair : signed) {
            assertValid(pair[0], pair[1], "signature for digest " + HexFormat.of().formatHex(pair[0]));
        }
        final BridgeStats after = operator.stats();
        final long batches = after.count("SignDigests", "OK") - before.count("SignDigests", "OK");
        final long singles = after.count("SignDigest", "OK") - before.count("SignDigest", "OK");
        assertThat(batches).as("SignDigests requests").isPositive();
        assertThat(batches + singles).as("requests for %d signatures", threads * perThread).isLessThan(threads * perThread);

        // One audit line per signature, each with its own digest's prefix; none refused.
        final List<String> lines = bridge.auditLines();
        for (final byte[][] pair : signed) {
            final String prefix = "digest=" + HexFormat.of().formatHex(pair[0], 0, 4);
            assertThat(lines).filteredOn(line -> line.contains(prefix)).as(prefix).singleElement()
                    .satisfies(line -> assertThat(line).containsPattern("op=SignDigests? meter=" + METER)
                            .contains("CN=" + METER, "outcome=OK"));
        }
    }

    @Test
    void concurrent_callers_get_their_own_refusals_while_the_others_are_signed() throws Exception {
        final ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            final List<Future<Object>> results = new ArrayList<>();
            for (int t = 0; t < 64; t++) {
                final int call = t;
                results.add(pool.submit(() -> {
                    try {
                        return call % 8 == 3 ? meterClient.signDigest(METER, new byte[20])
                                : meterClient.signDigest(METER, digest("mixed call " + call));
                    } catch (BridgeException e) {
                        return e;
                    }
                }));
            }
            for (int t = 0; t < 64; t++) {
                final Object outcome = results.get(t).get(60, TimeUnit.SECONDS);
                if (t % 8 == 3) {
                    assertThat(outcome).isInstanceOfSatisfying(BridgeException.class, e -> {
                        assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(e.operation()).isEqualTo("SignDigest");
                        assertThat(e.getMessage()).contains("got 20");
                    });
                } else {
                    assertValid(digest("mixed call " + t), (byte[]) outcome, "call " + t);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void a_client_with_several_signing_requests_in_flight_still_gives_every_caller_its_own_signature()
            throws Exception {
        try (PsdBridgeClient client = bridge.builderFor(bridge.pki().client(METER, "client"))
                .signingRequestsInFlight(3).signingBatchSize(8).build()) {
            final ExecutorService pool = Executors.newFixedThreadPool(32);
            try {
                final List<Future<byte[]>> results = new ArrayList<>();
                for (int t = 0; t < 600; t++) {
                    final byte[] digest = digest("three in flight " + t);
                    results.add(pool.submit(() -> client.signDigest(METER, digest)));
                }
                for (int t = 0; t < 600; t++) {
                    assertValid(digest("three in flight " + t), results.get(t).get(60, TimeUnit.SECONDS), "call " + t);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void a_client_with_coalescing_off_sends_every_digest_alone() throws Exception {
        try (PsdBridgeClient alone = bridge.builderFor(bridge.pki().client(METER, "client")).signingBatchSize(1).build()) {
            final long batchesBefore = operator.stats().total("SignDigests");
            final ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                final List<Future<byte[]>> results = new ArrayList<>();
                for (int t = 0; t < 40; t++) {
                    final byte[] digest = digest("alone " + t);
                    results.add(pool.submit(() -> alone.signDigest(METER, digest)));
                }
                for (int t = 0; t < 40; t++) {
                    assertValid(digest("alone " + t), results.get(t).get(60, TimeUnit.SECONDS), "call " + t);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(operator.stats().total("SignDigests")).isEqualTo(batchesBefore);
        }
    }

    private static SignDigestsResponse rawSignDigests(final String callerMeter, final String meterId,
            final List<byte[]> digests) throws Exception {
        final ManagedChannel channel = bridge.channel(bridge.pki().client(callerMeter, "client"));
        try {
            final SignDigestsRequest.Builder request = SignDigestsRequest.newBuilder().setMeterId(meterId);
            digests.forEach(digest -> request.addDigests(ByteString.copyFrom(digest)));
            return PsdBridgeGrpc.newBlockingStub(channel).signDigests(request.build());
        } finally {
            BridgeFixture.shutdown(channel);
        }
    }

    private static void assertValid(final byte[] digest, final byte[] signature, final String what) throws Exception {
        final Signature verifier = Signature.getInstance("NONEwithECDSA");
        verifier.initVerify(meterKey);
        verifier.update(digest);
        assertThat(verifier.verify(signature)).as("%s verifies", what).isTrue();
        assertThat(EcdsaSignatures.isLowS(signature, PublicKeys.p256().getOrder())).as("%s is low-S", what).isTrue();
    }

    private static List<byte[]> digests(final String label, final int count) throws Exception {
        final List<byte[]> digests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            digests.add(digest(label + " " + i));
        }
        return digests;
    }

    private static byte[] digest(final String text) throws Exception {
        return java.security.MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
