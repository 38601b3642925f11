package org.postalfunds.chaincode.transfer;

/** One step a transfer took: what, into which state, when, in which transaction. */
public record TransferStep(TransferAction action, TransferState state, long atEpochSeconds, String txId) {}
