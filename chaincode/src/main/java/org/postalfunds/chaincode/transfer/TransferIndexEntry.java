package org.postalfunds.chaincode.transfer;

/** Value of a {@code transfer-by-meter} index key: the meter's role in the transfer. */
public record TransferIndexEntry(TransferParty role) {}
