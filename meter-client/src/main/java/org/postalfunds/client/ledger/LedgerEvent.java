package org.postalfunds.client.ledger;

import java.util.Objects;

/**
 * A chaincode event as committed: where it sits on the chain (block, transaction), its name (e.g.
 * TransferRequested) and its payload, which for this contract is always the submit's result JSON.
 *
 * @param blockNumber the block that committed the transaction
 * @param transactionId the transaction that emitted the event
 * @param name the event name
 * @param payloadJson the payload as text (the contract writes UTF-8 JSON)
 */
public record LedgerEvent(long blockNumber, String transactionId, String name, String payloadJson) {
    public LedgerEvent {
        if (blockNumber < 0) {
            throw new IllegalArgumentException("block numbers start at 0: " + blockNumber);
        }
        Objects.requireNonNull(transactionId, "transactionId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(payloadJson, "payloadJson");
    }
}
