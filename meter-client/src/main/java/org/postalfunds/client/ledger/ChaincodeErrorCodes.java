package org.postalfunds.client.ledger;

import java.util.Set;

/**
 * The contract's error codes (chaincode/README.md). A refusal's message starts with one of them
 * ("INSUFFICIENT_FUNDS: meter ..."); clients match on the code, never on the text.
 */
public final class ChaincodeErrorCodes {
    public static final Set<String> ALL = Set.of(
            "INVALID_ARGUMENT", "MALFORMED_JSON", "INVALID_AMOUNT", "INVALID_COUNT", "TRANSFERS_OPEN", "AMOUNT_OVERFLOW", "INSUFFICIENT_FUNDS",
            "LIMIT_EXCEEDED", "NOT_AUTHORISED", "UNKNOWN_METER", "METER_ALREADY_REGISTERED",
            "PUBLIC_KEY_ALREADY_REGISTERED", "INVALID_CERTIFICATE", "METER_SUSPENDED", "METER_WITHDRAWN",
            "INSPECTION_OVERDUE", "PRINTING_NOT_SUPPORTED", "UNKNOWN_TRANSFER", "ILLEGAL_TRANSITION",
            "DEADLINE_PASSED", "DEADLINE_NOT_REACHED", "INVALID_DEADLINE", "SELF_TRANSFER",
            "REQUESTER_NOT_AUTHORISED", "UNKNOWN_ALLOTMENT", "PIECE_NUMBER_MISMATCH", "MAILING_DATE_MISMATCH",
            "INVALID_SIGNATURE", "UNKNOWN_INDICIUM", "REQUEST_ID_REUSED", "MISSING_PACKAGE", "MALFORMED_PACKAGE",
            "PACKAGE_MISMATCH", "PACKAGE_NOT_AVAILABLE", "INVARIANT_VIOLATED");

    /**
     * Refusals that a peer which has not yet committed the caller's previous step (or the other party's) gives for a
     * step that is allowed: the gateway reports a commit once the client's own peer has it, while another
     * organisation's endorsing peer may still be a block behind. A client retries these with the same request id,
     * bounded by its retry policy; nothing is written by a refused proposal, so the retry cannot act twice.
     * INSUFFICIENT_FUNDS is deliberately not here: it is usually final, and waiting on it would hide real shortages.
     */
    public static final Set<String> LAG_SENSITIVE = Set.of(
            "UNKNOWN_TRANSFER", "ILLEGAL_TRANSITION", "PIECE_NUMBER_MISMATCH", "UNKNOWN_METER", "UNKNOWN_ALLOTMENT",
            "PACKAGE_NOT_AVAILABLE");

    private ChaincodeErrorCodes() {
    }

    /** The code a chaincode message starts with ("CODE: text"), if it is one of the contract's. */
    public static java.util.Optional<String> prefixOf(final String message) {
        if (message == null) {
            return java.util.Optional.empty();
        }
        int colon = message.indexOf(": ");
        if (colon <= 0 || colon > 40) {
            return java.util.Optional.empty();
        }
        String code = message.substring(0, colon);
        return ALL.contains(code) ? java.util.Optional.of(code) : java.util.Optional.empty();
    }
}
