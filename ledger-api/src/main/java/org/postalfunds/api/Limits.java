package org.postalfunds.api;

/** Bounds on everything: lists, pages, windows and input sizes. The contract enforces them; clients check before they call. */
public final class Limits {
    public static final int MAX_PAGE_SIZE = 100;
    public static final int MAX_HISTORY_ENTRIES = 100;
    /** The audit totals query refuses ledgers with more accounts than this (also the peer's default query limit). */
    public static final int MAX_AUDITED_ACCOUNTS = 100_000;
    public static final int MAX_AUTHORISED_REQUESTERS = 1_000;
    public static final int MAX_ALLOTMENTS_PER_DISTRIBUTOR = 1_000;
    /** Meter owner organisations of one consortium: each reads and endorses on every call that checks the record. */
    public static final int MAX_METER_OWNER_ORGANISATIONS = 64;
    /** Longest time a pull request may wait for the donor's answer. */
    public static final long MAX_REQUEST_WINDOW_SECONDS = 30L * 24 * 3600;
    /** Longest time funds may sit in escrow after a grant or an offer. */
    public static final long MAX_ESCROW_WINDOW_SECONDS = 30L * 24 * 3600;
    public static final int MAX_JSON_ARGUMENT_CHARS = 16_384;
    public static final int MAX_CERTIFICATE_PEM_CHARS = 8_192;
    public static final int MAX_REASON_CHARS = 200;
    public static final int MAX_MODEL_CHARS = 64;
    public static final int MAX_INSPECTION_PERIOD_DAYS = 3_650;
    /** How long after printing (the indicium's recorded time) a meter may ask for a spoiled piece's refund. */
    public static final long REFUND_WINDOW_SECONDS = 30L * 24 * 3600;
    /** Refund requests one meter may make per UTC day (of the transaction timestamp). */
    public static final int MAX_REFUND_REQUESTS_PER_METER_PER_DAY = 20;
    /** A refund's reason (the meter's, and the postal authority's for a rejection): required, at most this long. */
    public static final int MAX_REFUND_REASON_LENGTH = MAX_REASON_CHARS;
    /**
     * Open items (a transfer, an allotment, an authorised requester, a pending refund, the balance) one replacePsd
     * transaction moves from a failed meter to its replacement; more take further calls (the replacement resumes).
     */
    public static final int MAX_ITEMS_PER_REPLACEMENT_STEP = 50;

    // ---- money: bounds that keep every sum the ledger or an auditor forms inside a long ---------------------------
    // The audit reads at most MAX_AUDITED_ACCOUNTS accounts, so at most that many meters; each meter is issued at
    // most MAX_ISSUED_PER_METER_MINOR_UNITS over its life. All funds on the ledger, and so every register, class
    // total and partial sum (descending, ascending, issued, escrow, allotment), stay within MAX_LEDGER_FUNDS, which
    // leaves a margin of 9 below Long.MAX_VALUE (9.22e18) for sums of several classes.

    /** Most a meter's maxBalanceMinorUnits (and so its per-piece and per-transfer limits) may be: 10^12. */
    public static final long MAX_METER_BALANCE_MINOR_UNITS = 1_000_000_000_000L;
    /** Most the data center may issue to one meter over its life (its refilled register): 10^13. */
    public static final long MAX_ISSUED_PER_METER_MINOR_UNITS = 10_000_000_000_000L;
    /** Bound on all funds of a ledger the audit accepts: 10^5 meters x 10^13 = 10^18. */
    public static final long MAX_LEDGER_FUNDS_MINOR_UNITS =
            MAX_AUDITED_ACCOUNTS * MAX_ISSUED_PER_METER_MINOR_UNITS;
    /** Largest amount argument: no movement can exceed all funds there are. */
    public static final long MAX_AMOUNT_MINOR_UNITS = MAX_LEDGER_FUNDS_MINOR_UNITS;
    /** Latest timestamp argument (9999-12-31T23:59:59Z): deadlines plus windows stay far from overflow. */
    public static final long MAX_EPOCH_SECONDS = 253_402_300_799L;

    private Limits() {}
}
