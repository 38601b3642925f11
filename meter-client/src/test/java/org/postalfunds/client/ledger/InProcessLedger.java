package org.postalfunds.client.ledger;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hyperledger.fabric.protos.common.Block;
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

    /** Read out of the blocks with the same parser a replay against a peer uses. */
    @Override
    public EventFeed replay() {
        List<LedgerEvent> events = new ArrayList<>();
        for (Block block : network.blocks()) {
            events.addAll(BlockEvents.chaincodeEvents(block, BlockBuilder.CHAINCODE));
        }
        return new ListEventFeed(events);
    }

    @Override
    public BlockFeed blocks() {
        return new ListBlockFeed(network.blocks());
    }

    /** A bounded feed over items already committed. */
    private static class ListFeed<T> implements org.postalfunds.client.ledger.Feed<T> {
        private final List<T> items;
        private int next;

        ListFeed(final List<T> items) {
            this.items = List.copyOf(items);
        }

        @Override
        public Optional<T> next(final Duration wait) {
            return next < items.size() ? Optional.of(items.get(next++)) : Optional.empty();
        }

        @Override
        public boolean ended() {
            return next >= items.size();
        }

        @Override
        public void close() {
            next = items.size();
        }
    }

    private static final class ListEventFeed extends ListFeed<LedgerEvent> implements EventFeed {
        ListEventFeed(final List<LedgerEvent> events) {
            super(events);
        }
    }

    private static final class ListBlockFeed extends ListFeed<Block> implements BlockFeed {
        ListBlockFeed(final List<Block> blocks) {
            super(blocks);
        }
    }

    /** Follows the network's event log from an index. */
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
