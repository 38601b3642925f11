package org.postalfunds.chaincode.escrow;

/** Who may take a step: the donor meter, the recipient meter, or any identity on the channel. */
public enum TransferParty {
    DONOR,
    RECIPIENT,
    ANYONE
}
