package org.postalfunds.client.model;

/** One double-entry movement: the debit account loses the amount, the credit account gains it. */
public record Movement(String debitAccount, String creditAccount, long amountMinorUnits) {
}
