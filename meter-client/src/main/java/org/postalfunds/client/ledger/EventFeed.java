package org.postalfunds.client.ledger;

/** Chaincode events of the contract, in commit order (see {@link Feed}). */
public interface EventFeed extends Feed<LedgerEvent> {
}
