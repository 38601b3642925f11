package org.postalfunds.api.model;

/** One step a transfer took: what, into which state, when, in which transaction. */
public record TransferStep(TransferAction action, TransferState state, long atEpochSeconds, String txId) {}
