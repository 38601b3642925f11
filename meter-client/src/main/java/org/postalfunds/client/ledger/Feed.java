package org.postalfunds.client.ledger;

import java.time.Duration;
import java.util.Optional;

/**
 * Items from the ledger in commit order, one at a time. A feed that follows the ledger never ends by
 * itself; a replay of the past ends once it has handed out everything committed when it was opened.
 *
 * <pre>{@code
 * try (EventFeed feed = ledger.replay()) {
 *     while (!feed.ended()) {
 *         feed.next(Duration.ofSeconds(5)).ifPresent(this::handle);
 *     }
 * }
 * }</pre>
 *
 * @param <T> a chaincode event or a block
 */
public interface Feed<T> extends AutoCloseable {
    /**
     * The next item, waiting at most {@code wait} for it.
     *
     * @return empty when none arrived in time, or when the feed has {@linkplain #ended() ended}
     * @throws LedgerException when the event service failed (items already returned stay valid)
     */
    Optional<T> next(Duration wait) throws LedgerException, InterruptedException;

    /** True once a bounded feed has returned its last item; a following feed never ends. */
    boolean ended();

    /** Stops the feed; items not yet returned are dropped. */
    @Override
    void close();
}
