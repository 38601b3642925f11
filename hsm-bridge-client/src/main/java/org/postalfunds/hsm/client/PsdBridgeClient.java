package org.postalfunds.hsm.client;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.hyperledger.fabric.client.identity.Signer;
import org.postalfunds.hsm.MeterSubject;
import org.postalfunds.hsm.crypto.Pem;

/**
 * A mutually authenticated connection to the PSD bridge.
 *
 * <p>Every call has a deadline and throws {@link BridgeException} (with the gRPC status code) when the bridge
 * refuses or fails it.
 *
 * <pre>{@code
 * try (PsdBridgeClient bridge = PsdBridgeClient.newBuilder()
 *         .target("127.0.0.1", 7443)
 *         .trustedCertificates(Path.of("tls/ca.pem"))
 *         .clientCertificate(Path.of("tls/meter-0001.pem"), Path.of("tls/meter-0001-key.pem"))
 *         .build()) {
 *     Signer signer = bridge.signer("meter-0001");   // for Gateway.newInstance().signer(signer)
 * }
 * }</pre>
 */
public interface PsdBridgeClient extends AutoCloseable {
    /** Operator: generates the meter's key pair inside the token. */
    MeterPublicKey createMeterKey(String meterId);

    /** Operator or the meter itself: the meter's public key and stored certificate. */
    MeterPublicKey publicKey(String meterId);

    /** Operator: a PKCS#10 request (DER) for the meter's key, signed inside the token; CN is the meter id. */
    byte[] createCsr(MeterSubject subject);

    /** Operator: stores the issued certificate beside the meter's key. */
    MeterPublicKey importCertificate(String meterId, X509Certificate certificate);

    /** Most digests the bridge signs in one SignDigests request. */
    int MAX_DIGESTS_PER_REQUEST = 64;

    /**
     * The meter itself: DER ECDSA signature with low S over a 32-byte digest. Safe to call from many threads:
     * concurrent calls for the same meter are coalesced into SignDigests requests (see
     * {@link Builder#signingBatchSize}); each caller gets its own signature or its own refusal.
     */
    byte[] signDigest(String meterId, byte[] digest);

    /**
     * The meter itself: signatures over several 32-byte digests, in order, in requests of up to
     * {@link #MAX_DIGESTS_PER_REQUEST}. Throws {@link BridgeException} (operation "SignDigests") when any digest is
     * refused. This default signs one by one, for implementations without the batch request.
     */
    default List<byte[]> signDigests(final String meterId, final List<byte[]> digests) {
        final List<byte[]> signatures = new java.util.ArrayList<>(digests.size());
        for (final byte[] digest : digests) {
            signatures.add(signDigest(meterId, digest));
        }
        return signatures;
    }

    /**
     * The meter itself: opens a sealed package (ledger-api {@code SealedPackage}) addressed to it inside its
     * bridge (ECDH with its key-agreement key in the token, HKDF and AES-GCM next to it) and returns only the
     * content. Check the sender's signature before: the bridge does not. Refusals: INVALID_ARGUMENT (not a
     * package), FAILED_PRECONDITION (addressed to another meter), NOT_FOUND (no key-agreement key), DATA_LOSS (does
     * not authenticate: not sealed to this meter, or altered), PERMISSION_DENIED (another meter's).
     */
    UnsealedItem unsealPackage(String meterId, byte[] sealedPackage);

    /**
     * Operator: the meter's PSD failed or was stolen; its keys are destroyed in the token and every later request for
     * the meter is refused (FAILED_PRECONDITION, {@link BridgeException#keyRevoked()}). Returns true when the key had
     * been revoked already. The default refuses: only a bridge connection revokes.
     */
    default boolean revokeMeterKey(final String meterId, final String reason) {
        throw new UnsupportedOperationException("this PSD client cannot revoke keys");
    }

    /** Any caller: token state and the caller as the bridge sees it. */
    BridgeHealth health();

    /** Operator: request counters. */
    BridgeStats stats();

    /** A Fabric Gateway {@link Signer} that signs with the meter's token key through this connection. */
    default Signer signer(final String meterId) {
        return new BridgeSigner(this, meterId);
    }

    /** Closes the connection, waiting briefly for calls in flight. */
    @Override
    void close();

    static Builder newBuilder() {
        return new Builder();
    }

    /** Builder of a {@link PsdBridgeClient}; target, trusted certificates and the client certificate are required. */
    final class Builder {
        /** Upper bound for any response: an unsealed item of up to 256 KiB (certificates and keys are a few KiB). */
        public static final int DEFAULT_MAX_INBOUND_MESSAGE_BYTES = 320 * 1024;
        public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(10);
        public static final int MAX_CONNECTIONS = 16;
        /** Digests that may wait for one meter's key at once: 16 full SignDigests requests. */
        public static final int DEFAULT_SIGNING_QUEUE_LIMIT = 16 * MAX_DIGESTS_PER_REQUEST;
        public static final int MAX_SIGNING_QUEUE_LIMIT = 65_536;

        String host;
        int port = -1;
        List<X509Certificate> trustedCertificates;
        List<X509Certificate> clientCertificateChain;
        PrivateKey clientKey;
        String authorityOverride;
        Duration callTimeout = DEFAULT_CALL_TIMEOUT;
        int maxInboundMessageBytes = DEFAULT_MAX_INBOUND_MESSAGE_BYTES;
        int connections = 1;
        int signingBatchSize = MAX_DIGESTS_PER_REQUEST;
        int signingRequestsInFlight = 4;
        int signingQueueLimit = DEFAULT_SIGNING_QUEUE_LIMIT;

        Builder() {
        }

        public Builder target(final String host, final int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be 1 to 65535, got " + port);
            }
            this.host = Objects.requireNonNull(host, "host");
            this.port = port;
            return this;
        }

        /** CA certificates that issued the bridge's TLS certificate. */
        public Builder trustedCertificates(final List<X509Certificate> certificates) {
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException("at least one trusted certificate is needed");
            }
            this.trustedCertificates = List.copyOf(certificates);
            return this;
        }

        public Builder trustedCertificates(final Path pemFile) throws IOException, CertificateException {
            return trustedCertificates(Pem.readCertificates(pemFile));
        }

        /** The caller's TLS identity: a meter client (OU=client, CN=meter id) or an operator. */
        public Builder clientCertificate(final List<X509Certificate> chain, final PrivateKey key) {
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("the client certificate chain is empty");
            }
            requireKeyPair(chain.get(0), key);
            this.clientCertificateChain = List.copyOf(chain);
            this.clientKey = Objects.requireNonNull(key, "key");
            return this;
        }

        public Builder clientCertificate(final X509Certificate certificate, final PrivateKey key) {
            return clientCertificate(List.of(certificate), key);
        }

        public Builder clientCertificate(final Path certificatePem, final Path privateKeyPem)
                throws IOException, CertificateException {
            return clientCertificate(Pem.readCertificates(certificatePem), Pem.readPrivateKey(privateKeyPem));
        }

        /** The host name to verify the bridge's certificate against, when it differs from the target host. */
        public Builder overrideAuthority(final String authority) {
            this.authorityOverride = Objects.requireNonNull(authority, "authority");
            return this;
        }

        /** Deadline of each call. */
        public Builder callTimeout(final Duration timeout) {
            if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new IllegalArgumentException("call timeout must be between 0 and 5 minutes");
            }
            this.callTimeout = timeout;
            return this;
        }

        /**
         * TLS connections to open, used in turn by successive calls (default 1). The bridge works each connection's
         * calls on one transport thread, so a client signing from many threads at once gains from 2 or more.
         */
        public Builder connections(final int count) {
            if (count < 1 || count > MAX_CONNECTIONS) {
                throw new IllegalArgumentException("connections must be 1 to " + MAX_CONNECTIONS);
            }
            this.connections = count;
            return this;
        }

        /**
         * Most concurrent {@code signDigest} calls (for one meter) sent together in one SignDigests request
         * (default and maximum {@value PsdBridgeClient#MAX_DIGESTS_PER_REQUEST}); 1 sends every digest alone,
         * as a SignDigest request of its own. Nothing waits to fill a batch: a batch is what queued while the
         * earlier requests were outstanding.
         */
        public Builder signingBatchSize(final int digests) {
            if (digests < 1 || digests > MAX_DIGESTS_PER_REQUEST) {
                throw new IllegalArgumentException("signing batch size must be 1 to " + MAX_DIGESTS_PER_REQUEST);
            }
            this.signingBatchSize = digests;
            return this;
        }

        /**
         * Signing requests (per meter) outstanding at once (default 4). While nothing is queued and no batch is
         * out, up to this many callers each go alone, pipelined on the connection as without coalescing (best for
         * a handful of callers); beyond that, calls queue and leave as one batch at a time, so batches are as
         * large as the load makes them. 1 batches from the second concurrent caller on.
         */
        public Builder signingRequestsInFlight(final int requests) {
            if (requests < 1 || requests > 64) {
                throw new IllegalArgumentException("signing requests in flight must be 1 to 64");
            }
            this.signingRequestsInFlight = requests;
            return this;
        }

        /**
         * Most digests (per meter) waiting for a signing request at once (default
         * {@value #DEFAULT_SIGNING_QUEUE_LIMIT}). A {@code signDigest} that finds the queue full is refused at once
         * with a {@link BridgeException} of code RESOURCE_EXHAUSTED (back-pressure: sign again later) instead of
         * joining a backlog it could only time out in.
         */
        public Builder signingQueueLimit(final int digests) {
            if (digests < 1 || digests > MAX_SIGNING_QUEUE_LIMIT) {
                throw new IllegalArgumentException("signing queue limit must be 1 to " + MAX_SIGNING_QUEUE_LIMIT);
            }
            this.signingQueueLimit = digests;
            return this;
        }

        public Builder maxInboundMessageBytes(final int bytes) {
            if (bytes < 1024 || bytes > 4 * 1024 * 1024) {
                throw new IllegalArgumentException("max inbound message size must be 1 KiB to 4 MiB");
            }
            this.maxInboundMessageBytes = bytes;
            return this;
        }

        /** A key that does not match the certificate fails deep inside the TLS handshake; say so here instead. */
        private static void requireKeyPair(final X509Certificate certificate, final PrivateKey key) {
            final String algorithm = "EC".equals(key.getAlgorithm()) ? "SHA256withECDSA"
                    : "RSA".equals(key.getAlgorithm()) ? "SHA256withRSA" : null;
            if (algorithm == null) {
                return;
            }
            try {
                final byte[] challenge = "psd-bridge client key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                final Signature signer = Signature.getInstance(algorithm);
                signer.initSign(key);
                signer.update(challenge);
                final Signature verifier = Signature.getInstance(algorithm);
                verifier.initVerify(certificate.getPublicKey());
                verifier.update(challenge);
                if (!verifier.verify(signer.sign())) {
                    throw new IllegalArgumentException("the private key does not belong to the client certificate "
                            + certificate.getSubjectX500Principal());
                }
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("the private key does not belong to the client certificate "
                        + certificate.getSubjectX500Principal() + ": " + e.getMessage(), e);
            }
        }

        /** Connects (lazily: the first call performs the TLS handshake). */
        public PsdBridgeClient build() {
            if (host == null) {
                throw new IllegalStateException("target is required");
            }
            if (trustedCertificates == null) {
                throw new IllegalStateException("trusted certificates are required");
            }
            if (clientKey == null) {
                throw new IllegalStateException("a client certificate is required: the bridge admits no anonymous caller");
            }
            return new PsdBridgeClientImpl(this);
        }
    }
}
