package org.postalfunds.hsm.server;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusException;

/**
 * Puts the caller's identity, read from the TLS client certificate of the connection, into the gRPC
 * {@link Context}; refuses the call when there is none or it has no role. TLS already required and
 * verified the certificate chain; this decides who the verified certificate is.
 */
final class CallerIdentityInterceptor implements ServerInterceptor {
    static final Context.Key<CallerIdentity> CALLER = Context.key("psd-bridge-caller");
    /** The identity is decided once per TLS session and kept with it. */
    private static final String SESSION_VALUE = "org.postalfunds.hsm.caller";

    private final AccessPolicy policy;
    private final AuditTrail audit;

    CallerIdentityInterceptor(final AccessPolicy policy, final AuditTrail audit) {
        this.policy = policy;
        this.audit = audit;
    }

    @Override
    public <RequestT, ResponseT> ServerCall.Listener<RequestT> interceptCall(final ServerCall<RequestT, ResponseT> call,
            final Metadata headers, final ServerCallHandler<RequestT, ResponseT> next) {
        final SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        final CallerIdentity caller;
        try {
            caller = identify(session);
        } catch (StatusException e) {
            audit.record(call.getMethodDescriptor().getBareMethodName(), null, null, peerSubject(session), e.getStatus());
            call.close(e.getStatus(), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        return Contexts.interceptCall(Context.current().withValue(CALLER, caller), call, headers, next);
    }

    private CallerIdentity identify(final SSLSession session) throws StatusException {
        if (session == null) {
            throw Status.UNAUTHENTICATED.withDescription("the bridge accepts TLS connections only").asException();
        }
        final Object cached = session.getValue(SESSION_VALUE);
        if (cached instanceof CallerIdentity) {
            return (CallerIdentity) cached;
        }
        final Certificate[] chain;
        try {
            chain = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            throw Status.UNAUTHENTICATED.withDescription("no client certificate was presented").asException();
        }
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate)) {
            throw Status.UNAUTHENTICATED.withDescription("no X.509 client certificate was presented").asException();
        }
        final CallerIdentity caller = policy.identify((X509Certificate) chain[0]);
        session.putValue(SESSION_VALUE, caller);
        return caller;
    }

    private static String peerSubject(final SSLSession session) {
        try {
            final Certificate[] chain = session == null ? new Certificate[0] : session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate
                    ? ((X509Certificate) chain[0]).getSubjectX500Principal().getName() : "(none)";
        } catch (SSLPeerUnverifiedException e) {
            return "(none)";
        }
    }
}
