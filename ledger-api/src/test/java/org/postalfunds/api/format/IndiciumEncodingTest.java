package org.postalfunds.api.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class IndiciumEncodingTest {
    private static final IndiciumEncoding.Fields FIELDS = new IndiciumEncoding.Fields(
            "m1", 7, 85, LocalDate.of(2026, 3, 2), "10115", "DE", "LETTER-STD");

    @Test
    void the_encoding_is_byte_for_byte_the_documented_layout() {
        final String expected = "504649" + "01" // "PFI", version 1
                + "0002" + "6d31" // meterId "m1"
                + "0000000000000007" // pieceNumber 7
                + "0000000000000055" // amountMinorUnits 85
                + "000a" + "323032362d30332d3032" // "2026-03-02"
                + "0005" + "3130313135" // "10115"
                + "0002" + "4445" // "DE"
                + "000a" + "4c45545445522d535444"; // "LETTER-STD"
        assertThat(HexFormat.of().formatHex(IndiciumEncoding.encode(FIELDS))).isEqualTo(expected);
    }

    @Test
    void decoding_gives_back_the_fields() {
        assertThat(IndiciumEncoding.decode(IndiciumEncoding.encode(FIELDS))).isEqualTo(FIELDS);
    }

    @Test
    void decoding_refuses_trailing_truncated_or_foreign_bytes() {
        final byte[] encoded = IndiciumEncoding.encode(FIELDS);
        final byte[] longer = java.util.Arrays.copyOf(encoded, encoded.length + 1);
        assertThatThrownBy(() -> IndiciumEncoding.decode(longer)).isInstanceOf(IllegalArgumentException.class);
        final byte[] shorter = java.util.Arrays.copyOf(encoded, encoded.length - 1);
        assertThatThrownBy(() -> IndiciumEncoding.decode(shorter)).isInstanceOf(IllegalArgumentException.class);
        final byte[] otherVersion = encoded.clone();
        otherVersion[3] = 2;
        assertThatThrownBy(() -> IndiciumEncoding.decode(otherVersion)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void every_field_changes_the_bytes() {
        final byte[] base = IndiciumEncoding.encode(FIELDS);
        assertThat(IndiciumEncoding.encode(new IndiciumEncoding.Fields("m2", 7, 85, FIELDS.mailingDate(), "10115",
                "DE", "LETTER-STD"))).isNotEqualTo(base);
        assertThat(IndiciumEncoding.encode(new IndiciumEncoding.Fields("m1", 8, 85, FIELDS.mailingDate(), "10115",
                "DE", "LETTER-STD"))).isNotEqualTo(base);
        assertThat(IndiciumEncoding.encode(new IndiciumEncoding.Fields("m1", 7, 86, FIELDS.mailingDate(), "10115",
                "DE", "LETTER-STD"))).isNotEqualTo(base);
        assertThat(IndiciumEncoding.encode(new IndiciumEncoding.Fields("m1", 7, 85, FIELDS.mailingDate().plusDays(1),
                "10115", "DE", "LETTER-STD"))).isNotEqualTo(base);
        // Length prefixes keep field boundaries apart: "1011" + "5DE" is not "10115" + "DE".
        assertThat(IndiciumEncoding.encode(new IndiciumEncoding.Fields("m1", 7, 85, FIELDS.mailingDate(), "1011",
                "5DE", "LETTER-STD"))).isNotEqualTo(base);
    }

    @Test
    void non_positive_numbers_and_missing_fields_are_not_encoded() {
        assertThatThrownBy(() -> IndiciumEncoding.encode(new IndiciumEncoding.Fields("m1", 0, 85,
                FIELDS.mailingDate(), "10115", "DE", "X"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IndiciumEncoding.encode(new IndiciumEncoding.Fields("m1", 1, 85,
                FIELDS.mailingDate(), null, "DE", "X"))).isInstanceOf(IllegalArgumentException.class);
    }
}
