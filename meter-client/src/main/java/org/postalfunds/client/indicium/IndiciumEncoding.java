package org.postalfunds.client.indicium;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;

/**
 * The bytes a PSD signs for an indicium, exactly as the contract's {@code IndiciumEncoding} defines them
 * (chaincode/README.md, "Indicium"). The client keeps its own copy so that it does not carry the
 * chaincode shim; a test encodes the same fields with both and requires identical bytes.
 *
 * <pre>
 * "PFI" 0x01 | u16 len + meterId | int64 pieceNumber | int64 amountMinorUnits | u16 len + "YYYY-MM-DD"
 *            | u16 len + destinationPostalCode | u16 len + destinationCountryCode | u16 len + rateCode
 * </pre>
 */
public final class IndiciumEncoding {
    public static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
    private static final byte[] MAGIC = "PFI".getBytes(US_ASCII);
    private static final byte VERSION = 1;
    private static final int MAX_FIELD_BYTES = 0xFFFF;

    private IndiciumEncoding() {
    }

    /** The signed fields of an indicium. */
    public record Fields(
            String meterId,
            long pieceNumber,
            long amountMinorUnits,
            LocalDate mailingDate,
            String destinationPostalCode,
            String destinationCountryCode,
            String rateCode) {
    }

    public static byte[] encode(final Fields fields) {
        if (fields.pieceNumber() <= 0 || fields.amountMinorUnits() <= 0) {
            throw new IllegalArgumentException("pieceNumber and amountMinorUnits must be > 0");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(96);
        out.writeBytes(MAGIC);
        out.write(VERSION);
        text(out, fields.meterId());
        out.writeBytes(ByteBuffer.allocate(16).putLong(fields.pieceNumber()).putLong(fields.amountMinorUnits()).array());
        text(out, DateTimeFormatter.ISO_LOCAL_DATE.format(fields.mailingDate()));
        text(out, fields.destinationPostalCode());
        text(out, fields.destinationCountryCode());
        text(out, fields.rateCode());
        return out.toByteArray();
    }

    private static void text(final ByteArrayOutputStream out, final String value) {
        if (value == null) {
            throw new IllegalArgumentException("indicium text fields must not be null");
        }
        byte[] bytes = value.getBytes(UTF_8);
        if (bytes.length > MAX_FIELD_BYTES) {
            throw new IllegalArgumentException("indicium field longer than " + MAX_FIELD_BYTES + " bytes");
        }
        out.write(bytes.length >>> 8);
        out.write(bytes.length & 0xFF);
        out.writeBytes(bytes);
    }
}
