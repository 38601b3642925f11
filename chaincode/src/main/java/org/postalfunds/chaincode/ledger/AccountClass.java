package org.postalfunds.chaincode.ledger;

/** The kinds of double-entry account. Their balances sum to zero over the whole ledger after every transaction. */
public enum AccountClass {
    /** A meter's available funds: its descending register, plus credits on its inflow key not yet folded in. */
    METER,
    /** The data center's issued-funds account, one share per meter; negative by what it issued. */
    ISSUED_FUNDS,
    /** Postage revenue, one share per meter (its ascending register). */
    POSTAGE_REVENUE,
    /** A distributor's vault share reserved for one recipient (Fig. 4). */
    ALLOTMENT,
    /** Funds of one transfer, granted or offered and not yet settled. */
    ESCROW
}
