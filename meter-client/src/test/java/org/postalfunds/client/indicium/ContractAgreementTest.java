package org.postalfunds.client.indicium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The client's own checks agree with the contract's (the shared definitions are in ledger-api). */
class ContractAgreementTest {

    @Test
    void the_client_refuses_amounts_beyond_the_contracts_largest_and_trims_nothing() {
        assertThat(org.postalfunds.client.Money.MAX_AMOUNT_MINOR_UNITS)
                .isEqualTo(org.postalfunds.api.Limits.MAX_AMOUNT_MINOR_UNITS);
        assertThatThrownBy(() -> org.postalfunds.client.Money.CENTS.parsePositive(" 5.00"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("without spaces");
    }

    @Test
    void indicium_json_with_an_unknown_field_or_a_malformed_value_is_refused_before_anything_is_asked() {
        String good = "{\"amountMinorUnits\":150,\"destinationCountryCode\":\"GB\",\"destinationPostalCode\":\"SW1A 1AA\","
                + "\"mailingDate\":\"2026-03-02\",\"meterId\":\"meter-A1\",\"pieceNumber\":1,\"rateCode\":\"LETTER-1ST\","
                + "\"signature\":\"MEUCIQ==\"}";

        assertThat(Indicia.toJson(Indicia.parse(good))).isEqualTo(good);
        assertThatThrownBy(() -> Indicia.parse(good.replace("\"rateCode\"", "\"extra\":1,\"rateCode\"")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("extra");
        assertThatThrownBy(() -> Indicia.parse(good.replace("2026-03-02", "2026-02-30")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mailingDate");
        assertThatThrownBy(() -> Indicia.parse(good.replace("\"GB\"", "\"gb\"")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("destinationCountryCode");
        assertThatThrownBy(() -> Indicia.parse(good.replace("150", "1.5")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
