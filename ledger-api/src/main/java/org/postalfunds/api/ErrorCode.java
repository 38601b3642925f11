package org.postalfunds.api;

import java.util.Optional;

/**
 * Every error the contract reports. Clients match on the code (the exception payload, and the prefix of the
 * message, since peers pass the message on), never on the text. The one list, shared by the contract and its clients.
 */
public enum ErrorCode {
    /** An argument has the wrong form: an id with illegal characters, a page size out of range, a bad date. */
    INVALID_ARGUMENT,
    /** A JSON argument does not parse, has unknown or duplicate fields, or a field of the wrong type. */
    MALFORMED_JSON,
    /**
     * An amount argument is not canonical decimal minor units (ASCII digits, no sign, spaces, point, exponent or
     * leading zero), is zero, or is above the ledger's largest amount (Limits.MAX_AMOUNT_MINOR_UNITS).
     */
    INVALID_AMOUNT,
    /** A count argument (page size, history limit, days, piece number) is not canonical decimal or out of range. */
    INVALID_COUNT,
    /** An amount would overflow a register or a total. */
    AMOUNT_OVERFLOW,
    /** The account to be debited holds less than the amount. */
    INSUFFICIENT_FUNDS,
    /** A meter limit, or a ledger-wide bound (list length, scan size), would be exceeded. */
    LIMIT_EXCEEDED,
    /** The caller's organisation or certificate does not allow this function on this object. */
    NOT_AUTHORISED,
    UNKNOWN_METER,
    METER_ALREADY_REGISTERED,
    /** Another meter is already registered with the same PSD public key. */
    PUBLIC_KEY_ALREADY_REGISTERED,
    /** The meter certificate does not parse, is not P-256, or is not valid at the transaction time. */
    INVALID_CERTIFICATE,
    METER_SUSPENDED,
    METER_WITHDRAWN,
    /** The meter has had no data center contact for longer than the overdue period. */
    INSPECTION_OVERDUE,
    /** The meter has no printing mechanism (a hand-held metering unit). */
    PRINTING_NOT_SUPPORTED,
    UNKNOWN_TRANSFER,
    /** No such transition from the current state, in the transfer state machine or the meter lifecycle. */
    ILLEGAL_TRANSITION,
    /** The step must happen before the transfer's deadline, and the deadline has passed. */
    DEADLINE_PASSED,
    /** Expiry before the transfer's deadline. */
    DEADLINE_NOT_REACHED,
    /** A deadline not canonical decimal epoch seconds, not in the future, or beyond the longest allowed window. */
    INVALID_DEADLINE,
    /**
     * The meter is a party to transfers still open (requested, granted or offered): a withdrawal waits until they
     * are settled or expired (suspend the meter first, so no new ones open).
     */
    TRANSFERS_OPEN,
    /** Donor and recipient are the same meter. */
    SELF_TRANSFER,
    /** The requesting meter is not on the donor's list of authorised requesters. */
    REQUESTER_NOT_AUTHORISED,
    UNKNOWN_ALLOTMENT,
    /** The indicium's piece number is not the meter's piece count + 1. */
    PIECE_NUMBER_MISMATCH,
    /** The indicium's mailing date is not the UTC day of the transaction timestamp. */
    MAILING_DATE_MISMATCH,
    /** The PSD signature over the indicium does not verify against the meter's registered key. */
    INVALID_SIGNATURE,
    UNKNOWN_INDICIUM,
    /** A request id seen before arrives with different content. */
    REQUEST_ID_REUSED,
    /** A grant, offer or download without a sealed package in the transient map. */
    MISSING_PACKAGE,
    /** The sealed package is not a well-formed package of a known version, or too large. */
    MALFORMED_PACKAGE,
    /** The package is addressed to another transfer, sender, recipient or item than the ledger's record. */
    PACKAGE_MISMATCH,
    /** The package is no longer (purged after delivery, rejection, cancellation or expiry) or not on this peer. */
    PACKAGE_NOT_AVAILABLE,
    /**
     * The ledger has no consortium record yet: deployment writes it (initConsortium) before any other call; until
     * then every function is refused.
     */
    CONSORTIUM_NOT_INITIALISED,
    /** initConsortium on a ledger whose consortium record differs from the one given (it is written once). */
    CONSORTIUM_ALREADY_INITIALISED,
    /** The organisation is already a member of the consortium (admitMeterOwner). */
    ORGANISATION_ALREADY_MEMBER,
    /** No refund has been requested for that meter's piece. */
    UNKNOWN_REFUND,
    /** The refund's amount is not the postage the ledger recorded for the piece. */
    REFUND_AMOUNT_MISMATCH,
    /** The piece's refund was requested before (whatever its state now): an indicium is refunded once. */
    REFUND_ALREADY_REQUESTED,
    /** The refund window (Limits.REFUND_WINDOW_SECONDS from the indicium's recorded time) has passed. */
    REFUND_WINDOW_CLOSED,
    /** The meter has made Limits.MAX_REFUND_REQUESTS_PER_METER_PER_DAY refund requests this UTC day. */
    REFUND_RATE_LIMITED,
    /** The postal authority has scanned the piece at a mail centre: it was mailed, not spoiled. */
    INDICIUM_ALREADY_SCANNED,
    /**
     * The meter's PSD key was revoked (reportPsdFailure): every call signed with it, every indicium signed by it
     * after the revocation and every use of the failed meter's funds is refused.
     */
    METER_KEY_REVOKED,
    /** A replacement of a meter that has not been reported failed (its key is not revoked). */
    METER_NOT_FAILED,
    /** The meter has been replaced (final); the message names its replacement. */
    METER_REPLACED,
    /**
     * The proposed replacement meter may not take over the failed one: the same meter, another owner organisation,
     * another kind, not active, already used (registers not zero or a party to a transfer), already a replacement,
     * or another meter than the one a replacement in progress names.
     */
    REPLACEMENT_NOT_ELIGIBLE,
    /** A ledger invariant (control sum, conservation, non-negative register) does not hold: a bug. */
    INVARIANT_VIOLATED;

    /** The longest code name; a message prefix longer than this is no code. */
    private static final int MAX_CODE_CHARS = 40;

    /**
     * The refusal to throw: message prefixed with the code. The contract turns it into the shim's
     * {@code ChaincodeException} (payload: the code) at its boundary.
     */
    public LedgerRefusal exception(final String message) {
        return new LedgerRefusal(this, message);
    }

    /** The message a peer passes on for this code: {@code "CODE: text"}. */
    public String message(final String text) {
        return name() + ": " + text;
    }

    /** The code a contract message starts with ("CODE: text"), if it is one of these. */
    public static Optional<ErrorCode> ofMessage(final String message) {
        if (message == null) {
            return Optional.empty();
        }
        final int colon = message.indexOf(": ");
        if (colon <= 0 || colon > MAX_CODE_CHARS) {
            return Optional.empty();
        }
        return named(message.substring(0, colon));
    }

    /** The code of that exact name, if there is one. */
    public static Optional<ErrorCode> named(final String name) {
        for (final ErrorCode code : values()) {
            if (code.name().equals(name)) {
                return Optional.of(code);
            }
        }
        return Optional.empty();
    }
}
