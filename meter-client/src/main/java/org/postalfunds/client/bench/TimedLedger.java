package org.postalfunds.client.bench;

import org.hyperledger.fabric.client.Checkpoint;
import org.postalfunds.client.ledger.BlockFeed;
import org.postalfunds.client.ledger.EventFeed;
import org.postalfunds.client.ledger.Ledger;
import org.postalfunds.client.ledger.LedgerCall;
import org.postalfunds.client.ledger.LedgerException;

/**
 * A ledger whose submits are timed from the call to the commit status and counted by outcome. The role clients run
 * on it unchanged, so the benchmark measures exactly the calls the product makes. Build the wrapped connection
 * without retries ({@code RetryPolicy.NONE}): a retried conflict would hide in a longer latency.
 */
public final class TimedLedger implements Ledger {
    private final Ledger ledger;
    private final LoadRecorder recorder;

    public TimedLedger(final Ledger ledger, final LoadRecorder recorder) {
        this.ledger = ledger;
        this.recorder = recorder;
    }

    @Override
    public byte[] submit(final LedgerCall call) throws LedgerException {
        final long start = System.nanoTime();
        try {
            final byte[] result = ledger.submit(call);
            recorder.committed(call.function(), System.nanoTime() - start);
            return result;
        } catch (LedgerException failure) {
            recorder.failed(call.function(), FailureReason.of(failure), failure.errorCode().orElse(null));
            throw failure;
        }
    }

    @Override
    public byte[] evaluate(final LedgerCall call) throws LedgerException {
        return ledger.evaluate(call);
    }

    @Override
    public EventFeed follow(final Checkpoint after) throws LedgerException {
        return ledger.follow(after);
    }

    @Override
    public EventFeed replay() throws LedgerException {
        return ledger.replay();
    }

    @Override
    public BlockFeed blocks() throws LedgerException {
        return ledger.blocks();
    }
}
