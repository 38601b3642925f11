package org.postalfunds.client.bench;

import org.postalfunds.client.ledger.ForwardingLedger;
import org.postalfunds.client.ledger.Ledger;
import org.postalfunds.client.ledger.LedgerCall;
import org.postalfunds.client.ledger.LedgerException;

/**
 * A ledger whose submits are timed from the call to the commit status and counted by outcome. The role clients run
 * on it unchanged, so the benchmark measures exactly the calls the product makes. Build the wrapped connection
 * without retries ({@code RetryPolicy.NONE}): a retried conflict would hide in a longer latency.
 */
public final class TimedLedger extends ForwardingLedger {
    private final LoadRecorder recorder;

    public TimedLedger(final Ledger ledger, final LoadRecorder recorder) {
        super(ledger);
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
            recorder.failed(call.function(), FailureReason.of(failure), failure.errorCode().map(Enum::name).orElse(null));
            throw failure;
        }
    }

}
