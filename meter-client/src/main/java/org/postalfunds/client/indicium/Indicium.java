package org.postalfunds.client.indicium;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.Base64;
import java.util.regex.Pattern;
import org.hyperledger.fabric.client.identity.Signer;
import org.postalfunds.client.model.Json;
import org.postalfunds.formats.IndiciumEncoding;

/**
 * An indicium: the fields printed on a mail piece and the PSD's signature over their canonical bytes
 * ({@link IndiciumEncoding}), base64 of the DER ECDSA signature. Its JSON (sorted keys) is what the
 * meter submits, what the Data Matrix carries and what an auditor scans back.
 *
 * @param mailingDate ISO "YYYY-MM-DD", the UTC day of the printing transaction
 */
public record Indicium(
        String meterId,
        long pieceNumber,
        long amountMinorUnits,
        String mailingDate,
        String destinationPostalCode,
        String destinationCountryCode,
        String rateCode,
        String signature) {

    private static final Pattern METER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern POSTAL_CODE = Pattern.compile("[A-Z0-9][A-Z0-9 -]{0,15}");
    private static final Pattern COUNTRY_CODE = Pattern.compile("[A-Z]{2}");
    private static final Pattern RATE_CODE = Pattern.compile("[A-Z0-9][A-Z0-9_-]{0,31}");
    /** A DER P-256 signature is at most 72 bytes, 96 base64 characters; the contract accepts up to 200. */
    private static final int MAX_SIGNATURE_CHARS = 200;
    /** Longest indicium JSON accepted from a file or a barcode. */
    public static final int MAX_JSON_CHARS = 2_048;
    private static final DateTimeFormatter STRICT_DATE =
            DateTimeFormatter.ofPattern("uuuu-MM-dd").withResolverStyle(ResolverStyle.STRICT);

    /** Checks the form of every field as the contract does; throws IllegalArgumentException naming the field. */
    public Indicium {
        require(meterId, METER_ID, "meterId", "1-64 of A-Z a-z 0-9 . _ -");
        if (pieceNumber <= 0) {
            throw new IllegalArgumentException("pieceNumber must be > 0, was " + pieceNumber);
        }
        if (amountMinorUnits <= 0) {
            throw new IllegalArgumentException("amountMinorUnits must be > 0, was " + amountMinorUnits);
        }
        day(mailingDate);
        require(destinationPostalCode, POSTAL_CODE, "destinationPostalCode", "1-16 of A-Z 0-9 space -");
        require(destinationCountryCode, COUNTRY_CODE, "destinationCountryCode", "ISO 3166-1 alpha-2, upper case");
        require(rateCode, RATE_CODE, "rateCode", "1-32 of A-Z 0-9 _ -");
        if (signature == null || signature.isEmpty() || signature.length() > MAX_SIGNATURE_CHARS) {
            throw new IllegalArgumentException("signature must be base64 of a DER ECDSA signature, 1-"
                    + MAX_SIGNATURE_CHARS + " characters");
        }
        signatureBytes(signature);
    }

    /**
     * Signs the fields through {@code psd}, which receives only the SHA-256 digest of the canonical bytes:
     * the same one-method signer the Gateway uses, so a meter's key can stay in its token behind the bridge.
     */
    public static Indicium sign(final IndiciumEncoding.Fields fields, final Signer psd) throws GeneralSecurityException {
        byte[] digest = sha256(IndiciumEncoding.encode(fields));
        byte[] der = psd.sign(digest);
        return new Indicium(fields.meterId(), fields.pieceNumber(), fields.amountMinorUnits(),
                DateTimeFormatter.ISO_LOCAL_DATE.format(fields.mailingDate()), fields.destinationPostalCode(),
                fields.destinationCountryCode(), fields.rateCode(), Base64.getEncoder().encodeToString(der));
    }

    /**
     * Reads indicium JSON (from a file or a scanned barcode), strictly.
     *
     * @throws IllegalArgumentException when it is not an indicium in the contract's form
     */
    public static Indicium parse(final String json) {
        if (json.length() > MAX_JSON_CHARS) {
            throw new IllegalArgumentException("indicium JSON is longer than " + MAX_JSON_CHARS + " characters");
        }
        return Json.strict(json, Indicium.class, "indicium");
    }

    /** Compact JSON with sorted keys: what is submitted, printed and stored. */
    public String toJson() {
        return Json.compact(this);
    }

    public LocalDate mailingDay() {
        return day(mailingDate);
    }

    public IndiciumEncoding.Fields fields() {
        return new IndiciumEncoding.Fields(meterId, pieceNumber, amountMinorUnits, mailingDay(), destinationPostalCode,
                destinationCountryCode, rateCode);
    }

    /** The bytes the PSD signed. */
    public byte[] canonicalBytes() {
        return IndiciumEncoding.encode(fields());
    }

    /** Does the signature verify over the canonical bytes under this public key? */
    public boolean signedBy(final PublicKey psdKey) {
        try {
            Signature verifier = Signature.getInstance(IndiciumEncoding.SIGNATURE_ALGORITHM);
            verifier.initVerify(psdKey);
            verifier.update(canonicalBytes());
            return verifier.verify(signatureBytes(signature));
        } catch (GeneralSecurityException notAValidSignature) {
            return false;
        }
    }

    private static byte[] signatureBytes(final String signature) {
        try {
            return Base64.getDecoder().decode(signature);
        } catch (IllegalArgumentException notBase64) {
            throw new IllegalArgumentException("signature is not base64: " + notBase64.getMessage(), notBase64);
        }
    }

    private static LocalDate day(final String mailingDate) {
        try {
            return LocalDate.parse(mailingDate == null ? "" : mailingDate, STRICT_DATE);
        } catch (DateTimeParseException malformed) {
            throw new IllegalArgumentException("mailingDate must be YYYY-MM-DD, was " + mailingDate, malformed);
        }
    }

    private static void require(final String value, final Pattern pattern, final String field, final String form) {
        if (value == null || !pattern.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " must be " + form + ", was " + value);
        }
    }

    static byte[] sha256(final byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
