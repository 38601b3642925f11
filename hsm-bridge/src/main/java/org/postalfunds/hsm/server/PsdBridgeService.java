package org.postalfunds.hsm.server;

import java.security.InvalidKeyException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.google.protobuf.ByteString;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;
import org.postalfunds.hsm.MeterIds;
import org.postalfunds.hsm.MeterSubject;
import org.postalfunds.hsm.crypto.Pem;
import org.postalfunds.hsm.crypto.PublicKeys;
import org.postalfunds.hsm.pkcs11.MeterKeyInfo;
import org.postalfunds.hsm.pkcs11.PsdToken;
import org.postalfunds.hsm.pkcs11.TokenException;
import org.postalfunds.hsm.proto.CertificationRequest;
import org.postalfunds.hsm.proto.CreateCsrRequest;
import org.postalfunds.hsm.proto.CreateMeterKeyRequest;
import org.postalfunds.hsm.proto.DigestSignature;
import org.postalfunds.hsm.proto.GetPublicKeyRequest;
import org.postalfunds.hsm.proto.HealthRequest;
import org.postalfunds.hsm.proto.HealthResponse;
import org.postalfunds.hsm.proto.ImportCertificateRequest;
import org.postalfunds.hsm.proto.MeterPublicKey;
import org.postalfunds.hsm.proto.RevokeMeterKeyRequest;
import org.postalfunds.hsm.proto.RevokeMeterKeyResponse;
import org.postalfunds.hsm.proto.UnsealPackageRequest;
import org.postalfunds.hsm.proto.UnsealPackageResponse;
import org.postalfunds.api.format.SealedPackage;
import java.util.HexFormat;
import org.postalfunds.hsm.proto.PsdBridgeGrpc;
import org.postalfunds.hsm.proto.RequestCounter;
import org.postalfunds.hsm.proto.SignDigestRequest;
import org.postalfunds.hsm.proto.SignDigestResponse;
import org.postalfunds.hsm.proto.SignDigestsRequest;
import org.postalfunds.hsm.proto.SignDigestsResponse;
import org.postalfunds.hsm.proto.StatsRequest;
import org.postalfunds.hsm.proto.StatsResponse;

/**
 * The PsdBridge RPCs. Each one checks, in this order: the meter id is well formed (INVALID_ARGUMENT), the
 * caller may act on it (PERMISSION_DENIED, before revealing whether the meter exists), the arguments
 * (INVALID_ARGUMENT), then asks the token (NOT_FOUND, ALREADY_EXISTS, ...). Every outcome is audited
 * before the response leaves.
 */
final class PsdBridgeService extends PsdBridgeGrpc.PsdBridgeImplBase {
    /** Most digests one SignDigests request may carry. */
    static final int MAX_BATCH_DIGESTS = 64;
    /** A DER certificate for a P-256 key is under 1 KiB; leave room for long names and extensions. */
    static final int MAX_CERTIFICATE_BYTES = 16 * 1024;
    /** Longest reason a RevokeMeterKey request may carry (as the ledger's reasons). */
    static final int MAX_REASON_CHARS = 200;

    private static final Logger LOG = Logger.getLogger(PsdBridgeService.class.getName());

    private final PsdToken token;
    private final AuditTrail audit;
    private final RequestCounters counters;
    private final HealthStatusManager health;
    private final Instant started;
    private final BatchSigner batchSigner;

    PsdBridgeService(final PsdToken token, final AuditTrail audit, final RequestCounters counters,
            final HealthStatusManager health, final Instant started, final BatchSigner batchSigner) {
        this.token = token;
        this.batchSigner = batchSigner;
        this.audit = audit;
        this.counters = counters;
        this.health = health;
        this.started = started;
    }

    @Override
    public void createMeterKey(final CreateMeterKeyRequest request, final StreamObserver<MeterPublicKey> response) {
        handle("CreateMeterKey", request.getMeterId(), null, response, caller -> {
            final String meterId = meterId(request.getMeterId());
            requireOperator(caller, "CreateMeterKey");
            return toProto(token.createMeterKey(meterId));
        });
    }

    @Override
    public void getPublicKey(final GetPublicKeyRequest request, final StreamObserver<MeterPublicKey> response) {
        handle("GetPublicKey", request.getMeterId(), null, response, caller -> {
            final String meterId = meterId(request.getMeterId());
            if (!caller.isOperator()) {
                requireMeterItself(caller, meterId, "GetPublicKey");
            }
            return toProto(token.meterKey(meterId));
        });
    }

    @Override
    public void createCsr(final CreateCsrRequest request, final StreamObserver<CertificationRequest> response) {
        handle("CreateCsr", request.getMeterId(), null, response, caller -> {
            final String meterId = meterId(request.getMeterId());
            requireOperator(caller, "CreateCsr");
            final MeterSubject subject = new MeterSubject(meterId, request.getOrganization(),
                    request.getOrganizationalUnit(), request.getCountry());
            final byte[] der = token.createCsr(meterId, subject.toX500Name());
            return CertificationRequest.newBuilder().setMeterId(meterId).setDer(ByteString.copyFrom(der))
                    .setPem(Pem.encode("CERTIFICATE REQUEST", der)).build();
        });
    }

    @Override
    public void importCertificate(final ImportCertificateRequest request, final StreamObserver<MeterPublicKey> response) {
        handle("ImportCertificate", request.getMeterId(), null, response, caller -> {
            final String meterId = meterId(request.getMeterId());
            requireOperator(caller, "ImportCertificate");
            if (request.getCertificate().size() > MAX_CERTIFICATE_BYTES) {
                throw invalid("certificate is larger than " + MAX_CERTIFICATE_BYTES + " bytes");
            }
            final X509Certificate certificate;
            try {
                certificate = Pem.certificate(request.getCertificate().toByteArray());
            } catch (CertificateException e) {
                throw invalid("certificate is not a DER X.509 certificate: " + e.getMessage());
            }
            return toProto(token.importCertificate(meterId, certificate));
        });
    }

    /**
     * Operator: the meter's PSD failed; its keys are destroyed in the token and refused from now on (audited as
     * op=RevokeMeterKey). A second revocation answers OK with already_revoked.
     */
    @Override
    public void revokeMeterKey(final RevokeMeterKeyRequest request, final StreamObserver<RevokeMeterKeyResponse> response) {
        handle("RevokeMeterKey", request.getMeterId(), null, response, caller -> {
            final String meterId = meterId(request.getMeterId());
            requireOperator(caller, "RevokeMeterKey");
            if (request.getReason().length() > MAX_REASON_CHARS) {
                throw invalid("reason is longer than " + MAX_REASON_CHARS + " characters");
            }
            final boolean already = token.revokeMeterKey(meterId);
            if (!already) {
                LOG.warning(() -> "revoked the key of meter " + meterId + " for " + caller.subject() + ": "
                        + request.getReason().replaceAll("\\p{Cntrl}", " "));
            }
            return RevokeMeterKeyResponse.newBuilder().setMeterId(meterId).setAlreadyRevoked(already).build();
        });
    }

    @Override
    public void signDigest(final SignDigestRequest request, final StreamObserver<SignDigestResponse> response) {
        final byte[] digest = request.getDigest().toByteArray();
        handle("SignDigest", request.getMeterId(), digest, response, caller -> SignDigestResponse.newBuilder()
                .setSignature(ByteString.copyFrom(sign(caller, request.getMeterId(), digest))).build());
    }

    private byte[] sign(final CallerIdentity caller, final String requestedMeterId, final byte[] digest)
            throws StatusException, TokenException {
        final String meterId = meterId(requestedMeterId);
        requireMeterItself(caller, meterId, "SignDigest");
        if (digest.length != PsdToken.DIGEST_LENGTH) {
            throw invalid("digest must be " + PsdToken.DIGEST_LENGTH + " bytes (SHA-256), got " + digest.length);
        }
        return token.signDigest(meterId, digest);
    }

    /**
     * Up to {@link #MAX_BATCH_DIGESTS} digests for one meter key in one request. Refused as a whole, before
     * anything is signed, for what is the same for every digest: the meter id, the caller, the number of
     * digests, the meter's key. Then each digest is checked and signed on its own (a digest that is not 32
     * bytes, or a token failure, is that digest's outcome). One audit line per digest either way, written
     * and flushed together before the response leaves.
     */
    @Override
    public void signDigests(final SignDigestsRequest request, final StreamObserver<SignDigestsResponse> response) {
        final CallerIdentity caller = caller("SignDigests");
        final List<byte[]> digests = new ArrayList<>(Math.min(request.getDigestsCount(), MAX_BATCH_DIGESTS));
        if (request.getDigestsCount() <= MAX_BATCH_DIGESTS) {
            for (final ByteString digest : request.getDigestsList()) {
                digests.add(digest.toByteArray());
            }
        }
        final Status refusal = batchRefusal(caller, request);
        if (refusal != null) {
            if (digests.isEmpty()) {
                // Too many digests (or none): one line for the request, not one per digest it should not carry.
                audit.record("SignDigests", request.getMeterId(), null, caller.subject(), refusal);
            } else {
                audit.recordDigests("SignDigests", request.getMeterId(), digests, caller.subject(),
                        Collections.nCopies(digests.size(), refusal));
            }
            response.onError(refusal.asRuntimeException());
            return;
        }
        final String meterId = request.getMeterId();
        final BatchSigner.Signed[] signed = batchSigner.sign(meterId, digests);
        final SignDigestsResponse.Builder results = SignDigestsResponse.newBuilder();
        final List<Status> outcomes = new ArrayList<>(signed.length);
        for (final BatchSigner.Signed one : signed) {
            outcomes.add(one.status());
            final DigestSignature.Builder result = DigestSignature.newBuilder().setCode(one.status().getCode().value());
            if (one.status().isOk()) {
                result.setSignature(ByteString.copyFrom(one.signature()));
            } else if (one.status().getDescription() != null) {
                result.setDetail(one.status().getDescription());
            }
            results.addResults(result);
        }
        audit.recordDigests("SignDigests", meterId, digests, caller.subject(), outcomes);
        response.onNext(results.build());
        response.onCompleted();
    }

    /** Why the whole batch is refused (in the order meter id, caller, arguments, token), or null. */
    private Status batchRefusal(final CallerIdentity caller, final SignDigestsRequest request) {
        try {
            final String meterId = meterId(request.getMeterId());
            requireMeterItself(caller, meterId, "SignDigests");
            final int count = request.getDigestsCount();
            if (count == 0 || count > MAX_BATCH_DIGESTS) {
                throw invalid("a SignDigests request carries 1 to " + MAX_BATCH_DIGESTS + " digests, got " + count);
            }
            // The same key for every digest: a meter without one is refused once, for the whole batch.
            token.meterKey(meterId);
            return null;
        } catch (StatusException e) {
            return e.getStatus();
        } catch (TokenException e) {
            return toStatus(e);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "SignDigests for meter " + MeterIds.printable(request.getMeterId()) + " failed", e);
            return Status.INTERNAL.withDescription("SignDigests failed inside the bridge; see the bridge's log");
        }
    }

    @Override
    public void unsealPackage(final UnsealPackageRequest request, final StreamObserver<UnsealPackageResponse> response) {
        final byte[] encoded = request.getSealedPackage().toByteArray();
        // The audit line names the package by the first bytes of its SHA-256, the hash the ledger records.
        handle("UnsealPackage", request.getMeterId(), HexFormat.of().parseHex(SealedPackage.sha256Hex(encoded)),
                response, caller -> {
            final String meterId = meterId(request.getMeterId());
            requireMeterItself(caller, meterId, "UnsealPackage");
            final SealedPackage sealed;
            try {
                sealed = SealedPackage.decode(encoded);
            } catch (IllegalArgumentException e) {
                throw invalid("sealed package: " + e.getMessage());
            }
            final byte[] content = token.openPackage(meterId, sealed);
            return UnsealPackageResponse.newBuilder()
                    .setItemName(sealed.header().itemName())
                    .setContentType(sealed.header().contentType())
                    .setContent(ByteString.copyFrom(content))
                    .build();
        });
    }

    @Override
    public void health(final HealthRequest request, final StreamObserver<HealthResponse> response) {
        handle("Health", "", null, response, caller -> {
            final HealthResponse.Builder builder = HealthResponse.newBuilder()
                    .setTokenLabel(token.label())
                    .setUptimeSeconds(uptime().toSeconds())
                    .setCallerSubject(caller.subject())
                    .setCallerRole(caller.role().wireName());
            if (token.isPresent()) {
                builder.setStatus(HealthResponse.ServingStatus.SERVING).setMeterKeyCount(token.meterIds().size());
                setServing(HealthCheckResponse.ServingStatus.SERVING);
            } else {
                builder.setStatus(HealthResponse.ServingStatus.NOT_SERVING)
                        .setDetail("token '" + token.label() + "' is not present or not open");
                setServing(HealthCheckResponse.ServingStatus.NOT_SERVING);
            }
            return builder.build();
        });
    }

    @Override
    public void stats(final StatsRequest request, final StreamObserver<StatsResponse> response) {
        handle("Stats", "", null, response, caller -> {
            requireOperator(caller, "Stats");
            final StatsResponse.Builder builder = StatsResponse.newBuilder().setUptimeSeconds(uptime().toSeconds());
            for (final RequestCounters.Counter counter : counters.snapshot()) {
                builder.addCounters(RequestCounter.newBuilder().setMethod(counter.method())
                        .setOutcome(counter.outcome()).setCount(counter.count()));
            }
            return builder.build();
        });
    }

    /** One RPC's work, given the authenticated caller. */
    @FunctionalInterface
    private interface Work<T> {
        T run(CallerIdentity caller) throws StatusException, TokenException;
    }

    private <T> void handle(final String operation, final String meterId, final byte[] digest,
            final StreamObserver<T> response, final Work<T> work) {
        final Outcome<T> outcome = perform(operation, meterId, digest, caller(operation), work);
        if (outcome.status().isOk()) {
            response.onNext(outcome.result());
            response.onCompleted();
        } else {
            response.onError(outcome.status().asRuntimeException());
        }
    }

    /** Runs one request's work and audits its outcome before anything is answered. */
    private <T> Outcome<T> perform(final String operation, final String meterId, final byte[] digest,
            final CallerIdentity caller, final Work<T> work) {
        T result = null;
        Status status;
        try {
            result = work.run(caller);
            status = Status.OK;
        } catch (StatusException e) {
            status = e.getStatus();
        } catch (TokenException e) {
            status = toStatus(e);
        } catch (IllegalArgumentException e) {
            status = Status.INVALID_ARGUMENT.withDescription(e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, operation + " for meter " + MeterIds.printable(meterId) + " failed", e);
            status = Status.INTERNAL.withDescription(operation + " failed inside the bridge; see the bridge's log");
        }
        audit.record(operation, meterId, digest, caller.subject(), status);
        return new Outcome<>(result, status);
    }

    private static CallerIdentity caller(final String operation) {
        final CallerIdentity caller = CallerIdentityInterceptor.CALLER.get();
        if (caller == null) {
            // The interceptor runs on every call; reaching here without it is a wiring bug.
            throw new IllegalStateException("no caller identity in the context of " + operation);
        }
        return caller;
    }

    private record Outcome<T>(T result, Status status) {
    }

    private static String meterId(final String meterId) throws StatusException {
        try {
            return MeterIds.requireValid(meterId);
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
    }

    private static void requireOperator(final CallerIdentity caller, final String operation) throws StatusException {
        if (!caller.isOperator()) {
            throw Status.PERMISSION_DENIED.withDescription(operation + " is for operators; caller '" + caller.subject()
                    + "' is a " + caller.role().wireName()).asException();
        }
    }

    private static void requireMeterItself(final CallerIdentity caller, final String meterId, final String operation)
            throws StatusException {
        if (!caller.isMeter(meterId)) {
            throw Status.PERMISSION_DENIED.withDescription(operation + " with the key of meter " + meterId
                    + " is for that meter's own client only; caller '" + caller.subject() + "' is "
                    + (caller.isOperator() ? "an operator" : "meter " + caller.commonName())).asException();
        }
    }

    private static StatusException invalid(final String description) {
        return Status.INVALID_ARGUMENT.withDescription(description).asException();
    }

    static Status toStatus(final TokenException e) {
        final Status status;
        switch (e.reason()) {
            case METER_KEY_NOT_FOUND:
                status = Status.NOT_FOUND;
                break;
            case METER_KEY_EXISTS:
                status = Status.ALREADY_EXISTS;
                break;
            case METER_KEY_LIMIT_REACHED:
                status = Status.RESOURCE_EXHAUSTED;
                break;
            case CERTIFICATE_MISMATCH:
                status = Status.FAILED_PRECONDITION;
                break;
            case METER_KEY_REVOKED:
                // The description starts "METER_KEY_REVOKED:" (psd_bridge.proto); clients match on both.
                status = Status.FAILED_PRECONDITION;
                break;
            case PACKAGE_MISADDRESSED:
                status = Status.FAILED_PRECONDITION;
                break;
            case PACKAGE_MALFORMED:
                status = Status.INVALID_ARGUMENT;
                break;
            case PACKAGE_NOT_AUTHENTIC:
                status = Status.DATA_LOSS;
                break;
            default:
                LOG.log(Level.WARNING, "token failure", e);
                status = Status.UNAVAILABLE;
                break;
        }
        return status.withDescription(e.getMessage());
    }

    private Duration uptime() {
        return Duration.between(started, Instant.now());
    }

    private void setServing(final HealthCheckResponse.ServingStatus status) {
        health.setStatus("", status);
        health.setStatus(PsdBridgeGrpc.SERVICE_NAME, status);
    }

    static MeterPublicKey toProto(final MeterKeyInfo key) {
        try {
            final byte[] spki = key.publicKey().getEncoded();
            return MeterPublicKey.newBuilder()
                    .setMeterId(key.meterId())
                    .setSubjectPublicKeyInfo(ByteString.copyFrom(spki))
                    .setPublicKeyPem(Pem.encode("PUBLIC KEY", spki))
                    .setCurve(PublicKeys.CURVE)
                    .setCertificate(ByteString.copyFrom(key.certificate().getEncoded()))
                    .setEnrolled(key.enrolled())
                    .setKeyAgreementCertificate(key.keyAgreementCertificate() == null ? ByteString.EMPTY
                            : ByteString.copyFrom(key.keyAgreementCertificate().getEncoded()))
                    .build();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("the token holds an unencodable certificate for meter " + key.meterId(), e);
        }
    }
}
