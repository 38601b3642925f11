package org.postalfunds.chaincode.transfer;

/** States of a transfer. Pull: REQUESTED -> GRANTED | DENIED -> ACCEPTED | CANCELLED. Push: OFFERED -> ACKNOWLEDGED | REJECTED. */
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

    /** The event a transition into this state emits: TransferRequested, TransferGranted, ... */
    public String eventName() {
        return "Transfer" + name().charAt(0) + name().substring(1).toLowerCase(java.util.Locale.ROOT);
    }
}
