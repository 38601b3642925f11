package org.postalfunds.client.model;

/** One step a transfer took: the action (REQUEST, GRANT, ...), the state it led to, when, in which transaction. */
public record TransferStep(String action, TransferState state, long atEpochSeconds, String txId) {
}
