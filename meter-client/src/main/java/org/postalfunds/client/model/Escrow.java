package org.postalfunds.client.model;

/** Funds of one transfer between grant (or offer) and settlement. */
public record Escrow(String transferId, String donorMeterId, String recipientMeterId, String fundingAccount,
        long heldMinorUnits) {
}
