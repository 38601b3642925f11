package org.postalfunds.client.model;

import java.util.List;
import java.util.Objects;
import org.postalfunds.api.model.Movement;

/**
 * What every committed submit answers: the event it emitted, the request id it was submitted with, the
 * transaction that committed it (for a repeated request id: the first one), the movements of funds, and
 * the full result JSON for anyone who needs more.
 */
public record Receipt(String event, String requestId, String txId, List<Movement> movements, String json) {
    public Receipt {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(txId, "txId");
        movements = movements == null ? List.of() : List.copyOf(movements);
        Objects.requireNonNull(json, "json");
    }
}
