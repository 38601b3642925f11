package org.postalfunds.hsm.client;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.postalfunds.hsm.proto.DigestSignature;
import org.postalfunds.hsm.proto.PsdBridgeGrpc;
import org.postalfunds.hsm.proto.SignDigestRequest;
import org.postalfunds.hsm.proto.SignDigestResponse;
import org.postalfunds.hsm.proto.SignDigestsRequest;
import org.postalfunds.hsm.proto.SignDigestsResponse;

/**
 * Coalesces concurrent {@code signDigest} calls for one meter into SignDigests requests, transparently: each
 * caller still blocks for its own signature (or its own {@link BridgeException}).
 *
 * <p>No timer and no sleeping. While nothing is queued and no batch is out, a call goes alone at once, as a
 * blocking SignDigest in its own thread exactly as without coalescing, up to {@code maxInFlight} such calls side
 * by side (pipelined on the connection). Otherwise it queues, and the queue leaves as one request — at most one
 * at a time, up to {@code maxBatch} digests, fewer than {@link #MIN_BATCH} as SignDigest calls — as soon as
 * a slot is free and the previous queued request is done. "Done" means its callers have taken their results,
 * not that its response arrived: callers that sign again at once, as the Fabric Gateway's do, then find it still
 * out and queue, and leave together with the next request instead of each going alone. So batches grow with
 * the load, and a queued digest waits for no more than the request ahead of it and the wake-up of its callers.
 *
 * <p>The queue is bounded ({@code maxQueued} digests): a caller that finds it full is refused at once with
 * RESOURCE_EXHAUSTED instead of waiting behind a backlog it could only time out in. That is back-pressure the
 * Gateway's retry turns into a later attempt, and it keeps a runaway caller from growing the heap without end.
 */
final class SigningCoalescer {
    /**
     * Fewer digests than this go as that many SignDigest calls, pipelined on the connection: the bridge signs
     * those on its transport thread, where a SignDigests request costs a hand-off to its signer pool.
     */
    static final int MIN_BATCH = 4;

    private final String meterId;
    private final Supplier<PsdBridgeGrpc.PsdBridgeStub> stubs;
    /** A blocking SignDigest call in the caller's thread, as without coalescing. */
    private final UnaryOperator<byte[]> alone;
    private final int maxBatch;
    private final int maxInFlight;
    private final int maxQueued;
    private final long waitNanos;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Digests in {@link #queue} (its size() walks the queue). */
    private final AtomicInteger queued = new AtomicInteger();
    /** Whether a request made from the queue is outstanding (its slot not yet freed): at most one is. */
    private final AtomicBoolean queuedRequest = new AtomicBoolean();
    /**
     * Fewest digests sent as a SignDigests request (fewer go as SignDigest calls), and fewest queued for a request
     * to leave while another one is outstanding (a request alone has no minimum).
     */
    private final int minBatch;
    /** Set when the bridge answers UNIMPLEMENTED (an older bridge): every digest then goes alone. */
    private volatile boolean batchesUnsupported;

    /**
     * @param stubs a stub with the call deadline set, per request
     * @param maxQueued most digests waiting in the queue; a caller beyond that is refused (RESOURCE_EXHAUSTED)
     * @param waitNanos how long a caller waits for its signature, queueing included
     */
    SigningCoalescer(final String meterId, final Supplier<PsdBridgeGrpc.PsdBridgeStub> stubs,
            final UnaryOperator<byte[]> alone, final int maxBatch, final int maxInFlight, final int maxQueued,
            final long waitNanos) {
        if (maxQueued < 1) {
            throw new IllegalArgumentException("the signing queue holds at least one digest");
        }
        this.meterId = meterId;
        this.stubs = stubs;
        this.alone = alone;
        this.maxBatch = maxBatch;
        this.maxInFlight = maxInFlight;
        this.maxQueued = maxQueued;
        this.waitNanos = waitNanos;
        this.minBatch = Math.min(MIN_BATCH, maxBatch);
    }

    byte[] sign(final byte[] digest) {
        // Nobody queued and a slot free: this call goes alone, blocking in its own thread exactly as without
        // coalescing (the response is read in this thread too, not on the transport thread).
        for (int outstanding = inFlight.get(); outstanding < maxInFlight && queued.get() == 0 && !queuedRequest.get();
                outstanding = inFlight.get()) {
            if (inFlight.compareAndSet(outstanding, outstanding + 1)) {
                try {
                    return alone.apply(digest);
                } finally {
                    inFlight.decrementAndGet();
                    dispatch();
                }
            }
        }
        // Reserve a place before queueing, so the bound holds under any interleaving of callers.
        for (int waiting = queued.get(); ; waiting = queued.get()) {
            if (waiting >= maxQueued) {
                throw failure(Status.RESOURCE_EXHAUSTED.withDescription("the signing queue of " + meterId
                        + " is full (" + waiting + " digests waiting, at most " + maxQueued
                        + "): sign again later").asRuntimeException());
            }
            if (queued.compareAndSet(waiting, waiting + 1)) {
                break;
            }
        }
        final Pending pending = new Pending(ByteString.copyFrom(digest));
        queue.add(pending);
        dispatch();
        return pending.await();
    }

    /** Requests currently outstanding (for tests). */
    int inFlight() {
        return inFlight.get();
    }

    /** Digests waiting in the queue (for tests). */
    int queued() {
        return queued.get();
    }

    /** Sends queued digests while a slot is free. Called by every new caller and after every completion. */
    private void dispatch() {
        while (!queue.isEmpty()) {
            final int outstanding = inFlight.get();
            if (outstanding >= maxInFlight || queuedRequest.get()) {
                // Whoever holds a slot calls dispatch() again after releasing it, and will see this queue. One
                // request from the queue at a time: the queue fills while it is out, so the next one is large.
                return;
            }
            if (!queuedRequest.compareAndSet(false, true)) {
                continue;
            }
            if (!inFlight.compareAndSet(outstanding, outstanding + 1)) {
                queuedRequest.set(false);
                continue;
            }
            final List<Pending> batch = drain();
            if (batch.isEmpty()) {
                inFlight.decrementAndGet();
                queuedRequest.set(false);
                continue;
            }
            send(batch);
        }
    }

    private List<Pending> drain() {
        final List<Pending> batch = new ArrayList<>(Math.min(maxBatch, 16));
        while (batch.size() < maxBatch) {
            final Pending next = queue.poll();
            if (next == null) {
                break;
            }
            queued.decrementAndGet();
            if (next.claim()) {
                batch.add(next);
            }
        }
        if (!batch.isEmpty()) {
            final Slot slot = new Slot(batch.size());
            batch.forEach(pending -> pending.slot = slot);
        }
        return batch;
    }

    private void send(final List<Pending> batch) {
        try {
            if (batch.size() < minBatch || batchesUnsupported) {
                sendAlone(batch);
            } else {
                sendBatch(batch);
            }
        } catch (RuntimeException e) {
            // A stub that throws instead of reporting through the observer (e.g. a closed channel).
            for (final Pending pending : batch) {
                pending.fail(failure(Status.fromThrowable(e).asRuntimeException()));
            }
        }
    }

    /** Each digest as a plain SignDigest. */
    private void sendAlone(final List<Pending> batch) {
        for (final Pending pending : batch) {
            stubs.get().signDigest(SignDigestRequest.newBuilder().setMeterId(meterId).setDigest(pending.digest).build(),
                    new Observer<>() {
                        @Override
                        void completed(final SignDigestResponse response, final StatusRuntimeException error) {
                            if (error == null) {
                                pending.succeed(response.getSignature().toByteArray());
                            } else {
                                pending.fail(failure(error));
                            }
                        }
                    });
        }
    }

    private void sendBatch(final List<Pending> batch) {
        final SignDigestsRequest.Builder request = SignDigestsRequest.newBuilder().setMeterId(meterId);
        for (final Pending pending : batch) {
            request.addDigests(pending.digest);
        }
        stubs.get().signDigests(request.build(), new Observer<>() {
            @Override
            void completed(final SignDigestsResponse response, final StatusRuntimeException refusal) {
                StatusRuntimeException error = refusal;
                if (error != null && error.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
                    // A bridge from before SignDigests: nothing was signed; send the digests one by one, for good.
                    batchesUnsupported = true;
                    sendAlone(batch);
                    return;
                }
                if (error == null && response.getResultsCount() != batch.size()) {
                    error = Status.INTERNAL.withDescription("the bridge answered " + response.getResultsCount()
                            + " results for " + batch.size() + " digests").asRuntimeException();
                }
                for (int i = 0; i < batch.size(); i++) {
                    final Pending pending = batch.get(i);
                    if (error != null) {
                        pending.fail(failure(error));
                        continue;
                    }
                    final DigestSignature result = response.getResults(i);
                    if (result.getCode() == Status.Code.OK.value()) {
                        pending.succeed(result.getSignature().toByteArray());
                    } else {
                        Status status = Status.fromCodeValue(result.getCode());
                        if (!result.getDetail().isEmpty()) {
                            status = status.withDescription(result.getDetail());
                        }
                        pending.fail(failure(status.asRuntimeException()));
                    }
                }
            }
        });
    }

    /** One request's place among the {@code maxInFlight}: freed when each of its callers has had its result. */
    private final class Slot {
        private final AtomicInteger holders;

        Slot(final int callers) {
            holders = new AtomicInteger(callers);
        }

        void leave() {
            if (holders.decrementAndGet() == 0) {
                inFlight.decrementAndGet();
                queuedRequest.set(false);
                dispatch();
            }
        }
    }

    private BridgeException failure(final StatusRuntimeException error) {
        return new BridgeException("SignDigest", meterId, error);
    }

    /** Unary response or error, delivered once. */
    private abstract static class Observer<T> implements StreamObserver<T> {
        private T response;

        @Override
        public void onNext(final T value) {
            response = value;
        }

        @Override
        public void onError(final Throwable error) {
            completed(null, error instanceof StatusRuntimeException ? (StatusRuntimeException) error
                    : Status.fromThrowable(error).asRuntimeException());
        }

        @Override
        public void onCompleted() {
            completed(response, response == null
                    ? Status.INTERNAL.withDescription("the bridge sent no response").asRuntimeException() : null);
        }

        abstract void completed(T response, StatusRuntimeException error);
    }

    /** One caller's digest and, once known, its outcome. */
    private final class Pending {
        final ByteString digest;
        final CompletableFuture<byte[]> outcome = new CompletableFuture<>();
        /** Claimed by a request (true) or abandoned by its caller (false, when the wait expired first). */
        private final AtomicBoolean decided = new AtomicBoolean();
        /** The request this digest went with; set before it is sent. */
        volatile Slot slot;
        /** Whether this digest's share of its slot was given back (once: by the caller, or at completion). */
        private final AtomicBoolean left = new AtomicBoolean();

        Pending(final ByteString digest) {
            this.digest = digest;
        }

        boolean claim() {
            return decided.compareAndSet(false, true);
        }

        void succeed(final byte[] signature) {
            outcome.complete(signature);
            leaveIfAbandoned();
        }

        void fail(final BridgeException error) {
            outcome.completeExceptionally(error);
            leaveIfAbandoned();
        }

        /** A caller that stopped waiting cannot give its share back; the completion does it for it. */
        private void leaveIfAbandoned() {
            if (abandoned) {
                leave();
            }
        }

        private void leave() {
            final Slot taken = slot;
            if (taken != null && left.compareAndSet(false, true)) {
                taken.leave();
            }
        }

        private volatile boolean abandoned;

        byte[] await() {
            try {
                return take();
            } finally {
                if (outcome.isDone()) {
                    leave();
                } else {
                    // Timed out or interrupted: the response, when it comes, frees the share.
                    abandoned = true;
                    if (outcome.isDone()) {
                        leave();
                    }
                }
            }
        }

        private byte[] take() {
            try {
                return outcome.get(waitNanos, TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof BridgeException) {
                    // A fresh exception with this caller's stack, the bridge's status as before.
                    final BridgeException cause = (BridgeException) e.getCause();
                    throw new BridgeException(cause.operation(), cause.meterId(),
                            (StatusRuntimeException) cause.getCause());
                }
                throw failure(Status.INTERNAL.withCause(e.getCause()).withDescription(String.valueOf(e.getCause()))
                        .asRuntimeException());
            } catch (TimeoutException e) {
                decided.compareAndSet(false, true);
                throw failure(Status.DEADLINE_EXCEEDED.withDescription("no signature within "
                        + TimeUnit.NANOSECONDS.toMillis(waitNanos) + " ms (queued behind " + inFlight.get()
                        + " outstanding requests)").asRuntimeException());
            } catch (InterruptedException e) {
                decided.compareAndSet(false, true);
                Thread.currentThread().interrupt();
                throw failure(Status.CANCELLED.withDescription("interrupted while waiting for the signature")
                        .withCause(e).asRuntimeException());
            }
        }
    }
}
