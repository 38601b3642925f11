package org.postalfunds.hsm.client;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import com.google.protobuf.ByteString;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.postalfunds.hsm.proto.PsdBridgeGrpc;
import org.postalfunds.hsm.proto.SignDigestStreamRequest;
import org.postalfunds.hsm.proto.SignDigestStreamResponse;

/**
 * Signs over one long-lived SignDigestStream: callers on any thread send a digest with a fresh request id
 * and wait for the answer with that id. Saves the per-call work of gRPC (new HTTP/2 stream, headers,
 * interceptors) on every signature. A broken stream fails the requests waiting on it and the next request
 * opens a new one.
 */
final class SigningStream implements AutoCloseable {
    /** Requests waiting for an answer at once, over all callers; more callers wait for a free place. */
    static final int MAX_IN_FLIGHT = 1024;

    private final PsdBridgeGrpc.PsdBridgeStub stub;
    private final Duration timeout;
    private final Semaphore places = new Semaphore(MAX_IN_FLIGHT);
    private final AtomicLong requestIds = new AtomicLong();
    private Open current;
    private boolean closed;

    SigningStream(final PsdBridgeGrpc.PsdBridgeStub stub, final Duration timeout) {
        this.stub = stub;
        this.timeout = timeout;
    }

    byte[] sign(final String meterId, final byte[] digest) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (!places.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw failure(meterId, Status.DEADLINE_EXCEEDED.withDescription(
                        MAX_IN_FLIGHT + " signatures already waiting on the signing stream"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure(meterId, Status.CANCELLED.withDescription("interrupted"));
        }
        try {
            final long id = requestIds.incrementAndGet();
            final CompletableFuture<SignDigestStreamResponse> answer = new CompletableFuture<>();
            final Open stream = send(id, answer, SignDigestStreamRequest.newBuilder().setRequestId(id)
                    .setMeterId(meterId).setDigest(ByteString.copyFrom(digest)).build(), meterId);
            final SignDigestStreamResponse response;
            try {
                response = answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                stream.pending.remove(id);
                throw failure(meterId, Status.DEADLINE_EXCEEDED.withDescription("no answer within " + timeout));
            } catch (InterruptedException e) {
                stream.pending.remove(id);
                Thread.currentThread().interrupt();
                throw failure(meterId, Status.CANCELLED.withDescription("interrupted"));
            } catch (ExecutionException e) {
                throw failure(meterId, Status.fromThrowable(e.getCause()));
            }
            if (response.getStatusCode() != Status.Code.OK.value()) {
                throw failure(meterId, Status.fromCodeValue(response.getStatusCode())
                        .withDescription(response.getStatusDescription()));
            }
            return response.getSignature().toByteArray();
        } finally {
            places.release();
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (current != null) {
            current.requests.onCompleted();
            current = null;
        }
    }

    private synchronized Open send(final long id, final CompletableFuture<SignDigestStreamResponse> answer,
            final SignDigestStreamRequest request, final String meterId) {
        if (closed) {
            throw failure(meterId, Status.CANCELLED.withDescription("the bridge client is closed"));
        }
        if (current == null) {
            current = new Open();
            current.requests = stub.signDigestStream(current);
        }
        current.pending.put(id, answer);
        // StreamObserver.onNext is not thread-safe: sends are serialised by this method's lock.
        current.requests.onNext(request);
        return current;
    }

    private synchronized void forget(final Open stream) {
        if (current == stream) {
            current = null;
        }
    }

    private static BridgeException failure(final String meterId, final Status status) {
        return new BridgeException("SignDigest", meterId, new StatusRuntimeException(status));
    }

    /** One opened stream and the requests waiting on it. */
    private final class Open implements StreamObserver<SignDigestStreamResponse> {
        final Map<Long, CompletableFuture<SignDigestStreamResponse>> pending = new ConcurrentHashMap<>();
        StreamObserver<SignDigestStreamRequest> requests;

        @Override
        public void onNext(final SignDigestStreamResponse response) {
            final CompletableFuture<SignDigestStreamResponse> answer = pending.remove(response.getRequestId());
            if (answer != null) {
                answer.complete(response);
            }
        }

        @Override
        public void onError(final Throwable error) {
            forget(this);
            pending.values().forEach(answer -> answer.completeExceptionally(error));
            pending.clear();
        }

        @Override
        public void onCompleted() {
            onError(Status.UNAVAILABLE.withDescription("the bridge closed the signing stream").asRuntimeException());
        }
    }
}
