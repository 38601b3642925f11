package org.postalfunds.chaincode;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Jazzer fuzzing of every entry point of both contracts (funds and SecureInformation, one target: Jazzer fuzzes one
 * {@code @FuzzTest} per run and the whole stage stays at 25 s) on the in-memory ledger (no network); the oracle is in
 * {@link ContractFuzzing}. The fuzz test runs in fuzzing mode in its own surefire execution (JAZZER_FUZZ=1 is set
 * there only) for 25 s by default, 30 min with {@code -Dfuzz.long=true}; see chaincode/README.md. Without
 * JAZZER_FUZZ (e.g. from an IDE), Jazzer runs it as a regression test on the stored inputs only.
 */
class PostalLedgerFuzzTest {

    /** The duration here is the IDE's; the build passes JAZZER_MAX_DURATION (-Dfuzz.duration), which wins. */
    @FuzzTest(maxDuration = "25s")
    void every_entry_point_answers_fuzzed_calls_with_its_own_error_or_a_balanced_result(final FuzzedDataProvider data) {
        ContractFuzzing.run(data);
    }

    @Test
    void the_fuzzer_decodes_calls_to_every_transaction_of_both_contracts() {
        assertThat(EntryPoint.functionNames()).isEqualTo(EntryPoint.contractFunctions());
    }

    /** After fuzzing: the figures, and proof that the run reached every entry point. */
    @AfterAll
    static void report() {
        final ContractFuzzing.Statistics statistics = ContractFuzzing.STATISTICS;
        if (statistics.inputs.get() == 0) {
            return; // this class ran without a fuzz test (the plain test above, or regression mode with no inputs)
        }
        System.out.print(statistics.summary());
        if (System.getenv("JAZZER_FUZZ") != null) {
            for (final EntryPoint entry : EntryPoint.values()) {
                assertThat(statistics.accepted.get(entry).get() + statistics.refused.get(entry).get())
                        .as("calls of " + entry.functionName()).isPositive();
            }
            assertThat(statistics.total(statistics.accepted)).as("accepted calls").isPositive();
            assertThat(statistics.total(statistics.refused)).as("refused calls").isPositive();
        }
    }
}
