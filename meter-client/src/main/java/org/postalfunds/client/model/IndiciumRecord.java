package org.postalfunds.client.model;

import org.postalfunds.client.indicium.Indicium;

/** An indicium the ledger paid for, and the transaction that recorded it. */
public record IndiciumRecord(Indicium indicium, String txId, long recordedAtEpochSeconds) {
}
