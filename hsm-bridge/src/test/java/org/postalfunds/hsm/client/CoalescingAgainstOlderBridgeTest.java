package org.postalfunds.hsm.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.Signature;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.google.protobuf.ByteString;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;
import org.postalfunds.hsm.crypto.EcdsaSignatures;
import org.postalfunds.hsm.crypto.Pem;
import org.postalfunds.hsm.crypto.PublicKeys;
import org.postalfunds.hsm.enrol.OrgCertificateAuthority;
import org.postalfunds.hsm.proto.PsdBridgeGrpc;
import org.postalfunds.hsm.proto.SignDigestRequest;
import org.postalfunds.hsm.proto.SignDigestResponse;
import org.postalfunds.hsm.testing.TestPki;

/**
 * The coalescing client against a bridge from before SignDigests (answers UNIMPLEMENTED): every caller still
 * gets its own signature, sent as SignDigest requests. The "bridge" here is a stand-in with a software key over
 * the same mutual TLS; the real bridge is tested in BridgeBatchSigningTest.
 */
class CoalescingAgainstOlderBridgeTest {
    @Test
    void concurrent_signers_fall_back_to_one_request_per_digest_when_the_bridge_has_no_signdigests() throws Exception {
        final Path directory = Files.createTempDirectory(Files.createDirectories(Path.of("target", "old-bridge")), "pki");
        final TestPki pki = new TestPki(directory);
        final TestPki.ServerFiles files = pki.writeServerFiles();
        final KeyPair meterKey = OrgCertificateAuthority.newP256KeyPair();
        final AtomicInteger singleRequests = new AtomicInteger();
        final AtomicInteger batchAttempts = new AtomicInteger();
        final PsdBridgeGrpc.PsdBridgeImplBase olderBridge = new PsdBridgeGrpc.PsdBridgeImplBase() {
            @Override
            public void signDigest(final SignDigestRequest request, final StreamObserver<SignDigestResponse> response) {
                singleRequests.incrementAndGet();
                try {
                    final Signature signer = Signature.getInstance("NONEwithECDSA");
                    signer.initSign(meterKey.getPrivate());
                    signer.update(request.getDigest().toByteArray());
                    response.onNext(SignDigestResponse.newBuilder().setSignature(ByteString.copyFrom(
                            EcdsaSignatures.normaliseDer(signer.sign(), PublicKeys.p256().getOrder()))).build());
                    response.onCompleted();
                } catch (Exception e) {
                    response.onError(e);
                }
            }
        };
        final Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .sslContext(GrpcSslContexts.configure(SslContextBuilder.forServer(
                                Pem.readPrivateKey(files.privateKeyFile()),
                                Pem.readCertificates(files.certificateFile()).toArray(java.security.cert.X509Certificate[]::new)))
                        .trustManager(pki.caCertificate()).clientAuth(ClientAuth.REQUIRE).build())
                .addService(ServerInterceptors.intercept(olderBridge, new ServerInterceptor() {
                    @Override
                    public <Q, R> ServerCall.Listener<Q> interceptCall(final ServerCall<Q, R> call, final Metadata headers,
                            final ServerCallHandler<Q, R> next) {
                        if (call.getMethodDescriptor().getBareMethodName().equals("SignDigests")) {
                            batchAttempts.incrementAndGet();
                        }
                        return next.startCall(call, headers);
                    }
                }))
                .build().start();
        final ExecutorService pool = Executors.newFixedThreadPool(32);
        final TestPki.ClientCredentials meter = pki.client("meter-old1", "client");
        try (PsdBridgeClient client = PsdBridgeClient.newBuilder()
                .target("127.0.0.1", ((InetSocketAddress) server.getListenSockets().get(0)).getPort())
                .trustedCertificates(List.of(pki.caCertificate()))
                .clientCertificate(meter.certificate(), meter.privateKey())
                .build()) {
            final List<byte[]> digests = new ArrayList<>();
            final List<Future<byte[]>> signatures = new ArrayList<>();
            for (int i = 0; i < 240; i++) {
                final byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(("old " + i).getBytes());
                digests.add(digest);
                signatures.add(pool.submit(() -> client.signDigest("meter-old1", digest)));
            }
            for (int i = 0; i < digests.size(); i++) {
                final Signature verifier = Signature.getInstance("NONEwithECDSA");
                verifier.initVerify(meterKey.getPublic());
                verifier.update(digests.get(i));
                assertThat(verifier.verify(signatures.get(i).get(60, TimeUnit.SECONDS))).as("signature %d", i).isTrue();
            }
            assertThat(singleRequests).hasValue(240);
            // The client tried a batch, heard UNIMPLEMENTED, and stopped trying.
            assertThat(batchAttempts.get()).isBetween(1, 8);
        } finally {
            pool.shutdownNow();
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
