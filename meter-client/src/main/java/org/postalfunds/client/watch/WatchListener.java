package org.postalfunds.client.watch;

/** Told what a watcher does, for logs and progress lines. */
public interface WatchListener {
    /** One event handled (and then checkpointed). */
    void handled(Reaction reaction);

    /** No event arrived for a while: the watcher has caught up with the ledger. */
    void caughtUp(long eventsHandled);

    WatchListener SILENT = new WatchListener() {
        @Override
        public void handled(final Reaction reaction) {
        }

        @Override
        public void caughtUp(final long eventsHandled) {
        }
    };
}
