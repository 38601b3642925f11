package org.postalfunds.chaincode.command;

import org.postalfunds.chaincode.access.Caller;
import org.postalfunds.chaincode.ledger.Books;
import org.postalfunds.chaincode.state.LedgerTx;

/** What a submit handler works with: the unit of work, the books, and who is calling. */
public record Command(LedgerTx tx, Books books, Caller caller) {}
