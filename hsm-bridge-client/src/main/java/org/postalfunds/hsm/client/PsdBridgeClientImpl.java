package org.postalfunds.hsm.client;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.security.InvalidKeyException;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.postalfunds.hsm.MeterIds;
import org.postalfunds.hsm.MeterSubject;
import org.postalfunds.hsm.crypto.Pem;
import org.postalfunds.hsm.crypto.PublicKeys;
import org.postalfunds.hsm.proto.CreateCsrRequest;
import org.postalfunds.hsm.proto.CreateMeterKeyRequest;
import org.postalfunds.hsm.proto.DigestSignature;
import org.postalfunds.hsm.proto.UnsealPackageRequest;
import org.postalfunds.hsm.proto.UnsealPackageResponse;
import org.postalfunds.api.format.KeyAgreementCertificate;
import java.security.GeneralSecurityException;
import org.postalfunds.hsm.proto.GetPublicKeyRequest;
import org.postalfunds.hsm.proto.HealthRequest;
import org.postalfunds.hsm.proto.HealthResponse;
import org.postalfunds.hsm.proto.ImportCertificateRequest;
import org.postalfunds.hsm.proto.PsdBridgeGrpc;
import org.postalfunds.hsm.proto.RequestCounter;
import org.postalfunds.hsm.proto.RevokeMeterKeyRequest;
import org.postalfunds.hsm.proto.SignDigestRequest;
import org.postalfunds.hsm.proto.SignDigestsRequest;
import org.postalfunds.hsm.proto.SignDigestsResponse;
import org.postalfunds.hsm.proto.StatsRequest;
import org.postalfunds.hsm.proto.StatsResponse;

final class PsdBridgeClientImpl implements PsdBridgeClient {
    static final String[] TLS_PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(5);
    /** What the bridge signs: SHA-256 digests. Anything else is sent alone, for the bridge to refuse. */
    private static final int SIGNED_DIGEST_LENGTH = 32;

    private final List<ManagedChannel> channels;
    private final List<PsdBridgeGrpc.PsdBridgeBlockingStub> stubs;
    /** The same channels for the coalesced signing calls; their callbacks run on the transport thread. */
    private final List<PsdBridgeGrpc.PsdBridgeStub> asyncStubs;
    private final AtomicInteger nextStub = new AtomicInteger();
    private final Duration callTimeout;
    private final int signingBatchSize;
    private final int signingRequestsInFlight;
    private final int signingQueueLimit;
    private final Map<String, SigningCoalescer> coalescers = new ConcurrentHashMap<>();

    PsdBridgeClientImpl(final PsdBridgeClient.Builder builder) {
        final SslContext sslContext = sslContext(builder);
        final List<ManagedChannel> opened = new ArrayList<>();
        final List<PsdBridgeGrpc.PsdBridgeBlockingStub> openedStubs = new ArrayList<>();
        final List<PsdBridgeGrpc.PsdBridgeStub> openedAsyncStubs = new ArrayList<>();
        for (int i = 0; i < builder.connections; i++) {
            final ManagedChannel channel = channel(builder, sslContext);
            opened.add(channel);
            openedStubs.add(PsdBridgeGrpc.newBlockingStub(channel));
            // The callbacks only complete futures and send the next batch: no need for a thread hand-off.
            openedAsyncStubs.add(PsdBridgeGrpc.newStub(channel).withExecutor(Runnable::run));
        }
        this.channels = List.copyOf(opened);
        this.stubs = List.copyOf(openedStubs);
        this.asyncStubs = List.copyOf(openedAsyncStubs);
        this.callTimeout = builder.callTimeout;
        this.signingBatchSize = builder.signingBatchSize;
        this.signingRequestsInFlight = builder.signingRequestsInFlight;
        this.signingQueueLimit = builder.signingQueueLimit;
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
    public boolean revokeMeterKey(final String meterId, final String reason) {
        MeterIds.requireValid(meterId);
        return call("RevokeMeterKey", meterId, () -> stub().revokeMeterKey(RevokeMeterKeyRequest.newBuilder()
                .setMeterId(meterId).setReason(reason == null ? "" : reason).build()).getAlreadyRevoked());
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
        if (signingBatchSize > 1 && digest != null && digest.length == SIGNED_DIGEST_LENGTH && MeterIds.isValid(meterId)) {
            return coalescers.computeIfAbsent(meterId, id -> new SigningCoalescer(id, this::asyncStub,
                    alone -> signDigestAlone(id, alone), signingBatchSize, signingRequestsInFlight,
                    signingQueueLimit, 2 * callTimeout.toNanos())).sign(digest);
        }
        // What cannot be signed goes alone, so it is refused alone. No local length check: the bridge is the one
        // place that enforces it (INVALID_ARGUMENT).
        return signDigestAlone(meterId, digest);
    }

    private byte[] signDigestAlone(final String meterId, final byte[] digest) {
        return call("SignDigest", meterId, () -> stub().signDigest(SignDigestRequest.newBuilder()
                .setMeterId(meterId).setDigest(ByteString.copyFrom(digest)).build()).getSignature().toByteArray());
    }

    @Override
    public List<byte[]> signDigests(final String meterId, final List<byte[]> digests) {
        final List<byte[]> signatures = new ArrayList<>(digests.size());
        for (int from = 0; from < digests.size(); from += MAX_DIGESTS_PER_REQUEST) {
            final List<byte[]> chunk = digests.subList(from, Math.min(digests.size(), from + MAX_DIGESTS_PER_REQUEST));
            final SignDigestsRequest.Builder request = SignDigestsRequest.newBuilder().setMeterId(meterId);
            chunk.forEach(digest -> request.addDigests(ByteString.copyFrom(digest)));
            final SignDigestsResponse response = call("SignDigests", meterId, () -> stub().signDigests(request.build()));
            for (int i = 0; i < response.getResultsCount(); i++) {
                final DigestSignature result = response.getResults(i);
                if (result.getCode() != 0) {
                    throw new BridgeException("SignDigests", meterId, io.grpc.Status.fromCodeValue(result.getCode())
                            .withDescription("digest " + (from + i) + ": " + result.getDetail()).asRuntimeException());
                }
                signatures.add(result.getSignature().toByteArray());
            }
        }
        if (signatures.size() != digests.size()) {
            throw new BridgeException("SignDigests", meterId, io.grpc.Status.INTERNAL.withDescription("the bridge answered "
                    + signatures.size() + " signatures for " + digests.size() + " digests").asRuntimeException());
        }
        return signatures;
    }

    @Override
    public UnsealedItem unsealPackage(final String meterId, final byte[] sealedPackage) {
        MeterIds.requireValid(meterId);
        return call("UnsealPackage", meterId, () -> {
            final UnsealPackageResponse response = stub().unsealPackage(UnsealPackageRequest.newBuilder()
                    .setMeterId(meterId).setSealedPackage(ByteString.copyFrom(sealedPackage)).build());
            return new UnsealedItem(response.getItemName(), response.getContentType(), response.getContent().toByteArray());
        });
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

    private PsdBridgeGrpc.PsdBridgeStub asyncStub() {
        final int index = Math.floorMod(nextStub.getAndIncrement(), asyncStubs.size());
        return asyncStubs.get(index).withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
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
            X509Certificate keyAgreement = null;
            if (!response.getKeyAgreementCertificate().isEmpty()) {
                keyAgreement = Pem.certificate(response.getKeyAgreementCertificate().toByteArray());
                // The same check a sender makes on the ledger's copy: issued by this signing key, for this meter.
                KeyAgreementCertificate.verify(keyAgreement, response.getMeterId(), publicKey);
            }
            return new MeterPublicKey(response.getMeterId(), publicKey, certificate, response.getEnrolled(), keyAgreement);
        } catch (GeneralSecurityException e) {
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
