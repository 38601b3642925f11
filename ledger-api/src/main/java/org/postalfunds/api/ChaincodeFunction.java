package org.postalfunds.api;

import java.util.List;

/**
 * A function a client calls on the channel's chaincode, by name and with its parameters, never as a string typed at
 * the call: {@link LedgerFunction} lists the ledger's own contracts; the benchmark's chaincode, which adds a baseline
 * contract to them, lists its baseline's functions in the benchmark module.
 */
public interface ChaincodeFunction {
    /** What a client sends as the function: {@code "Contract:method"}, or the bare method for the default contract. */
    String functionName();

    LedgerFunction.Intent intent();

    /** The parameters after the transaction context, in order; a submit's first is {@code requestId}. */
    List<String> parameters();

    default boolean isSubmit() {
        return intent() == LedgerFunction.Intent.SUBMIT;
    }
}
