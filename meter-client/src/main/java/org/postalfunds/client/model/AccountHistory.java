package org.postalfunds.client.model;

import java.util.List;

/** The newest versions of one account, newest first. */
public record AccountHistory(String accountId, List<HistoryEntry> history) {
    public AccountHistory {
        history = history == null ? List.of() : List.copyOf(history);
    }
}
