package org.postalfunds.chaincode.transfer;

/**
 * What a transition does to the thing being transferred, whatever it is (funds today; sealed information later):
 * nothing, put the donor's item into escrow, deliver it from escrow to the recipient, or return it to the donor.
 */
public enum EscrowEffect {
    NONE,
    HOLD,
    DELIVER,
    RETURN
}
