package org.postalfunds.client.model;

import java.util.Set;

/** States of a transfer, as the contract's state machine names them. */
public enum TransferState {
    REQUESTED,
    GRANTED,
    DENIED,
    ACCEPTED,
    CANCELLED,
    OFFERED,
    ACKNOWLEDGED,
    REJECTED,
    EXPIRED;

    /** States in which the transfer still waits for a party (and, for GRANTED and OFFERED, holds escrow). */
    public static final Set<TransferState> OPEN = Set.of(REQUESTED, GRANTED, OFFERED);

    /** True while funds sit in the transfer's escrow account. */
    public boolean holdsEscrow() {
        return this == GRANTED || this == OFFERED;
    }
}
