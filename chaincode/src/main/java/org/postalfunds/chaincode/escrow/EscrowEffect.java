package org.postalfunds.chaincode.escrow;

/**
 * What a transition does to the escrowed item, whatever it is (funds or a sealed package, see {@link EscrowedItem}):
 * nothing, put the donor's item into escrow, deliver it from escrow to the recipient, or return it to the donor.
 */
public enum EscrowEffect {
    NONE,
    HOLD,
    DELIVER,
    RETURN
}
