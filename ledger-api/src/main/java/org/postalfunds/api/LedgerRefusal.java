package org.postalfunds.api;

import java.util.Objects;

/**
 * A refusal with its error code: bad input, a rule of the ledger, or (INVARIANT_VIOLATED) a bug. Thrown by the
 * shared checks of this module and by the contract; the contract's boundary turns it into the shim's
 * {@code ChaincodeException}, whose payload is the code and whose message starts with it.
 */
public final class LedgerRefusal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    LedgerRefusal(final ErrorCode code, final String message) {
        super(Objects.requireNonNull(code, "code").message(message));
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
