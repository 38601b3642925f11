package org.postalfunds.chaincode.support;

import java.util.function.Supplier;
import org.hyperledger.fabric.shim.ChaincodeException;
import org.postalfunds.api.LedgerRefusal;

/**
 * The contract's edge towards the shim. Refusals inside the contract and the shared ledger-api checks are
 * {@link LedgerRefusal}s (JDK only, so the clients share them); the shim passes a {@link ChaincodeException}'s message
 * and payload on to the client and answers anything else as a bare "Unexpected error". Every transaction function
 * runs its body through {@link #run}, so every refusal leaves with its error code.
 */
public final class Boundary {
    private Boundary() {}

    public static <T> T run(final Supplier<T> body) {
        try {
            return body.get();
        } catch (LedgerRefusal refusal) {
            throw chaincodeException(refusal);
        }
    }

    /** The shim's form of a refusal: message "CODE: text", payload the code. */
    public static ChaincodeException chaincodeException(final LedgerRefusal refusal) {
        final ChaincodeException exception = new ChaincodeException(refusal.getMessage(), refusal.code().name());
        exception.initCause(refusal);
        return exception;
    }
}
