package org.postalfunds.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Request ids: the contract's alphabet, fresh ones unique, derived ones the same every time. */
class RequestIdTest {

    @Test
    void a_random_id_is_fresh_and_in_the_contracts_form() {
        RequestId first = RequestId.random();

        assertThat(first.value()).matches("req-[0-9a-f-]{36}");
        assertThat(RequestId.of(first.value())).isEqualTo(first);
        assertThat(RequestId.random()).isNotEqualTo(first);
    }

    @Test
    void a_user_supplied_id_outside_the_alphabet_or_longer_than_64_is_refused() {
        assertThat(RequestId.of("a".repeat(64)).value()).hasSize(64);
        assertThatThrownBy(() -> RequestId.of("a".repeat(65))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RequestId.of("-leading-dash")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RequestId.of("with space")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RequestId.of("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void a_derived_id_is_the_same_for_the_same_transfer_and_fits_even_for_a_full_length_transaction_id() {
        String transactionId = "9f".repeat(32);

        RequestId grant = RequestId.derived("watch-grant", transactionId);

        assertThat(grant).isEqualTo(RequestId.derived("watch-grant", transactionId));
        assertThat(grant.value()).startsWith("watch-grant-").hasSize(64);
        assertThat(grant).isNotEqualTo(RequestId.derived("watch-accept", transactionId));
        assertThat(grant).isNotEqualTo(RequestId.derived("watch-grant", "8f" + transactionId.substring(2)));
        assertThat(RequestId.derived("watch-grant", "t-17").value()).isEqualTo("watch-grant-t-17");
    }
}
