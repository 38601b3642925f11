package org.postalfunds.hsm.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

import javax.net.ssl.SSLException;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import org.postalfunds.hsm.crypto.Pem;
import org.postalfunds.hsm.pkcs11.PsdToken;
import org.postalfunds.hsm.pkcs11.TokenException;
import org.postalfunds.hsm.proto.PsdBridgeGrpc;

/**
 * The running bridge: the PsdBridge service and the standard grpc.health.v1 service on one TLS port that
 * requires client certificates.
 *
 * <pre>{@code
 * try (PsdBridgeServer bridge = PsdBridgeServer.start(BridgeConfig.load(file, System.getenv()))) {
 *     bridge.awaitTermination();
 * }
 * }</pre>
 */
public final class PsdBridgeServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PsdBridgeServer.class.getName());
    private static final long SHUTDOWN_GRACE_MILLIS = 5_000;

    private final BridgeConfig config;
    private final PsdToken token;
    private final boolean ownsToken;
    private final AuditTrail audit;
    private final HealthStatusManager health;
    private final ExecutorService workers;
    private final ExecutorService batchWorkers;
    private final ScheduledExecutorService healthProbe;
    private final Server server;

    private PsdBridgeServer(final BridgeConfig config, final PsdToken token, final boolean ownsToken)
            throws IOException {
        this.config = config;
        this.token = token;
        this.ownsToken = ownsToken;
        final SslContext sslContext = serverSslContext(config);
        this.audit = AuditTrail.open(token.label(), config.auditFile());
        this.health = new HealthStatusManager();
        this.workers = config.workerThreads() == 0 ? null
                : Executors.newFixedThreadPool(config.workerThreads(), daemonThreads("psd-bridge-worker"));
        this.batchWorkers = config.batchThreads() == 0 ? null
                : Executors.newFixedThreadPool(config.batchThreads(), daemonThreads("psd-bridge-signer"));
        this.healthProbe = Executors.newSingleThreadScheduledExecutor(daemonThreads("psd-bridge-health"));
        final RequestCounters counters = new RequestCounters();
        final CallerIdentityInterceptor identity = new CallerIdentityInterceptor(
                new AccessPolicy(config.operatorCommonNames(), config.operatorIssuers()), audit);
        final PsdBridgeService service = new PsdBridgeService(token, audit, counters, health, Instant.now(),
                new BatchSigner(token, batchWorkers, config.batchThreads()));
        try {
            // intercept(service, a, b) runs b first: counting sees the identity interceptor's refusals too.
            final NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.port()));
            if (workers == null) {
                builder.directExecutor();
            } else {
                builder.executor(workers);
            }
            if (batchWorkers != null) {
                // SignDigests runs on the signer pool: tens of token operations are worth a hand-off, and two
                // batches of one connection are signed side by side instead of one after the other on its
                // transport thread. The other RPCs stay where they are.
                final String signDigests = PsdBridgeGrpc.getSignDigestsMethod().getFullMethodName();
                builder.callExecutor(new ServerCallExecutorSupplier() {
                    @Override
                    public <ReqT, RespT> Executor getExecutor(final ServerCall<ReqT, RespT> call, final Metadata headers) {
                        return signDigests.equals(call.getMethodDescriptor().getFullMethodName()) ? batchWorkers : null;
                    }
                });
            }
            this.server = builder
                    .sslContext(sslContext)
                    .maxInboundMessageSize(config.maxInboundMessageBytes())
                    .maxInboundMetadataSize(8 * 1024)
                    .maxConcurrentCallsPerConnection(config.maxConcurrentCallsPerConnection())
                    .handshakeTimeout(config.handshakeTimeoutSeconds(), TimeUnit.SECONDS)
                    .maxConnectionIdle(config.maxConnectionIdleSeconds(), TimeUnit.SECONDS)
                    .permitKeepAliveTime(30, TimeUnit.SECONDS)
                    .addService(ServerInterceptors.intercept(service, identity, counters))
                    .addService(ServerInterceptors.intercept(health.getHealthService(), identity, counters))
                    .build()
                    .start();
        } catch (IOException | RuntimeException e) {
            shutdownExecutors();
            audit.close();
            throw e;
        }
        probeHealth();
        healthProbe.scheduleWithFixedDelay(this::probeHealth, config.healthProbeSeconds(), config.healthProbeSeconds(),
                TimeUnit.SECONDS);
        LOG.info(() -> "PSD bridge listening on " + config.host() + ":" + port() + " for token '" + token.label() + "'");
    }

    /** Opens the configured token and starts serving it; the bridge closes the token when it closes. */
    public static PsdBridgeServer start(final BridgeConfig config) throws TokenException, IOException {
        final PsdToken token = PsdToken.open(config.token());
        try {
            return new PsdBridgeServer(config, token, true);
        } catch (IOException | RuntimeException e) {
            token.close();
            throw e;
        }
    }

    /** Serves an already open token; the caller keeps it and closes it after the bridge (benchmark, tools). */
    public static PsdBridgeServer start(final BridgeConfig config, final PsdToken token) throws IOException {
        return new PsdBridgeServer(config, Objects.requireNonNull(token, "token"), false);
    }

    /** The port the bridge listens on (the one chosen when the configuration said 0). */
    public int port() {
        return ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
    }

    public String host() {
        return config.host();
    }

    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    /** Stops accepting calls, lets calls in flight finish briefly, then releases the token. Idempotent. */
    @Override
    public void close() {
        if (server.isShutdown()) {
            return;
        }
        health.enterTerminalState();
        server.shutdown();
        try {
            if (!server.awaitTermination(SHUTDOWN_GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
                server.shutdownNow();
                server.awaitTermination(SHUTDOWN_GRACE_MILLIS, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            shutdownExecutors();
            audit.close();
            if (ownsToken) {
                token.close();
            }
            LOG.info(() -> "PSD bridge for token '" + token.label() + "' stopped");
        }
    }

    private void probeHealth() {
        final HealthCheckResponse.ServingStatus status = token.isPresent()
                ? HealthCheckResponse.ServingStatus.SERVING : HealthCheckResponse.ServingStatus.NOT_SERVING;
        health.setStatus("", status);
        health.setStatus(PsdBridgeGrpc.SERVICE_NAME, status);
    }

    private void shutdownExecutors() {
        healthProbe.shutdownNow();
        for (final ExecutorService pool : new ExecutorService[] {workers, batchWorkers}) {
            if (pool == null) {
                continue;
            }
            pool.shutdown();
            try {
                if (!pool.awaitTermination(SHUTDOWN_GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
                    pool.shutdownNow();
                }
            } catch (InterruptedException e) {
                pool.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static SslContext serverSslContext(final BridgeConfig config) throws IOException {
        try {
            final List<X509Certificate> chain = Pem.readCertificates(config.tlsCertificateFile());
            final PrivateKey key = Pem.readPrivateKey(config.tlsPrivateKeyFile());
            final List<X509Certificate> clientCas = Pem.readCertificates(config.tlsClientCaFile());
            return GrpcSslContexts.configure(SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new)))
                    .trustManager(clientCas.toArray(X509Certificate[]::new))
                    // REQUIRE: a caller without a certificate from a trusted CA never completes the handshake.
                    .clientAuth(ClientAuth.REQUIRE)
                    .protocols(config.tlsProtocols().toArray(String[]::new))
                    .build();
        } catch (CertificateException | SSLException e) {
            throw new IOException("the TLS settings cannot be used: " + e.getMessage(), e);
        }
    }

    private static ThreadFactory daemonThreads(final String name) {
        final AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            final Thread thread = new Thread(runnable, name + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
