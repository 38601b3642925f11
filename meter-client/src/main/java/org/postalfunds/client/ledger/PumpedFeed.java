package org.postalfunds.client.ledger;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.hyperledger.fabric.client.CloseableIterator;
import org.hyperledger.fabric.protos.common.Block;

/**
 * A {@link Feed} over a gRPC event stream. The stream's iterator blocks without a timeout, so a
 * daemon thread drains it into a bounded queue (back-pressure: the thread waits while the queue is
 * full) and {@link #next} waits on the queue with the caller's timeout.
 */
abstract class PumpedFeed<S, T> implements Feed<T> {
    /** Chaincode events. */
    static final class Events<S> extends PumpedFeed<S, LedgerEvent> implements EventFeed {
        Events(final String name, final CloseableIterator<S> source, final Function<S, List<LedgerEvent>> events,
                final Predicate<S> last) {
            super(name, source, events, last);
        }
    }

    /** Whole blocks. */
    static final class Blocks extends PumpedFeed<Block, Block> implements BlockFeed {
        Blocks(final CloseableIterator<Block> source, final long lastBlock) {
            super("blocks", source, List::of, block -> block.getHeader().getNumber() >= lastBlock);
        }
    }

    /** Items buffered ahead of the consumer; a slow consumer holds the stream, it never loses events. */
    static final int CAPACITY = 1_024;

    private sealed interface Item permits Event, End, Failure {
    }

    private record Event(Object item) implements Item {
    }

    private record End() implements Item {
    }

    private record Failure(LedgerException failure) implements Item {
    }

    private final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final CloseableIterator<S> source;
    private final Thread pump;
    private volatile boolean closed;
    private boolean ended;
    private LedgerException failure;

    /**
     * @param events the ledger events in one stream element (a block holds several, a chaincode event one)
     * @param last true for the element after which the feed ends
     */
    PumpedFeed(final String name, final CloseableIterator<S> source, final Function<S, List<T>> items,
            final Predicate<S> last) {
        this.source = source;
        this.pump = new Thread(() -> pump(name, items, last), "ledger-feed-" + name);
        pump.setDaemon(true);
        pump.start();
    }

    private void pump(final String name, final Function<S, List<T>> items, final Predicate<S> last) {
        try {
            while (!closed && source.hasNext()) {
                S element = source.next();
                for (T item : items.apply(element)) {
                    queue.put(new Event(item));
                }
                if (last.test(element)) {
                    queue.put(new End());
                    return;
                }
            }
            if (!closed) {
                queue.put(new Failure(failure(name, "the event stream ended unexpectedly", FailureKind.TRANSIENT, null)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (closed) {
                return; // closing cancels the stream, which surfaces here as an error
            }
            Status status = e.getCause() instanceof StatusRuntimeException s ? s.getStatus() : Status.fromThrowable(e);
            FailureKind kind = FailureKind.of(status.getCode());
            queue.offer(new Failure(failure(name, "event stream failed (" + status.getCode() + "): "
                    + status.getDescription() + "; " + e.getMessage(), kind == FailureKind.REFUSED ? kind : FailureKind.TRANSIENT, e)));
        }
    }

    private static LedgerException failure(final String name, final String message, final FailureKind kind,
            final Throwable cause) {
        return new LedgerException(name + ": " + message, name, null, null, null, kind, 1, cause);
    }

    @Override
    @SuppressWarnings("unchecked") // only the pump puts items, and only of type T
    public Optional<T> next(final Duration wait) throws LedgerException, InterruptedException {
        if (failure != null) {
            throw failure;
        }
        if (ended || closed) {
            return Optional.empty();
        }
        Item item = queue.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        if (item instanceof Event e) {
            return Optional.of((T) e.item());
        }
        if (item instanceof End) {
            ended = true;
        } else if (item instanceof Failure f) {
            failure = f.failure();
            throw failure;
        }
        return Optional.empty();
    }

    @Override
    public boolean ended() {
        return ended;
    }

    @Override
    public void close() {
        closed = true;
        source.close();
        pump.interrupt();
    }
}
