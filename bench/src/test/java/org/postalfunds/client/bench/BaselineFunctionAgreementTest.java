package org.postalfunds.client.bench;

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
import org.postalfunds.chaincode.bench.BaselineContract;
import org.postalfunds.chaincode.bench.SeedContract;

/** The driver calls the Baseline and the Seed through {@link BaselineFunction} and {@link SeedFunction}: each must be exactly its contract's list. */
class BaselineFunctionAgreementTest {

    @Test
    void every_transaction_of_the_baseline_is_a_baseline_function_and_every_baseline_function_a_transaction() {
        final List<String> contract = new ArrayList<>();
        for (final Method method : BaselineContract.class.getDeclaredMethods()) {
            final Transaction transaction = method.getAnnotation(Transaction.class);
            if (transaction == null) {
                continue;
            }
            assertThat(method.getParameterTypes()[0]).isEqualTo(Context.class);
            assertThat(Arrays.stream(method.getParameters()).skip(1).map(Parameter::getType))
                    .as(method.getName()).allMatch(String.class::equals);
            contract.add(BaselineFunction.CONTRACT_NAME + ":" + method.getName() + " " + transaction.intent().name() + " "
                    + Arrays.stream(method.getParameters()).skip(1).map(Parameter::getName).toList());
        }

        final List<String> listed = Arrays.stream(BaselineFunction.values())
                .map(f -> f.functionName() + " " + f.intent().name() + " " + f.parameters()).toList();

        assertThat(listed).containsExactlyInAnyOrderElementsOf(contract);
    }

    @Test
    void the_seed_functions_are_exactly_the_seed_contract_s_transactions_and_its_limit_is_the_contract_s() {
        final List<String> contract = new ArrayList<>();
        for (final Method method : SeedContract.class.getDeclaredMethods()) {
            final Transaction transaction = method.getAnnotation(Transaction.class);
            if (transaction != null) {
                contract.add(SeedFunction.CONTRACT_NAME + ":" + method.getName() + " " + transaction.intent().name() + " "
                        + Arrays.stream(method.getParameters()).skip(1).map(Parameter::getName).toList());
            }
        }

        assertThat(Arrays.stream(SeedFunction.values())
                .map(f -> f.functionName() + " " + f.intent().name() + " " + f.parameters()).toList())
                .containsExactlyInAnyOrderElementsOf(contract);
        assertThat(SeedContract.class.getAnnotation(Contract.class).name()).isEqualTo(SeedFunction.CONTRACT_NAME);
        assertThat(SeedFunction.MAX_TRANSFERS_PER_CALL).isEqualTo(SeedContract.MAX_TRANSFERS_PER_CALL);
    }

    @Test
    void the_contract_name_matches_and_the_baseline_is_not_the_default_contract() {
        assertThat(BaselineContract.class.getAnnotation(Contract.class).name()).isEqualTo(BaselineFunction.CONTRACT_NAME);
        assertThat(BaselineContract.class.isAnnotationPresent(Default.class)).isFalse();
    }
}
