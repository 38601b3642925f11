package org.postalfunds.hsm.client;

import java.security.InvalidKeyException;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import javax.net.ssl.SSLException;

import com.google.protobuf.ByteString;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import org.postalfunds.hsm.MeterIds;
import org.postalfunds.hsm.MeterSubject;
import org.postalfunds.hsm.crypto.Pem;
import org.postalfunds.hsm.crypto.PublicKeys;
import org.postalfunds.hsm.proto.CreateCsrRequest;
import org.postalfunds.hsm.proto.CreateMeterKeyRequest;
import org.postalfunds.hsm.proto.DeriveSharedSecretRequest;
import org.postalfunds.hsm.proto.GetPublicKeyRequest;
import org.postalfunds.hsm.proto.HealthRequest;
import org.postalfunds.hsm.proto.HealthResponse;
import org.postalfunds.hsm.proto.ImportCertificateRequest;
import org.postalfunds.hsm.proto.PsdBridgeGrpc;
import org.postalfunds.hsm.proto.RequestCounter;
import org.postalfunds.hsm.proto.SignDigestRequest;
import org.postalfunds.hsm.proto.StatsRequest;
import org.postalfunds.hsm.proto.StatsResponse;

final class PsdBridgeClientImpl implements PsdBridgeClient {
    static final String[] TLS_PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

    private final List<ManagedChannel> channels;
    private final List<PsdBridgeGrpc.PsdBridgeBlockingStub> stubs;
    private final AtomicInteger nextStub = new AtomicInteger();
    private final Duration callTimeout;

    PsdBridgeClientImpl(final PsdBridgeClient.Builder builder) {
        final SslContext sslContext = sslContext(builder);
        final List<ManagedChannel> opened = new ArrayList<>();
        final List<PsdBridgeGrpc.PsdBridgeBlockingStub> openedStubs = new ArrayList<>();
        for (int i = 0; i < builder.connections; i++) {
            final ManagedChannel channel = channel(builder, sslContext);
            opened.add(channel);
            openedStubs.add(PsdBridgeGrpc.newBlockingStub(channel));
        }
        this.channels = List.copyOf(opened);
        this.stubs = List.copyOf(openedStubs);
        this.callTimeout = builder.callTimeout;
    }

    private static ManagedChannel channel(final PsdBridgeClient.Builder builder, final SslContext sslContext) {
        final NettyChannelBuilder channelBuilder = NettyChannelBuilder.forAddress(builder.host, builder.port)
                .sslContext(sslContext)
                .maxInboundMessageSize(builder.maxInboundMessageBytes)
                .maxInboundMetadataSize(8 * 1024)
                .keepAliveTime(60, TimeUnit.SECONDS)
                .keepAliveTimeout(10, TimeUnit.SECONDS)
                .idleTimeout(10, TimeUnit.MINUTES);
        if (builder.authorityOverride != null) {
            channelBuilder.overrideAuthority(builder.authorityOverride);
        }
        return channelBuilder.build();
    }

    @Override
    public MeterPublicKey createMeterKey(final String meterId) {
        MeterIds.requireValid(meterId);
        return call("CreateMeterKey", meterId, () -> toMeterPublicKey(
                stub().createMeterKey(CreateMeterKeyRequest.newBuilder().setMeterId(meterId).build())));
    }

    @Override
    public MeterPublicKey publicKey(final String meterId) {
        MeterIds.requireValid(meterId);
        return call("GetPublicKey", meterId, () -> toMeterPublicKey(
                stub().getPublicKey(GetPublicKeyRequest.newBuilder().setMeterId(meterId).build())));
    }

    @Override
    public byte[] createCsr(final MeterSubject subject) {
        return call("CreateCsr", subject.meterId(), () -> stub().createCsr(CreateCsrRequest.newBuilder()
                .setMeterId(subject.meterId())
                .setOrganization(subject.organization())
                .setOrganizationalUnit(subject.organizationalUnit())
                .setCountry(subject.country())
                .build()).getDer().toByteArray());
    }

    @Override
    public MeterPublicKey importCertificate(final String meterId, final X509Certificate certificate) {
        MeterIds.requireValid(meterId);
        final ByteString encoded;
        try {
            encoded = ByteString.copyFrom(certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("the certificate cannot be encoded", e);
        }
        return call("ImportCertificate", meterId, () -> toMeterPublicKey(stub().importCertificate(
                ImportCertificateRequest.newBuilder().setMeterId(meterId).setCertificate(encoded).build())));
    }

    @Override
    public byte[] signDigest(final String meterId, final byte[] digest) {
        // No local length check: the bridge is the one place that enforces it (INVALID_ARGUMENT).
        return call("SignDigest", meterId, () -> stub().signDigest(SignDigestRequest.newBuilder()
                .setMeterId(meterId).setDigest(ByteString.copyFrom(digest)).build()).getSignature().toByteArray());
    }

    @Override
    public byte[] deriveSharedSecret(final String meterId, final PublicKey peerPublicKey) {
        return call("DeriveSharedSecret", meterId, () -> stub().deriveSharedSecret(DeriveSharedSecretRequest.newBuilder()
                .setMeterId(meterId).setPeerPublicKey(ByteString.copyFrom(peerPublicKey.getEncoded())).build())
                .getSharedSecret().toByteArray());
    }

    @Override
    public BridgeHealth health() {
        return call("Health", "", () -> {
            final HealthResponse response = stub().health(HealthRequest.getDefaultInstance());
            return new BridgeHealth(response.getStatus() == HealthResponse.ServingStatus.SERVING,
                    response.getTokenLabel(), response.getMeterKeyCount(), Duration.ofSeconds(response.getUptimeSeconds()),
                    response.getCallerSubject(), response.getCallerRole(), response.getDetail());
        });
    }

    @Override
    public BridgeStats stats() {
        return call("Stats", "", () -> {
            final StatsResponse response = stub().stats(StatsRequest.getDefaultInstance());
            final List<BridgeStats.Counter> counters = new ArrayList<>();
            for (final RequestCounter counter : response.getCountersList()) {
                counters.add(new BridgeStats.Counter(counter.getMethod(), counter.getOutcome(), counter.getCount()));
            }
            return new BridgeStats(counters, Duration.ofSeconds(response.getUptimeSeconds()));
        });
    }

    @Override
    public void close() {
        channels.forEach(ManagedChannel::shutdown);
        try {
            for (final ManagedChannel channel : channels) {
                if (!channel.awaitTermination(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    channel.shutdownNow();
                }
            }
        } catch (InterruptedException e) {
            channels.forEach(ManagedChannel::shutdownNow);
            Thread.currentThread().interrupt();
        }
    }

    private PsdBridgeGrpc.PsdBridgeBlockingStub stub() {
        final int index = Math.floorMod(nextStub.getAndIncrement(), stubs.size());
        return stubs.get(index).withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static <T> T call(final String operation, final String meterId, final Supplier<T> call) {
        try {
            return call.get();
        } catch (StatusRuntimeException e) {
            throw new BridgeException(operation, meterId, e);
        }
    }

    private static MeterPublicKey toMeterPublicKey(final org.postalfunds.hsm.proto.MeterPublicKey response) {
        try {
            final ECPublicKey publicKey = PublicKeys.decodeP256(response.getSubjectPublicKeyInfo().toByteArray());
            final X509Certificate certificate = Pem.certificate(response.getCertificate().toByteArray());
            if (!PublicKeys.sameKey(publicKey, certificate.getPublicKey())) {
                throw new IllegalStateException("the bridge returned a certificate for another key than meter "
                        + response.getMeterId() + "'s");
            }
            return new MeterPublicKey(response.getMeterId(), publicKey, certificate, response.getEnrolled());
        } catch (InvalidKeyException | CertificateException e) {
            throw new IllegalStateException("the bridge returned an unreadable key for meter " + response.getMeterId(), e);
        }
    }

    private static SslContext sslContext(final PsdBridgeClient.Builder builder) {
        try {
            return GrpcSslContexts.forClient()
                    .trustManager(builder.trustedCertificates.toArray(X509Certificate[]::new))
                    .keyManager(builder.clientKey, builder.clientCertificateChain.toArray(X509Certificate[]::new))
                    .protocols(TLS_PROTOCOLS)
                    .build();
        } catch (SSLException e) {
            throw new IllegalArgumentException("the TLS settings cannot be used: " + e.getMessage(), e);
        }
    }
}
