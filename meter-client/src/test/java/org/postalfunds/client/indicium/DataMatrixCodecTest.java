package org.postalfunds.client.indicium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class DataMatrixCodecTest {
    private static final String INDICIUM_JSON = "{\"amountMinorUnits\":55,\"meterId\":\"METER-A-0001\",\"pieceNumber\":42,"
            + "\"postingDate\":\"2026-11-25\",\"rate\":\"FIRST_CLASS_LETTER\",\"destinationZip\":\"06926\","
            + "\"signature\":\"MEUCIQDx3mO8y3Zc9u1Xv0cQ3sJk2Y1b3hP8d0Qm4h7s1s9jJwIgY2h5b3J0ZW5lZCBzaWduYXR1cmUgZm9yIHRlc3Q=\"}";

    @Test
    void reads_back_exactly_the_text_it_printed() {
        byte[] png = DataMatrixCodec.encodePng(INDICIUM_JSON);

        assertThat(png).startsWith(0x89, 'P', 'N', 'G');
        assertThat(DataMatrixCodec.decodePng(png)).isEqualTo(INDICIUM_JSON);
    }

    @Test
    void refuses_text_longer_than_a_symbol_holds() {
        assertThatThrownBy(() -> DataMatrixCodec.encodePng("x".repeat(DataMatrixCodec.MAX_TEXT_BYTES + 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most");
    }

    @Test
    void refuses_non_ascii_text() {
        assertThatThrownBy(() -> DataMatrixCodec.encodePng("Zürich")).hasMessageContaining("ASCII");
    }

    @Test
    void says_when_the_bytes_are_not_an_image() {
        assertThatThrownBy(() -> DataMatrixCodec.decodePng("hello".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an image");
    }

    @Test
    void says_when_an_image_holds_no_symbol() throws IOException {
        BufferedImage blank = new BufferedImage(100, 100, BufferedImage.TYPE_BYTE_GRAY);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(blank, "PNG", png);

        assertThatThrownBy(() -> DataMatrixCodec.decodePng(png.toByteArray()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no Data Matrix");
    }
}
