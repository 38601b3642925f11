package org.postalfunds.api.model;

/** An indicium the ledger paid for: the indicium, and the transaction that recorded it. */
public record IndiciumRecord(Indicium indicium, String txId, long recordedAtEpochSeconds) {}
