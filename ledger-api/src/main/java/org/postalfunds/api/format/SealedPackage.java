package org.postalfunds.api.format;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.postalfunds.api.Ids;

/**
 * A sealed package of secure information: the bytes a sender meter's PSD signs and a recipient meter's PSD
 * unseals, and the only thing the ledger stores of them (in a private data collection; its SHA-256 and size on the
 * public state). This class is the format alone, JDK only, so the chaincode can check a package's addressing
 * without any cryptography; sealing and unsealing live in the meter client.
 *
 * <pre>
 * bytes   field
 * 4       magic "PFSP" (ASCII)
 * 1       version 0x01
 * 2+n     transferId            u16 big-endian length, ASCII id (1-64 of A-Za-z0-9._-)
 * 2+n     senderMeterId         u16 length, ASCII id
 * 2+n     recipientMeterId      u16 length, ASCII id
 * 2+n     itemName              u16 length, UTF-8, 1-128 bytes, no control characters
 * 2+n     contentType           u16 length, ASCII, 1-64 (a media type such as application/json)
 * 2+65    ephemeralPublicKey    u16 length 65, uncompressed P-256 point (0x04 ‖ x ‖ y)
 * 2+12    nonce                 u16 length 12, the AES-GCM nonce
 * 4+n     ciphertext            u32 length, AES-256-GCM ciphertext followed by its 16-byte tag
 * -- the fields above are the signed bytes; everything before the ciphertext is the GCM associated data --
 * 2+n     signature             u16 length, DER ECDSA (P-256) of the sender's PSD over SHA-256(signed bytes)
 * </pre>
 *
 * Nothing may follow the signature; every length is bounded, so a decoder never allocates more than
 * {@link #MAX_PACKAGE_BYTES}.
 */
public final class SealedPackage {
    public static final byte VERSION = 1;
    /** Largest plaintext a package may carry: rate tables, configuration and certificates fit comfortably. */
    public static final int MAX_CONTENT_BYTES = 256 * 1024;
    public static final int MAX_ITEM_NAME_BYTES = 128;
    public static final int MAX_CONTENT_TYPE_CHARS = 64;
    public static final int EPHEMERAL_PUBLIC_KEY_BYTES = 65;
    public static final int NONCE_BYTES = 12;
    public static final int TAG_BYTES = 16;
    /** A DER ECDSA P-256 signature is at most 72 bytes. */
    public static final int MAX_SIGNATURE_BYTES = 72;
    public static final int MAX_PACKAGE_BYTES = 4 + 1 + 3 * (2 + 64) + 2 + MAX_ITEM_NAME_BYTES + 2 + MAX_CONTENT_TYPE_CHARS
            + 2 + EPHEMERAL_PUBLIC_KEY_BYTES + 2 + NONCE_BYTES + 4 + MAX_CONTENT_BYTES + TAG_BYTES + 2 + MAX_SIGNATURE_BYTES;

    private static final byte[] MAGIC = "PFSP".getBytes(US_ASCII);
    private static final Pattern CONTENT_TYPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9!#$&^_.+-]{1,127}");

    private final Header header;
    private final byte[] ciphertext;
    private final byte[] signature;

    /**
     * The addressing and key-agreement part of a package: all of it is bound to the ciphertext as associated data.
     */
    public record Header(String transferId, String senderMeterId, String recipientMeterId, String itemName,
            String contentType, byte[] ephemeralPublicKey, byte[] nonce) {
        public Header {
            requireId(transferId, "transferId");
            requireId(senderMeterId, "senderMeterId");
            requireId(recipientMeterId, "recipientMeterId");
            requireItemName(itemName);
            requireContentType(contentType);
            if (ephemeralPublicKey == null || ephemeralPublicKey.length != EPHEMERAL_PUBLIC_KEY_BYTES
                    || ephemeralPublicKey[0] != 0x04) {
                throw new IllegalArgumentException("ephemeralPublicKey must be an uncompressed P-256 point (65 bytes)");
            }
            if (nonce == null || nonce.length != NONCE_BYTES) {
                throw new IllegalArgumentException("nonce must be " + NONCE_BYTES + " bytes");
            }
            ephemeralPublicKey = ephemeralPublicKey.clone();
            nonce = nonce.clone();
        }

        @Override
        public byte[] ephemeralPublicKey() {
            return ephemeralPublicKey.clone();
        }

        @Override
        public byte[] nonce() {
            return nonce.clone();
        }

        /** The GCM associated data: the encoded header, so every addressing field is authenticated. */
        public byte[] associatedData() {
            final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            out.writeBytes(MAGIC);
            out.write(VERSION);
            writeField(out, transferId.getBytes(US_ASCII));
            writeField(out, senderMeterId.getBytes(US_ASCII));
            writeField(out, recipientMeterId.getBytes(US_ASCII));
            writeField(out, itemName.getBytes(UTF_8));
            writeField(out, contentType.getBytes(US_ASCII));
            writeField(out, ephemeralPublicKey);
            writeField(out, nonce);
            return out.toByteArray();
        }

        @Override
        public boolean equals(final Object other) {
            return other instanceof Header that && Arrays.equals(associatedData(), that.associatedData());
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(associatedData());
        }

        @Override
        public String toString() {
            return "Header[transfer=" + transferId + ", " + senderMeterId + " -> " + recipientMeterId + ", item='"
                    + itemName + "', " + contentType + "]";
        }
    }

    private SealedPackage(final Header header, final byte[] ciphertext, final byte[] signature) {
        this.header = header;
        if (ciphertext == null || ciphertext.length < TAG_BYTES || ciphertext.length > MAX_CONTENT_BYTES + TAG_BYTES) {
            throw new IllegalArgumentException("ciphertext must be " + TAG_BYTES + ".." + (MAX_CONTENT_BYTES + TAG_BYTES)
                    + " bytes (content at most " + MAX_CONTENT_BYTES + " bytes plus the tag)");
        }
        if (signature == null || signature.length < 8 || signature.length > MAX_SIGNATURE_BYTES) {
            throw new IllegalArgumentException("signature must be 8.." + MAX_SIGNATURE_BYTES + " bytes of DER");
        }
        this.ciphertext = ciphertext.clone();
        this.signature = signature.clone();
    }

    public static SealedPackage of(final Header header, final byte[] ciphertext, final byte[] signature) {
        return new SealedPackage(header, ciphertext, signature);
    }

    /** The bytes the sender's PSD signs (through SHA-256): header and ciphertext. */
    public static byte[] signedBytes(final Header header, final byte[] ciphertext) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(ciphertext.length + 300);
        out.writeBytes(header.associatedData());
        out.writeBytes(ByteBuffer.allocate(4).putInt(ciphertext.length).array());
        out.writeBytes(ciphertext);
        return out.toByteArray();
    }

    public Header header() {
        return header;
    }

    public byte[] ciphertext() {
        return ciphertext.clone();
    }

    public byte[] signature() {
        return signature.clone();
    }

    public byte[] signedBytes() {
        return signedBytes(header, ciphertext);
    }

    public byte[] encode() {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(ciphertext.length + 400);
        out.writeBytes(signedBytes());
        writeField(out, signature);
        return out.toByteArray();
    }

    /** The inverse of {@link #encode}; IllegalArgumentException for anything that is not exactly that form. */
    public static SealedPackage decode(final byte[] encoded) {
        if (encoded == null || encoded.length > MAX_PACKAGE_BYTES) {
            throw new IllegalArgumentException("a sealed package is at most " + MAX_PACKAGE_BYTES + " bytes");
        }
        try {
            final ByteBuffer in = ByteBuffer.wrap(encoded);
            final byte[] magic = new byte[MAGIC.length];
            in.get(magic);
            if (!Arrays.equals(magic, MAGIC) || in.get() != VERSION) {
                throw new IllegalArgumentException("not a version " + VERSION + " sealed package");
            }
            final Header header = new Header(ascii(in), ascii(in), ascii(in), new String(bytes(in), UTF_8), ascii(in),
                    bytes(in), bytes(in));
            final int ciphertextLength = in.getInt();
            if (ciphertextLength < 0 || ciphertextLength > in.remaining()) {
                throw new IllegalArgumentException("ciphertext length " + ciphertextLength + " runs past the end");
            }
            final byte[] ciphertext = new byte[ciphertextLength];
            in.get(ciphertext);
            final byte[] signature = bytes(in);
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " bytes after the signature");
            }
            final SealedPackage decoded = new SealedPackage(header, ciphertext, signature);
            if (!Arrays.equals(decoded.encode(), encoded)) {
                throw new IllegalArgumentException("not the canonical encoding");
            }
            return decoded;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("sealed package truncated", e);
        }
    }

    /** SHA-256 of the encoded package, lower-case hex: what the public ledger records. */
    public static String sha256Hex(final byte[] encoded) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(encoded));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /**
     * The id of an information transfer opened by {@code meterId} with {@code requestId}: both sides can compute
     * it before the transaction, so a sender can bind a push package to the transfer it is about to open.
     * "info-" and 40 hex digits of SHA-256(meterId ‖ 0x00 ‖ requestId).
     */
    public static String transferIdFor(final String meterId, final String requestId) {
        requireId(meterId, "meterId");
        requireId(requestId, "requestId");
        return "info-" + sha256Hex((meterId + "\0" + requestId).getBytes(US_ASCII)).substring(0, 40);
    }

    public static String requireItemName(final String itemName) {
        if (itemName == null || itemName.isEmpty() || itemName.getBytes(UTF_8).length > MAX_ITEM_NAME_BYTES
                || itemName.codePoints().anyMatch(Character::isISOControl) || !itemName.equals(itemName.strip())) {
            throw new IllegalArgumentException("itemName must be 1-" + MAX_ITEM_NAME_BYTES
                    + " bytes of UTF-8 without control characters or surrounding spaces");
        }
        return itemName;
    }

    public static String requireContentType(final String contentType) {
        if (contentType == null || contentType.length() > MAX_CONTENT_TYPE_CHARS
                || !CONTENT_TYPE.matcher(contentType).matches()) {
            throw new IllegalArgumentException("contentType must be a media type type/subtype of at most "
                    + MAX_CONTENT_TYPE_CHARS + " characters");
        }
        return contentType;
    }

    private static String requireId(final String id, final String what) {
        if (!Ids.isId(id)) {
            throw new IllegalArgumentException(what + " must be 1-64 characters of A-Z a-z 0-9 . _ -");
        }
        return id;
    }

    @Override
    public boolean equals(final Object other) {
        return other instanceof SealedPackage that && Arrays.equals(encode(), that.encode());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encode());
    }

    @Override
    public String toString() {
        return "SealedPackage[" + header + ", " + ciphertext.length + " bytes of ciphertext]";
    }

    private static void writeField(final ByteArrayOutputStream out, final byte[] value) {
        if (value.length > 0xFFFF) {
            throw new IllegalArgumentException("field longer than 65535 bytes");
        }
        out.write(value.length >>> 8);
        out.write(value.length & 0xFF);
        out.writeBytes(value);
    }

    private static byte[] bytes(final ByteBuffer in) {
        final int length = Short.toUnsignedInt(in.getShort());
        if (length > in.remaining()) {
            throw new IllegalArgumentException("field length " + length + " runs past the end");
        }
        final byte[] value = new byte[length];
        in.get(value);
        return value;
    }

    private static String ascii(final ByteBuffer in) {
        final byte[] value = bytes(in);
        for (final byte b : value) {
            if (b < 0x20 || b > 0x7E) {
                throw new IllegalArgumentException("non-ASCII byte in an ASCII field");
            }
        }
        return new String(value, US_ASCII);
    }
}
