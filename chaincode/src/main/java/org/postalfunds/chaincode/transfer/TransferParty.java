package org.postalfunds.chaincode.transfer;

/** Who may take a step: the donor meter, the recipient meter, or any identity on the channel. */
public enum TransferParty {
    DONOR,
    RECIPIENT,
    ANYONE
}
