package org.postalfunds.api.model;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * States of a transfer (funds or secure information). Pull: REQUESTED -> GRANTED | DENIED -> ACCEPTED | CANCELLED.
 * Push: OFFERED -> ACKNOWLEDGED | REJECTED. Open ones may expire.
 */
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

    // Enum-ordered sets: the contract iterates them, and every endorser must do so in the same order.

    /** States in which the transfer still waits for a party: the ones a withdrawal waits for. */
    public static final Set<TransferState> OPEN = Collections.unmodifiableSet(EnumSet.of(REQUESTED, GRANTED, OFFERED));
    /** States in which the escrowed item (funds or a sealed package) is held for the recipient. */
    public static final Set<TransferState> HOLDING_ESCROW = Collections.unmodifiableSet(EnumSet.of(GRANTED, OFFERED));
    /** Final states: nothing more can happen, nothing is held. */
    public static final Set<TransferState> SETTLED = Collections.unmodifiableSet(
            EnumSet.complementOf(EnumSet.of(REQUESTED, GRANTED, OFFERED)));

    public boolean isOpen() {
        return OPEN.contains(this);
    }

    /** True while the transfer's escrow holds its item. */
    public boolean holdsEscrow() {
        return HOLDING_ESCROW.contains(this);
    }

    public boolean isSettled() {
        return SETTLED.contains(this);
    }

    /** The event a transition into this state emits: TransferRequested, TransferGranted, ... */
    public String eventName() {
        return "Transfer" + name().charAt(0) + name().substring(1).toLowerCase(Locale.ROOT);
    }
}
