package org.postalfunds.client.watch;

import java.util.Objects;
import org.postalfunds.client.ledger.LedgerEvent;

/**
 * What the watcher did about one event.
 *
 * @param transferId the transfer concerned; empty for events about no transfer
 * @param requestId the request id of the reaction's submit; empty when nothing was submitted
 * @param detail a sentence for the log: why, or the chaincode's refusal
 */
public record Reaction(LedgerEvent event, Action action, String transferId, String requestId, String detail) {
    /** The outcomes, in words an operator reads in the log. */
    public enum Action {
        GRANTED,
        DENIED,
        ACCEPTED,
        ACKNOWLEDGED,
        /** The policy says nothing about this event (not ours, or not a listed party). */
        IGNORED,
        /** The policy wanted to act, but a limit stood in the way; left for the operator. */
        OVER_LIMIT,
        /** The contract refused the reaction (e.g. the request was cancelled meanwhile). */
        REFUSED
    }

    public Reaction {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(transferId, "transferId");
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(detail, "detail");
    }

    /** True when the reaction changed the ledger (or found that its earlier attempt had). */
    public boolean acted() {
        return action == Action.GRANTED || action == Action.DENIED || action == Action.ACCEPTED
                || action == Action.ACKNOWLEDGED;
    }
}
