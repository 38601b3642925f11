package org.postalfunds.chaincode.ledger;

import org.postalfunds.chaincode.support.Invariants;

/**
 * Funds of one transfer between grant/offer and settlement. The key exists only while it holds funds; once
 * delivered or returned it is deleted (its history stays on the ledger).
 *
 * @param fundingAccount where the funds came from, and so where they return to (a meter or an allotment)
 */
public record Escrow(
        String transferId, String donorMeterId, String recipientMeterId, String fundingAccount, long heldMinorUnits) {

    public Escrow {
        Invariants.check(heldMinorUnits >= 0, "negative escrow " + transferId);
    }

    Escrow withHeld(final long held) {
        return new Escrow(transferId, donorMeterId, recipientMeterId, fundingAccount, held);
    }
}
