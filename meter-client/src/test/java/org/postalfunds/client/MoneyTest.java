package org.postalfunds.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MoneyTest {

    @ParameterizedTest
    @CsvSource({"12.34,1234", "12,1200", "0.01,1", "12.3,1230", "0.5,50", "10000000000000000.00,1000000000000000000"})
    void parses_currency_units_into_minor_units_exactly(final String text, final long minorUnits) {
        assertThat(Money.CENTS.parsePositive(text)).isEqualTo(minorUnits);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "0.00", "-1", "1.234", "1e3", "abc", "", " ", "1,00", "92233720368547758.08", "0x10",
        // Nothing is trimmed or taken loosely: the contract's grammar refuses the same forms.
        " 5.00", "5.00 ", "\t5", "+7", "05.00", "00.50", "٥", "１", "5.", ".5", "92233720368547758.07",
        "10000000000000000.01"})
    void refuses_amounts_that_are_not_positive_exact_currency_units(final String text) {
        assertThatThrownBy(() -> Money.CENTS.parsePositive(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("amount");
    }

    @ParameterizedTest
    @CsvSource({"1234,12.34", "1,0.01", "0,0.00", "-5,-0.05", "9223372036854775807,92233720368547758.07"})
    void formats_minor_units_with_the_currency_fraction_digits(final long minorUnits, final String text) {
        assertThat(Money.CENTS.format(minorUnits)).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 99, 100, 12345, Money.MAX_AMOUNT_MINOR_UNITS})
    void round_trips_every_amount(final long minorUnits) {
        assertThat(Money.CENTS.parsePositive(Money.CENTS.format(minorUnits))).isEqualTo(minorUnits);
    }
}
