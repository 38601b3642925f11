package org.postalfunds.hsm.server;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Request counters per RPC and outcome (gRPC status code), counted as each call closes, so refusals by the
 * authentication interceptor are counted too. Bounded: methods are the bridge's own (plus the health
 * service's), outcomes are the 17 status codes.
 */
final class RequestCounters implements ServerInterceptor {
    private final Map<Key, LongAdder> counters = new ConcurrentHashMap<>();

    @Override
    public <RequestT, ResponseT> ServerCall.Listener<RequestT> interceptCall(final ServerCall<RequestT, ResponseT> call,
            final Metadata headers, final ServerCallHandler<RequestT, ResponseT> next) {
        final String method = call.getMethodDescriptor().getBareMethodName();
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(final Status status, final Metadata trailers) {
                record(method, status.getCode());
                super.close(status, trailers);
            }
        }, headers);
    }

    private void record(final String method, final Status.Code outcome) {
        counters.computeIfAbsent(new Key(method, outcome), key -> new LongAdder()).increment();
    }

    long count(final String method, final Status.Code outcome) {
        final LongAdder counter = counters.get(new Key(method, outcome));
        return counter == null ? 0 : counter.sum();
    }

    /** A consistent-enough copy, sorted by method and outcome. */
    List<Counter> snapshot() {
        final List<Counter> copy = new ArrayList<>();
        counters.forEach((key, value) -> copy.add(new Counter(key.method(), key.outcome().name(), value.sum())));
        copy.sort(Comparator.comparing(Counter::method).thenComparing(Counter::outcome));
        return copy;
    }

    record Counter(String method, String outcome, long count) {
    }

    private record Key(String method, Status.Code outcome) {
    }
}
