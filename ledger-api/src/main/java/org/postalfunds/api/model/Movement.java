package org.postalfunds.api.model;

/**
 * One double-entry movement: the debit account loses the amount, the credit account gains it (a meter user's
 * reading: "debit my meter, credit the escrow").
 */
public record Movement(String debitAccount, String creditAccount, long amountMinorUnits) {}
