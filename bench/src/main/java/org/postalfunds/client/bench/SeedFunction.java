package org.postalfunds.client.bench;

import java.util.List;
import org.postalfunds.api.ChaincodeFunction;
import org.postalfunds.api.LedgerFunction.Intent;

/**
 * The functions of the benchmark chaincode's {@code Seed} contract (chaincode-bench only, like the Baseline), which
 * fills the ledger with settled transfers so the benchmark can measure the production contract on a large ledger.
 * {@code BaselineFunctionAgreementTest} checks this list against the contract.
 */
public enum SeedFunction implements ChaincodeFunction {
    /** {@code count} settled pull transfers between two registered meters, alternating direction. */
    SEED_SETTLED_TRANSFERS("seedSettledTransfers", "requestId", "firstMeterId", "secondMeterId", "count");

    public static final String CONTRACT_NAME = "Seed";
    /** The contract's {@code MAX_TRANSFERS_PER_CALL}: the benchmark seeds in calls of this many. */
    public static final int MAX_TRANSFERS_PER_CALL = 500;

    private final String methodName;
    private final List<String> parameters;

    SeedFunction(final String methodName, final String... parameters) {
        this.methodName = methodName;
        this.parameters = List.of(parameters);
    }

    @Override
    public String functionName() {
        return CONTRACT_NAME + ":" + methodName;
    }

    @Override
    public Intent intent() {
        return Intent.SUBMIT;
    }

    @Override
    public List<String> parameters() {
        return parameters;
    }

    @Override
    public String toString() {
        return functionName();
    }
}
