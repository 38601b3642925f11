package org.postalfunds.api.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SealedPackageTest {
    private static final byte[] POINT = point();
    private static final SealedPackage.Header HEADER = new SealedPackage.Header("info-1", "meter-A", "meter-B",
            "rate table ü", "application/json", POINT, new byte[12]);

    private static byte[] point() {
        final byte[] point = new byte[65];
        point[0] = 0x04;
        return point;
    }

    @Test
    void a_package_decodes_to_what_was_encoded() {
        final SealedPackage sealed = SealedPackage.of(HEADER, new byte[40], new byte[70]);

        final SealedPackage decoded = SealedPackage.decode(sealed.encode());

        assertThat(decoded).isEqualTo(sealed);
        assertThat(decoded.header().itemName()).isEqualTo("rate table ü");
    }

    @Test
    void the_signed_bytes_start_with_the_associated_data_and_exclude_the_signature() {
        final SealedPackage sealed = SealedPackage.of(HEADER, new byte[40], new byte[70]);
        final byte[] aad = HEADER.associatedData();

        assertThat(Arrays.copyOf(sealed.signedBytes(), aad.length)).isEqualTo(aad);
        assertThat(sealed.signedBytes()).hasSize(aad.length + 4 + 40);
        assertThat(sealed.encode()).hasSize(aad.length + 4 + 40 + 2 + 70);
    }

    @Test
    void trailing_truncated_or_oversize_input_is_refused() {
        final byte[] encoded = SealedPackage.of(HEADER, new byte[40], new byte[70]).encode();

        assertThatThrownBy(() -> SealedPackage.decode(Arrays.copyOf(encoded, encoded.length + 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SealedPackage.decode(Arrays.copyOf(encoded, encoded.length - 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SealedPackage.decode(new byte[SealedPackage.MAX_PACKAGE_BYTES + 1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most");
    }

    @Test
    void limits_on_item_names_content_types_and_ciphertext_hold_at_their_edges() {
        assertThat(SealedPackage.requireItemName("x".repeat(SealedPackage.MAX_ITEM_NAME_BYTES))).hasSize(128);
        assertThatThrownBy(() -> SealedPackage.requireItemName("x".repeat(SealedPackage.MAX_ITEM_NAME_BYTES + 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SealedPackage.requireItemName("line\nbreak")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SealedPackage.requireItemName("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SealedPackage.requireContentType("json")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SealedPackage.of(HEADER, new byte[SealedPackage.MAX_CONTENT_BYTES + 17], new byte[70]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SealedPackage.of(HEADER, new byte[15], new byte[70]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void the_information_transfer_id_is_derived_from_meter_and_request_id() {
        final String id = SealedPackage.transferIdFor("meter-A", "req-1");

        assertThat(id).startsWith("info-").hasSize(45).matches("[A-Za-z0-9._-]+");
        assertThat(SealedPackage.transferIdFor("meter-A", "req-1")).isEqualTo(id);
        assertThat(SealedPackage.transferIdFor("meter-B", "req-1")).isNotEqualTo(id);
        assertThat(SealedPackage.sha256Hex(new byte[0]))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }
}
