package org.postalfunds.client.indicium;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.EncodeHintType;
import com.google.zxing.ChecksumException;
import com.google.zxing.FormatException;
import com.google.zxing.NotFoundException;
import com.google.zxing.Result;
import com.google.zxing.client.j2se.BufferedImageLuminanceSource;
import com.google.zxing.client.j2se.MatrixToImageWriter;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.datamatrix.DataMatrixReader;
import com.google.zxing.datamatrix.DataMatrixWriter;
import com.google.zxing.datamatrix.encoder.SymbolShapeHint;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Renders an indicium's text as a Data Matrix symbol in a PNG (what a postal meter prints) and reads
 * it back (what an auditor's scanner does). The text is ASCII JSON, so it fits the symbol's byte modes.
 */
public final class DataMatrixCodec {
    /** A Data Matrix symbol holds at most 1,556 bytes; leave room for the encoder's overhead. */
    public static final int MAX_TEXT_BYTES = 1_400;
    /** Largest PNG accepted for decoding, so a hostile upload cannot exhaust memory. */
    public static final int MAX_PNG_BYTES = 4 * 1024 * 1024;
    private static final int PIXELS_PER_MODULE = 6;
    private static final int QUIET_ZONE_MODULES = 2;

    private DataMatrixCodec() {
    }

    /** Encodes ASCII text as a square Data Matrix PNG. */
    public static byte[] encodePng(final String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        if (!new String(bytes, StandardCharsets.US_ASCII).equals(text)) {
            throw new IllegalArgumentException("indicium text must be ASCII");
        }
        if (bytes.length > MAX_TEXT_BYTES) {
            throw new IllegalArgumentException("indicium text is " + bytes.length + " bytes; a Data Matrix holds at most " + MAX_TEXT_BYTES);
        }
        try {
            // Width/height 0 gives one pixel per module; it is scaled below so scanners see crisp modules.
            BitMatrix modules = new DataMatrixWriter().encode(text, BarcodeFormat.DATA_MATRIX, 0, 0,
                    Map.of(EncodeHintType.DATA_MATRIX_SHAPE, SymbolShapeHint.FORCE_SQUARE));
            BitMatrix scaled = scale(modules);
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            MatrixToImageWriter.writeToStream(scaled, "PNG", png);
            return png.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads the text of the Data Matrix symbol in a PNG.
     *
     * @throws IllegalArgumentException if the bytes are not a PNG or hold no readable Data Matrix
     */
    public static String decodePng(final byte[] png) {
        if (png.length > MAX_PNG_BYTES) {
            throw new IllegalArgumentException("image is " + png.length + " bytes; at most " + MAX_PNG_BYTES + " are accepted");
        }
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new IllegalArgumentException("not a readable image: " + e.getMessage(), e);
        }
        if (image == null) {
            throw new IllegalArgumentException("not an image (PNG expected)");
        }
        BinaryBitmap bitmap = new BinaryBitmap(new HybridBinarizer(new BufferedImageLuminanceSource(image)));
        try {
            Result result = new DataMatrixReader().decode(bitmap, Map.of(DecodeHintType.TRY_HARDER, Boolean.TRUE));
            return result.getText();
        } catch (NotFoundException e) {
            throw new IllegalArgumentException("no Data Matrix symbol found in the image", e);
        } catch (ChecksumException | FormatException e) {
            throw new IllegalArgumentException("the Data Matrix symbol is damaged and cannot be read", e);
        }
    }

    private static BitMatrix scale(final BitMatrix modules) {
        int quiet = QUIET_ZONE_MODULES * PIXELS_PER_MODULE;
        int width = modules.getWidth() * PIXELS_PER_MODULE + 2 * quiet;
        int height = modules.getHeight() * PIXELS_PER_MODULE + 2 * quiet;
        BitMatrix scaled = new BitMatrix(width, height);
        for (int y = 0; y < modules.getHeight(); y++) {
            for (int x = 0; x < modules.getWidth(); x++) {
                if (modules.get(x, y)) {
                    scaled.setRegion(quiet + x * PIXELS_PER_MODULE, quiet + y * PIXELS_PER_MODULE, PIXELS_PER_MODULE, PIXELS_PER_MODULE);
                }
            }
        }
        return scaled;
    }
}
