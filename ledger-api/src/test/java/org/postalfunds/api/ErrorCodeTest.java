package org.postalfunds.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ErrorCodeTest {

    @Test
    void a_refusal_message_starts_with_its_code_and_the_code_is_read_back_from_it() {
        LedgerRefusal refusal = ErrorCode.INSUFFICIENT_FUNDS.exception("meter m1 holds 5");

        assertThat(refusal.getMessage()).isEqualTo("INSUFFICIENT_FUNDS: meter m1 holds 5");
        assertThat(refusal.code()).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
        assertThat(ErrorCode.ofMessage(refusal.getMessage())).hasValue(ErrorCode.INSUFFICIENT_FUNDS);
    }

    @Test
    void a_message_without_a_known_code_in_front_has_none() {
        assertThat(ErrorCode.ofMessage("SOMETHING_ELSE: x")).isEmpty();
        assertThat(ErrorCode.ofMessage("no code here")).isEmpty();
        assertThat(ErrorCode.ofMessage(": empty code")).isEmpty();
        assertThat(ErrorCode.ofMessage(null)).isEmpty();
        assertThat(ErrorCode.named("insufficient_funds")).isEmpty();
    }

    @Test
    void every_code_fits_the_prefix_a_client_reads() {
        for (ErrorCode code : ErrorCode.values()) {
            assertThat(ErrorCode.ofMessage(code.message("x"))).hasValue(code);
        }
    }
}
