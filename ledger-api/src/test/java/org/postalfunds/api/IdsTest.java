package org.postalfunds.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IdsTest {

    @Test
    void ids_are_1_to_64_of_a_narrow_alphabet_starting_with_a_letter_or_digit() {
        assertThat(Ids.isId("meter-A1")).isTrue();
        assertThat(Ids.isId("a".repeat(64))).isTrue();
        assertThat(Ids.isId("a".repeat(65))).isFalse();
        assertThat(Ids.isId("")).isFalse();
        assertThat(Ids.isId(null)).isFalse();
        assertThat(Ids.isId("-leading")).isFalse();
        assertThat(Ids.isId("with space")).isFalse();
        assertThat(Ids.isId("meter\u0000A1")).isFalse();
        assertThat(Ids.isId("m\u0665")).as("a non-ASCII digit").isFalse();
    }

    @Test
    void a_malformed_id_is_refused_with_invalid_argument() {
        assertThatThrownBy(() -> Ids.require("bad id", "meterId"))
                .isInstanceOfSatisfying(LedgerRefusal.class, refusal -> {
                    assertThat(refusal.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(refusal.getMessage()).contains("meterId", "'bad id'");
                });
        assertThat(Ids.require("meter-A1", "meterId")).isEqualTo("meter-A1");
    }

    @Test
    void msp_ids_may_start_with_any_of_their_alphabet() {
        assertThat(Ids.isMspId("DataCenterMSP")).isTrue();
        assertThat(Ids.isMspId("Org1.MSP")).isTrue();
        assertThat(Ids.isMspId("")).isFalse();
        assertThat(Ids.isMspId("Data Center")).isFalse();
    }
}
