package org.postalfunds.client.ledger;

import java.util.Objects;
import org.hyperledger.fabric.client.Checkpoint;

/** A {@link Ledger} that passes every call to another; wrappers override only what they observe. */
public abstract class ForwardingLedger implements Ledger {
    protected final Ledger ledger;

    protected ForwardingLedger(final Ledger ledger) {
        this.ledger = Objects.requireNonNull(ledger, "ledger");
    }

    @Override
    public byte[] submit(final LedgerCall call) throws LedgerException {
        return ledger.submit(call);
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
