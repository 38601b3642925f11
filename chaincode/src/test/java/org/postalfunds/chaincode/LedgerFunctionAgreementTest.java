package org.postalfunds.chaincode;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.hyperledger.fabric.contract.Context;
import org.hyperledger.fabric.contract.annotation.Contract;
import org.hyperledger.fabric.contract.annotation.Default;
import org.hyperledger.fabric.contract.annotation.Transaction;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.LedgerFunction;

/** The clients call the contract through ledger-api's {@link LedgerFunction}: it must be exactly the contract's list. */
class LedgerFunctionAgreementTest {
    private static final List<Class<?>> CONTRACTS =
            List.of(PostalLedgerContract.class, SecureInformationContract.class);

    /** "name intent parameter-count" of every transaction function, as Fabric routes to it. */
    private static List<String> contractFunctions() {
        List<String> functions = new ArrayList<>();
        for (Class<?> contract : CONTRACTS) {
            String contractName = contract.getAnnotation(Contract.class).name();
            boolean isDefault = contract.isAnnotationPresent(Default.class);
            for (Method method : contract.getDeclaredMethods()) {
                Transaction transaction = method.getAnnotation(Transaction.class);
                if (transaction == null) {
                    continue;
                }
                assertThat(method.getParameterTypes()[0]).isEqualTo(Context.class);
                assertThat(Arrays.stream(method.getParameters()).skip(1).map(Parameter::getType))
                        .as(method.getName()).allMatch(String.class::equals);
                functions.add((isDefault ? "" : contractName + ":") + method.getName() + " "
                        + transaction.intent().name() + " " + (method.getParameterCount() - 1));
            }
        }
        return functions;
    }

    @Test
    void every_transaction_of_the_contracts_is_a_ledger_function_and_every_ledger_function_a_transaction() {
        List<String> listed = Arrays.stream(LedgerFunction.values())
                .map(f -> f.functionName() + " " + f.intent().name() + " " + f.parameters().size()).toList();

        assertThat(listed).containsExactlyInAnyOrderElementsOf(contractFunctions());
    }

    @Test
    void the_contract_names_match() {
        assertThat(PostalLedgerContract.class.getAnnotation(Contract.class).name())
                .isEqualTo(LedgerFunction.Contract.POSTAL.contractName());
        assertThat(SecureInformationContract.class.getAnnotation(Contract.class).name())
                .isEqualTo(LedgerFunction.Contract.SECURE_INFORMATION.contractName());
        assertThat(PostalLedgerContract.class.isAnnotationPresent(Default.class)).isTrue();
    }
}
