package org.postalfunds.console;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.hyperledger.fabric.client.Checkpoint;
import org.postalfunds.client.audit.LedgerIndex;
import org.postalfunds.client.ledger.EventFeed;
import org.postalfunds.client.ledger.Ledger;
import org.postalfunds.client.ledger.LedgerEvent;
import org.postalfunds.client.ledger.LedgerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One organisation connection's view of the ledger's events, kept up to date: at start it replays the events once,
 * then follows new ones ({@link Ledger#follow}) from the checkpoint after the last event read, on a daemon thread.
 * Pages take {@link #snapshot}: an immutable {@link LedgerSnapshot}, copied once after a change and then shared by
 * every page until the next event. When the follow stream fails, the follower reconnects from its checkpoint (0.5 s
 * doubling to 30 s between attempts) and pages keep the last snapshot, marked as reconnecting.
 */
final class LedgerFollower implements AutoCloseable {
    static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Logger LOG = LoggerFactory.getLogger(LedgerFollower.class);

    private final String name;
    private final Ledger ledger;
    private final Duration firstBackoff;
    private final Duration maxBackoff;
    private final Object lock = new Object();
    /** Guarded by lock. */
    private final LedgerSnapshot.Accumulator events = new LedgerSnapshot.Accumulator();
    /** Guarded by lock: the snapshot of {@link #events}, null after a change until someone asks. */
    private LedgerSnapshot cached;
    /** Guarded by lock: true once the first replay (or, after it failed, the follow stream) has caught up. */
    private boolean ready;
    /** The follower's thread only: where a follow stream resumes. */
    private LedgerEvent lastEvent;
    /** The follower's thread only: the wait before the next reconnection. */
    private Duration backoff;
    private volatile LedgerSnapshot.Status status = new LedgerSnapshot.Status(LedgerSnapshot.State.CATCHING_UP, null);
    private volatile boolean closed;
    private volatile EventFeed feed;
    private final Thread thread;

    private LedgerFollower(final String name, final Ledger ledger, final Duration firstBackoff, final Duration maxBackoff) {
        this.name = name;
        this.ledger = ledger;
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
        this.thread = new Thread(this::run, "console-ledger-" + name);
        this.thread.setDaemon(true);
    }

    /** Starts replaying and then following the ledger through this connection. */
    static LedgerFollower start(final String name, final Ledger ledger) {
        return start(name, ledger, FIRST_BACKOFF, MAX_BACKOFF);
    }

    static LedgerFollower start(final String name, final Ledger ledger, final Duration firstBackoff,
            final Duration maxBackoff) {
        LedgerFollower follower = new LedgerFollower(name, ledger, firstBackoff, maxBackoff);
        follower.thread.start();
        return follower;
    }

    /**
     * The current snapshot, waiting at most {@code wait} for the first replay to finish.
     *
     * @throws HttpProblem 503 when the first replay has not finished in time
     */
    LedgerSnapshot snapshot(final Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (lock) {
            while (!ready) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed || status.state() == LedgerSnapshot.State.STOPPED) {
                    LedgerSnapshot.Status now = status;
                    throw new HttpProblem(503, "Still reading the ledger", "the console is still reading the ledger's "
                            + "events for " + name + " (" + events.events() + " so far"
                            + (now.problem() == null ? "" : "; " + now.problem()) + "); try again shortly");
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
            if (cached == null) {
                cached = events.snapshot(status);
            }
            cached = cached.withStatus(status);
            return cached;
        }
    }

    /** Waits at most {@code wait} until the snapshot includes the events of {@code block}; true if it does. */
    boolean awaitBlock(final long block, final Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (lock) {
            while (!ready || events.lastBlock() < block) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    LedgerSnapshot.Status status() {
        return status;
    }

    private void run() {
        backoff = firstBackoff;
        boolean replayed = false;
        while (!closed) {
            try {
                if (!replayed) {
                    replayed = true; // a replay that fails part-way is resumed by following from its checkpoint
                    replay();
                }
                follow();
            } catch (InterruptedException e) {
                break;
            } catch (IndexingFailure e) {
                LOG.error("following the ledger for {} stopped: an event could not be indexed", name, e.getCause());
                stopped("an event could not be indexed: " + e.getCause().getMessage());
                return;
            } catch (LedgerException | RuntimeException e) {
                if (closed) {
                    break;
                }
                LOG.warn("the ledger's event stream for {} failed ({}); reconnecting in {} ms", name, e.getMessage(),
                        backoff.toMillis());
                status = new LedgerSnapshot.Status(LedgerSnapshot.State.RECONNECTING, "the event stream failed: "
                        + e.getMessage());
                try {
                    Thread.sleep(backoff.toMillis());
                } catch (InterruptedException interrupted) {
                    break;
                }
                backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
                continue;
            }
        }
        stopped(null);
    }

    private void stopped(final String problem) {
        status = new LedgerSnapshot.Status(LedgerSnapshot.State.STOPPED, problem);
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    /** The one replay: every event committed so far. */
    private void replay() throws LedgerException, InterruptedException {
        try (EventFeed replay = ledger.replay()) {
            feed = replay;
            long silentSince = System.nanoTime();
            while (!replay.ended() && !closed) {
                Optional<LedgerEvent> event = replay.next(Duration.ofSeconds(1));
                if (event.isPresent()) {
                    apply(event.get());
                    silentSince = System.nanoTime();
                } else if (!replay.ended() && System.nanoTime() - silentSince > LedgerIndex.MAX_SILENCE.toNanos()) {
                    throw LedgerException.transientFailure("replay", "no event for "
                            + LedgerIndex.MAX_SILENCE.toSeconds() + " seconds");
                }
            }
        } finally {
            feed = null;
        }
        caughtUp();
    }

    /** Follows the events after the last one applied until the stream fails or the follower is closed. */
    private void follow() throws LedgerException, InterruptedException {
        try (EventFeed follow = ledger.follow(checkpoint())) {
            feed = follow;
            if (status.state() != LedgerSnapshot.State.LIVE) { // after a failure; the first replay left it live
                status = new LedgerSnapshot.Status(LedgerSnapshot.State.CATCHING_UP, null);
            }
            boolean healthy = false;
            while (!closed) {
                Optional<LedgerEvent> event = follow.next(POLL);
                if (event.isPresent()) {
                    apply(event.get());
                    backoff = firstBackoff;
                } else if (!healthy) {
                    backoff = firstBackoff;
                    healthy = true;
                    caughtUp();
                }
            }
        } finally {
            feed = null;
        }
    }

    private void caughtUp() {
        status = new LedgerSnapshot.Status(LedgerSnapshot.State.LIVE, null);
        synchronized (lock) {
            ready = true;
            lock.notifyAll();
        }
    }

    private void apply(final LedgerEvent event) {
        synchronized (lock) {
            try {
                events.apply(event);
            } catch (RuntimeException e) {
                throw new IndexingFailure(e);
            }
            lastEvent = event;
            cached = null;
            lock.notifyAll();
        }
    }

    /** After the last event applied: its block, skipping its transaction and those before it; block 0 before any. */
    private Checkpoint checkpoint() {
        LedgerEvent last = lastEvent;
        long block = last == null ? 0 : last.blockNumber();
        Optional<String> transaction = last == null ? Optional.empty() : Optional.of(last.transactionId());
        return new Checkpoint() {
            @Override
            public OptionalLong getBlockNumber() {
                return OptionalLong.of(block);
            }

            @Override
            public Optional<String> getTransactionId() {
                return transaction;
            }
        };
    }

    /** Stops following and waits briefly for the thread to end. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        EventFeed current = feed;
        if (current != null) {
            current.close();
        }
        try {
            thread.join(Duration.ofSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    /** An event the follower could not index: retrying would fail the same way. */
    private static final class IndexingFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        IndexingFailure(final RuntimeException cause) {
            super(cause);
        }
    }
}
