package org.postalfunds.api.format;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;

/**
 * The canonical byte encoding of an indicium: the exact bytes the PSD signs (SHA256withECDSA, P-256, DER signature)
 * and the chaincode verifies. The chaincode and the meter client share this one definition, so it depends on
 * nothing but the JDK (the client must not carry the chaincode shim).
 *
 * <pre>
 * bytes  field
 * 3      magic "PFI" (ASCII)
 * 1      version 0x01
 * 2+n    meterId                 u16 big-endian length n, then n bytes UTF-8
 * 8      pieceNumber             signed 64-bit big-endian, &gt; 0
 * 8      amountMinorUnits        signed 64-bit big-endian, &gt; 0
 * 2+10   mailingDate             u16 length 10, then ASCII "YYYY-MM-DD" (the UTC day)
 * 2+n    destinationPostalCode   u16 length, UTF-8
 * 2+2    destinationCountryCode  u16 length 2, ASCII ISO 3166-1 alpha-2
 * 2+n    rateCode                u16 length, UTF-8
 * </pre>
 *
 * Nothing follows the last field; the signature is not part of the signed bytes.
 */
public final class IndiciumEncoding {
    public static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
    public static final byte VERSION = 1;
    private static final byte[] MAGIC = "PFI".getBytes(US_ASCII);
    private static final int MAX_FIELD_BYTES = 0xFFFF;

    private IndiciumEncoding() {}

    /** The fields of an indicium, without its signature. */
    public record Fields(
            String meterId,
            long pieceNumber,
            long amountMinorUnits,
            LocalDate mailingDate,
            String destinationPostalCode,
            String destinationCountryCode,
            String rateCode) {}

    public static byte[] encode(final Fields fields) {
        if (fields.pieceNumber() <= 0 || fields.amountMinorUnits() <= 0) {
            throw new IllegalArgumentException("pieceNumber and amountMinorUnits must be > 0");
        }
        final ByteArrayOutputStream out = new ByteArrayOutputStream(96);
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

    /** The inverse of {@link #encode}; throws IllegalArgumentException for anything that is not exactly that form. */
    public static Fields decode(final byte[] encoded) {
        try {
            final ByteBuffer in = ByteBuffer.wrap(encoded);
            final byte[] magic = new byte[MAGIC.length];
            in.get(magic);
            if (!Arrays.equals(magic, MAGIC) || in.get() != VERSION) {
                throw new IllegalArgumentException("not a version " + VERSION + " indicium encoding");
            }
            final String meterId = text(in);
            final long pieceNumber = in.getLong();
            final long amount = in.getLong();
            final LocalDate mailingDate = LocalDate.parse(text(in), DateTimeFormatter.ISO_LOCAL_DATE);
            final Fields fields = new Fields(meterId, pieceNumber, amount, mailingDate, text(in), text(in), text(in));
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " bytes after the last field");
            }
            if (!Arrays.equals(encode(fields), encoded)) {
                throw new IllegalArgumentException("not in canonical form");
            }
            return fields;
        } catch (BufferUnderflowException | java.time.format.DateTimeParseException truncated) {
            throw new IllegalArgumentException("truncated or malformed indicium encoding", truncated);
        }
    }

    private static void text(final ByteArrayOutputStream out, final String value) {
        if (value == null) {
            throw new IllegalArgumentException("indicium text fields must not be null");
        }
        final byte[] bytes = value.getBytes(UTF_8);
        if (bytes.length > MAX_FIELD_BYTES) {
            throw new IllegalArgumentException("indicium field longer than " + MAX_FIELD_BYTES + " bytes");
        }
        out.write(bytes.length >>> 8);
        out.write(bytes.length & 0xFF);
        out.writeBytes(bytes);
    }

    private static String text(final ByteBuffer in) {
        final int length = Short.toUnsignedInt(in.getShort());
        final byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, UTF_8);
    }
}
