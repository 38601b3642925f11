package org.postalfunds.client.cli;

/** The command line's exit codes; scripts branch on these (meter-client/README.md lists them). */
public final class ExitCodes {
    /** Done. */
    public static final int OK = 0;
    /** A bug in this client: the message and stack trace belong in a bug report. */
    public static final int INTERNAL_ERROR = 1;
    /** The command line itself is wrong: unknown command or option, missing or malformed argument. */
    public static final int USAGE = 2;
    /** The chaincode refused the call; its error code is printed (e.g. INSUFFICIENT_FUNDS). Nothing changed. */
    public static final int REFUSED = 3;
    /**
     * The ledger or the HSM bridge could not be reached, or a transaction was not committed, after every
     * retry. The outcome of a submit may be unknown: repeat it with the printed --request-id, which is safe.
     */
    public static final int UNAVAILABLE = 4;
    /** A local input is wrong: profile, key or certificate file, policy, indicium file, bad value. */
    public static final int BAD_INPUT = 5;
    /** A check ran and failed: the audit found a discrepancy, or an indicium is not genuine (or a duplicate). */
    public static final int CHECK_FAILED = 6;

    private ExitCodes() {
    }
}
