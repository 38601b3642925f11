package org.postalfunds.hsm.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.google.protobuf.ByteString;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postalfunds.hsm.proto.DigestSignature;
import org.postalfunds.hsm.proto.PsdBridgeGrpc;
import org.postalfunds.hsm.proto.SignDigestRequest;
import org.postalfunds.hsm.proto.SignDigestResponse;
import org.postalfunds.hsm.proto.SignDigestsRequest;
import org.postalfunds.hsm.proto.SignDigestsResponse;

/**
 * The coalescer's queue is bounded: while a slow bridge holds the one request in flight, callers queue up to the
 * limit, the next is refused at once with RESOURCE_EXHAUSTED, and the queued ones are still signed when the bridge
 * answers. The bridge here is a gRPC server with a software key that answers only when the test lets it (plain
 * text: what is under test is the client's queue; TLS and the real token are tested in BridgeBatchSigningTest).
 */
class SigningQueueLimitTest {
    private static final int QUEUE_LIMIT = 8;

    private final CountDownLatch bridgeMayAnswer = new CountDownLatch(1);
    private final AtomicInteger requestsReceived = new AtomicInteger();
    private KeyPair meterKey;
    private Server server;
    private ManagedChannel channel;
    private ExecutorService callers;

    @BeforeEach
    void slowBridge() throws Exception {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        meterKey = generator.generateKeyPair();
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new PsdBridgeGrpc.PsdBridgeImplBase() {
                    @Override
                    public void signDigest(final SignDigestRequest request, final StreamObserver<SignDigestResponse> out) {
                        requestsReceived.incrementAndGet();
                        awaitPermission();
                        out.onNext(SignDigestResponse.newBuilder().setSignature(sign(request.getDigest())).build());
                        out.onCompleted();
                    }

                    @Override
                    public void signDigests(final SignDigestsRequest request, final StreamObserver<SignDigestsResponse> out) {
                        requestsReceived.incrementAndGet();
                        awaitPermission();
                        final SignDigestsResponse.Builder response = SignDigestsResponse.newBuilder();
                        request.getDigestsList().forEach(digest -> response.addResults(
                                DigestSignature.newBuilder().setSignature(sign(digest))));
                        out.onNext(response.build());
                        out.onCompleted();
                    }
                })
                .build().start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        callers = Executors.newFixedThreadPool(QUEUE_LIMIT + 2);
    }

    @AfterEach
    void stop() throws InterruptedException {
        bridgeMayAnswer.countDown();
        callers.shutdownNow();
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void a_caller_finding_the_queue_full_is_refused_at_once_and_the_queued_ones_are_still_signed() throws Exception {
        final PsdBridgeGrpc.PsdBridgeBlockingStub blocking = PsdBridgeGrpc.newBlockingStub(channel);
        final SigningCoalescer coalescer = new SigningCoalescer("meter-q1",
                () -> PsdBridgeGrpc.newStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS),
                digest -> blocking.withDeadlineAfter(30, TimeUnit.SECONDS).signDigest(SignDigestRequest.newBuilder()
                        .setMeterId("meter-q1").setDigest(ByteString.copyFrom(digest)).build()).getSignature().toByteArray(),
                64, 1, QUEUE_LIMIT, TimeUnit.SECONDS.toNanos(60));

        final List<byte[]> digests = new ArrayList<>();
        final List<Future<byte[]>> signatures = new ArrayList<>();
        // The first caller takes the one slot and waits on the slow bridge.
        digests.add(digest(0));
        signatures.add(callers.submit(() -> coalescer.sign(digests.get(0))));
        awaitTrue(() -> requestsReceived.get() == 1);
        // The next ones queue behind it, up to the limit.
        for (int i = 1; i <= QUEUE_LIMIT; i++) {
            final byte[] digest = digest(i);
            digests.add(digest);
            signatures.add(callers.submit(() -> coalescer.sign(digest)));
        }
        awaitTrue(() -> coalescer.queued() == QUEUE_LIMIT);

        final long refusedAt = System.nanoTime();
        assertThatThrownBy(() -> coalescer.sign(digest(99)))
                .isInstanceOfSatisfying(BridgeException.class, refusal -> {
                    assertThat(refusal.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                    assertThat(refusal.operation()).isEqualTo("SignDigest");
                    assertThat(refusal.meterId()).isEqualTo("meter-q1");
                })
                .hasMessageContaining("signing queue of meter-q1 is full (8 digests waiting, at most 8)");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - refusedAt)).as("refused without waiting")
                .isLessThan(1_000);
        assertThat(coalescer.queued()).as("the refused digest took no place").isEqualTo(QUEUE_LIMIT);

        bridgeMayAnswer.countDown();
        for (int i = 0; i < digests.size(); i++) {
            assertThat(verifies(digests.get(i), signatures.get(i).get(30, TimeUnit.SECONDS))).as("signature %d", i).isTrue();
        }
        // The queued eight left as one SignDigests request after the first; the queue is empty and usable again.
        assertThat(requestsReceived).hasValue(2);
        assertThat(coalescer.queued()).isZero();
        final byte[] later = digest(100);
        assertThat(verifies(later, coalescer.sign(later))).isTrue();
    }

    @Test
    void the_client_builder_bounds_the_queue_limit() {
        assertThatThrownBy(() -> PsdBridgeClient.newBuilder().signingQueueLimit(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 65536");
        assertThatThrownBy(() -> PsdBridgeClient.newBuilder().signingQueueLimit(65_537))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(PsdBridgeClient.Builder.DEFAULT_SIGNING_QUEUE_LIMIT).isEqualTo(1024);
    }

    private void awaitPermission() {
        try {
            if (!bridgeMayAnswer.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never let the bridge answer");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private ByteString sign(final ByteString digest) {
        try {
            final Signature signer = Signature.getInstance("NONEwithECDSA");
            signer.initSign(meterKey.getPrivate());
            signer.update(digest.toByteArray());
            return ByteString.copyFrom(signer.sign());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private boolean verifies(final byte[] digest, final byte[] signature) throws Exception {
        final Signature verifier = Signature.getInstance("NONEwithECDSA");
        verifier.initVerify(meterKey.getPublic());
        verifier.update(digest);
        return verifier.verify(signature);
    }

    private static byte[] digest(final int i) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(("queued " + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    private static void awaitTrue(final java.util.function.BooleanSupplier condition) throws InterruptedException {
        final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("condition not met within 20 s");
            }
            Thread.sleep(5);
        }
    }
}
