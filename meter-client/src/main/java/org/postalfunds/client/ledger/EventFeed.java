package org.postalfunds.client.ledger;

import java.time.Duration;
import java.util.Optional;

/**
 * Chaincode events in commit order, one at a time. A feed that follows the ledger never ends by itself;
 * a replay of the past ends once it has handed out every event committed when it was opened.
 *
 * <pre>{@code
 * try (EventFeed feed = ledger.replay()) {
 *     while (!feed.ended()) {
 *         feed.next(Duration.ofSeconds(5)).ifPresent(this::handle);
 *     }
 * }
 * }</pre>
 */
public interface EventFeed extends AutoCloseable {
    /**
     * The next event, waiting at most {@code wait} for it.
     *
     * @return empty when none arrived in time, or when the feed has {@linkplain #ended() ended}
     * @throws LedgerException when the event service failed (the events already returned stay valid)
     */
    Optional<LedgerEvent> next(Duration wait) throws LedgerException, InterruptedException;

    /** True once a bounded feed has returned its last event; a following feed never ends. */
    boolean ended();

    /** Stops the feed; events not yet returned are dropped. */
    @Override
    void close();
}
