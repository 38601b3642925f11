package org.postalfunds.client.ledger;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import org.hyperledger.fabric.client.Checkpoint;
import org.hyperledger.fabric.client.identity.Signer;

/**
 * One identity's {@link Ledger} on an {@link InProcessNetwork}: submits and queries go through the same
 * retry loop as {@link LedgerConnection} (same call, same request id), events come from the network's log.
 */
final class InProcessLedger implements Ledger {
    private final InProcessNetwork network;
    private final byte[] creator;
    private final X509Certificate certificate;
    private final Signer signer;
    private final RetryPolicy retryPolicy;

    InProcessLedger(final InProcessNetwork network, final byte[] creator, final X509Certificate certificate,
            final Signer signer, final RetryPolicy retryPolicy) {
        this.network = network;
        this.creator = creator.clone();
        this.certificate = certificate;
        this.signer = signer;
        this.retryPolicy = retryPolicy;
    }

    @Override
    public byte[] submit(final LedgerCall call) throws LedgerException {
        if (call.requestId().isEmpty()) {
            throw new IllegalArgumentException("a submitted call needs a request id");
        }
        // No real sleeping: the backoff matters against a peer, not against an in-memory ledger.
        return Attempts.run(call, retryPolicy, duration -> { }, attempt -> network.submitOnce(creator, certificate, signer, call));
    }

    @Override
    public byte[] evaluate(final LedgerCall call) throws LedgerException {
        return Attempts.run(call, retryPolicy, duration -> { }, attempt -> network.evaluateOnce(creator, certificate, signer, call));
    }

    @Override
    public EventFeed follow(final Checkpoint after) {
        return new Feed(network.startOf(after), Integer.MAX_VALUE);
    }

    @Override
    public EventFeed replay() {
        return new Feed(0, network.eventCount());
    }

    /** Reads the network's event log from an index; a replay stops at the log's length when it was opened. */
    private final class Feed implements EventFeed {
        private int next;
        private final int end;
        private boolean closed;

        Feed(final int start, final int end) {
            this.next = start;
            this.end = end;
        }

        @Override
        public Optional<LedgerEvent> next(final Duration wait) throws InterruptedException {
            if (closed || ended()) {
                return Optional.empty();
            }
            Optional<LedgerEvent> event = network.eventAt(next, wait);
            event.ifPresent(e -> next++);
            return event;
        }

        @Override
        public boolean ended() {
            return next >= end;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
