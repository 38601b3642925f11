package org.postalfunds.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LedgerFunctionTest {

    @Test
    void the_default_contract_is_called_by_its_bare_method_and_the_others_by_contract_and_method() {
        assertThat(LedgerFunction.REFILL_METER.functionName()).isEqualTo("refillMeter");
        assertThat(LedgerFunction.GRANT_INFORMATION.functionName()).isEqualTo("SecureInformation:grantInformation");
        assertThat(LedgerFunction.named("SecureInformation:grantInformation")).hasValue(LedgerFunction.GRANT_INFORMATION);
        assertThat(LedgerFunction.named("grantInformation")).isEmpty();
    }

    @Test
    void function_names_are_unique_and_every_submit_takes_a_request_id_first() {
        assertThat(Arrays.stream(LedgerFunction.values()).map(LedgerFunction::functionName)).doesNotHaveDuplicates();
        for (LedgerFunction function : LedgerFunction.values()) {
            if (function.isSubmit()) {
                assertThat(function.parameters()).as(function.functionName()).first().isEqualTo("requestId");
            } else {
                assertThat(function.parameters()).as(function.functionName()).doesNotContain("requestId");
            }
            assertThat(function.parameters().size()).isLessThanOrEqualTo(8);
        }
    }
}
