package org.postalfunds.client.ledger;

import org.hyperledger.fabric.client.Checkpoint;

/**
 * The postal ledger as one identity sees it: submit transactions, evaluate queries, read events. The
 * role clients depend on this interface only, so they run the same against a peer gateway
 * ({@link LedgerConnection}) and against the contract in-process (the tests).
 */
public interface Ledger {
    /**
     * Endorses, orders and commits a transaction, waiting for its commit status. Implementations retry
     * transient failures with the very same call, so the request id inside it is reused.
     *
     * @return the chaincode's result (JSON for this contract)
     */
    byte[] submit(LedgerCall call) throws LedgerException;

    /** Evaluates a query on one peer; nothing is ordered or written. */
    byte[] evaluate(LedgerCall call) throws LedgerException;

    /**
     * Follows the contract's events committed after {@code after}: from the checkpointed block, skipping
     * the checkpointed transaction and those before it in that block; from the next block when the
     * checkpoint is empty. The feed never ends by itself.
     */
    EventFeed follow(Checkpoint after) throws LedgerException;

    /** Every event of the contract committed so far, from the first block; the feed then ends. */
    EventFeed replay() throws LedgerException;

    /** Every block of the channel committed so far, from block 0; the feed then ends. */
    BlockFeed blocks() throws LedgerException;
}
