package org.postalfunds.client.indicium;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import org.postalfunds.api.model.Indicium;

/**
 * An indicium on disk: the JSON file and the Data Matrix PNG that print-postage writes, and reading
 * either back for verification. Both carry the same JSON text.
 */
public final class IndiciumFiles {
    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    /** Where one printed indicium was written. */
    public record Written(Path json, Path png) {
        public Written {
            Objects.requireNonNull(json, "json");
            Objects.requireNonNull(png, "png");
        }
    }

    private IndiciumFiles() {
    }

    /** Writes {@code <meterId>-<piece>.json} and {@code .png} into the directory (created if needed). */
    public static Written write(final Indicium indicium, final Path directory) throws IOException {
        Files.createDirectories(directory);
        String base = indicium.meterId() + "-" + indicium.pieceNumber();
        String json = Indicia.toJson(indicium);
        Path jsonFile = directory.resolve(base + ".json");
        Path pngFile = directory.resolve(base + ".png");
        Files.writeString(jsonFile, json + "\n", StandardCharsets.US_ASCII);
        Files.write(pngFile, DataMatrixCodec.encodePng(json));
        return new Written(jsonFile, pngFile);
    }

    /**
     * Reads an indicium from a PNG (decoding its Data Matrix) or a JSON file, told apart by the PNG signature.
     *
     * @throws IllegalArgumentException when the file is too large, holds no readable symbol or no indicium
     */
    public static Indicium read(final Path file) throws IOException {
        byte[] bytes = readBounded(file, DataMatrixCodec.MAX_PNG_BYTES);
        String json = isPng(bytes) ? DataMatrixCodec.decodePng(bytes) : new String(bytes, StandardCharsets.UTF_8);
        return Indicia.parse(json.strip());
    }

    public static boolean isPng(final byte[] bytes) {
        return bytes.length >= PNG_MAGIC.length && Arrays.equals(Arrays.copyOf(bytes, PNG_MAGIC.length), PNG_MAGIC);
    }

    private static byte[] readBounded(final Path file, final int maxBytes) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw new IllegalArgumentException(file + " is larger than " + maxBytes + " bytes");
            }
            return bytes;
        }
    }
}
