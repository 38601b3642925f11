package org.postalfunds.chaincode.transfer;

import org.postalfunds.chaincode.escrow.TransferParty;

/** Value of a {@code transfer-by-meter} index key: the meter's role in the transfer. */
public record TransferIndexEntry(TransferParty role) {}
