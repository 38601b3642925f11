package org.postalfunds.client.bench;

import java.util.List;
import org.postalfunds.api.ChaincodeFunction;
import org.postalfunds.api.LedgerFunction.Intent;

/**
 * The functions of the benchmark's {@code Baseline} contract, which only the benchmark's chaincode (chaincode-bench)
 * carries beside the ledger's own contracts. Production clients never see them: ledger-api's {@code LedgerFunction}
 * lists the production contracts alone. {@code BaselineFunctionAgreementTest} checks this list against the contract.
 */
public enum BaselineFunction implements ChaincodeFunction {
    /** One blind write of {@code value} under {@code baseline~{requestId}}: the channel's cheapest transaction. */
    WRITE("write", "requestId", "value"),
    /** A debit and a credit of two balances, no rule checked: the baseline of a transfer. */
    TRANSFER("transfer", "requestId", "fromAccount", "toAccount", "amount");

    /** The name in the contract's {@code @Contract} annotation, which Fabric routes on. */
    public static final String CONTRACT_NAME = "Baseline";

    private final String methodName;
    private final List<String> parameters;

    BaselineFunction(final String methodName, final String... parameters) {
        this.methodName = methodName;
        this.parameters = List.of(parameters);
    }

    @Override
    public String functionName() {
        return CONTRACT_NAME + ":" + methodName;
    }

    /** Both are submits: endorsed, ordered and committed, as the postal functions they are compared with. */
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
