package org.postalfunds.console;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.hyperledger.fabric.client.Checkpoint;
import org.postalfunds.client.ledger.EventFeed;
import org.postalfunds.client.ledger.ForwardingLedger;
import org.postalfunds.client.ledger.Ledger;
import org.postalfunds.client.ledger.LedgerEvent;
import org.postalfunds.client.ledger.LedgerException;

/**
 * A ledger connection that counts its replays and follow streams; optionally its first follow stream fails after
 * handing out a number of events, as a peer's event service does when the connection drops.
 */
final class CountingLedger extends ForwardingLedger {
    private final int firstFollowFailsAfter;
    final AtomicInteger replays = new AtomicInteger();
    final AtomicInteger follows = new AtomicInteger();

    CountingLedger(final Ledger ledger) {
        this(ledger, -1);
    }

    /** @param firstFollowFailsAfter events the first follow stream hands out before it fails; -1: never fails */
    CountingLedger(final Ledger ledger, final int firstFollowFailsAfter) {
        super(ledger);
        this.firstFollowFailsAfter = firstFollowFailsAfter;
    }

    @Override
    public EventFeed follow(final Checkpoint after) throws LedgerException {
        EventFeed feed = ledger.follow(after);
        if (follows.incrementAndGet() > 1 || firstFollowFailsAfter < 0) {
            return feed;
        }
        return new EventFeed() {
            private int handedOut;

            @Override
            public Optional<LedgerEvent> next(final Duration wait) throws LedgerException, InterruptedException {
                if (handedOut >= firstFollowFailsAfter) {
                    throw LedgerException.transientFailure("follow", "the event stream broke (test)");
                }
                Optional<LedgerEvent> event = feed.next(wait);
                if (event.isPresent()) {
                    handedOut++;
                }
                return event;
            }

            @Override
            public boolean ended() {
                return feed.ended();
            }

            @Override
            public void close() {
                feed.close();
            }
        };
    }

    @Override
    public EventFeed replay() throws LedgerException {
        replays.incrementAndGet();
        return ledger.replay();
    }
}
