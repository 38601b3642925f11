package org.postalfunds.chaincode;

/** Bounds on everything: lists, pages, windows and input sizes. */
public final class Limits {
    public static final int MAX_PAGE_SIZE = 100;
    public static final int MAX_HISTORY_ENTRIES = 100;
    /** The audit totals query refuses ledgers with more accounts than this (also the peer's default query limit). */
    public static final int MAX_AUDITED_ACCOUNTS = 100_000;
    public static final int MAX_AUTHORISED_REQUESTERS = 1_000;
    public static final int MAX_ALLOTMENTS_PER_DISTRIBUTOR = 1_000;
    /** Longest time a pull request may wait for the donor's answer. */
    public static final long MAX_REQUEST_WINDOW_SECONDS = 30L * 24 * 3600;
    /** Longest time funds may sit in escrow after a grant or an offer. */
    public static final long MAX_ESCROW_WINDOW_SECONDS = 30L * 24 * 3600;
    public static final int MAX_JSON_ARGUMENT_CHARS = 16_384;
    public static final int MAX_CERTIFICATE_PEM_CHARS = 8_192;
    public static final int MAX_REASON_CHARS = 200;
    public static final int MAX_MODEL_CHARS = 64;
    public static final int MAX_INSPECTION_PERIOD_DAYS = 3_650;

    private Limits() {}
}
