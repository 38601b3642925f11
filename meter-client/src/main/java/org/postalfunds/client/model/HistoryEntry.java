package org.postalfunds.client.model;

import com.fasterxml.jackson.databind.JsonNode;

/** One version of an account's key: the transaction, its time, and the stored value (absent once deleted). */
public record HistoryEntry(String txId, long timestampEpochSeconds, boolean deleted, JsonNode value) {
}
