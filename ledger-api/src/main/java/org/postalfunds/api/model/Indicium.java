package org.postalfunds.api.model;

import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.Base64;
import java.util.regex.Pattern;
import org.postalfunds.api.Amounts;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Ids;
import org.postalfunds.api.format.IndiciumEncoding;

/**
 * An indicium as the meter client submits it and the ledger records it: the signed fields and the PSD's signature
 * (base64 of the DER ECDSA signature over {@link IndiciumEncoding#encode}). Its JSON (sorted keys) is what the meter
 * submits, what the Data Matrix carries and what an auditor scans back. {@link #validate()} is the one check of its
 * form, made by the contract, by the meter before its PSD signs and by a verifier reading a barcode.
 *
 * @param mailingDate ISO date "YYYY-MM-DD": must be the UTC day of the transaction timestamp
 * @param pieceNumber must be the meter's piece count + 1 at the time of printing
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

    /** Destination postal code: 1-16 of A-Z 0-9 space -. */
    public static final Pattern POSTAL_CODE = Pattern.compile("[A-Z0-9][A-Z0-9 -]{0,15}");
    /** Destination country: ISO 3166-1 alpha-2, upper case. */
    public static final Pattern COUNTRY_CODE = Pattern.compile("[A-Z]{2}");
    /** Rate code: 1-32 of A-Z 0-9 _ -. */
    public static final Pattern RATE_CODE = Pattern.compile("[A-Z0-9][A-Z0-9_-]{0,31}");
    /** A DER P-256 signature is at most 72 bytes, 96 base64 characters; up to 200 are accepted. */
    private static final int MAX_SIGNATURE_CHARS = 200;
    /** Longest indicium JSON accepted from a file or a barcode. */
    public static final int MAX_JSON_CHARS = 2_048;
    private static final DateTimeFormatter STRICT_DATE =
            DateTimeFormatter.ofPattern("uuuu-MM-dd").withResolverStyle(ResolverStyle.STRICT);

    /** The indicium over these fields with this DER signature (what a PSD returned), checked by {@link #validate()}. */
    public static Indicium signed(final IndiciumEncoding.Fields fields, final byte[] derSignature) {
        return new Indicium(fields.meterId(), fields.pieceNumber(), fields.amountMinorUnits(),
                DateTimeFormatter.ISO_LOCAL_DATE.format(fields.mailingDate()), fields.destinationPostalCode(),
                fields.destinationCountryCode(), fields.rateCode(), Base64.getEncoder().encodeToString(derSignature))
                .validate();
    }

    /** Input checks; a field out of form is an INVALID_ARGUMENT (an amount, INVALID_AMOUNT). */
    public Indicium validate() {
        Ids.require(meterId, "indicium meterId");
        if (pieceNumber <= 0) {
            throw ErrorCode.INVALID_ARGUMENT.exception("indicium pieceNumber must be > 0, was " + pieceNumber);
        }
        Amounts.requirePositive(amountMinorUnits, "postage amount");
        mailingDay();
        requireMatches(destinationPostalCode, POSTAL_CODE, "destinationPostalCode", "1-16 of A-Z 0-9 space -");
        requireMatches(destinationCountryCode, COUNTRY_CODE, "destinationCountryCode", "ISO 3166-1 alpha-2, upper case");
        requireMatches(rateCode, RATE_CODE, "rateCode", "1-32 of A-Z 0-9 _ -");
        signatureBytes();
        return this;
    }

    public LocalDate mailingDay() {
        try {
            return LocalDate.parse(mailingDate == null ? "" : mailingDate, STRICT_DATE);
        } catch (DateTimeParseException malformed) {
            throw ErrorCode.INVALID_ARGUMENT.exception("mailingDate must be YYYY-MM-DD, was " + mailingDate);
        }
    }

    public IndiciumEncoding.Fields fields() {
        return new IndiciumEncoding.Fields(meterId, pieceNumber, amountMinorUnits, mailingDay(), destinationPostalCode,
                destinationCountryCode, rateCode);
    }

    public byte[] canonicalBytes() {
        return IndiciumEncoding.encode(fields());
    }

    /** Does the signature verify over the canonical bytes under this PSD key? (the JDK's provider) */
    public boolean signedBy(final PublicKey psdKey) {
        return signedBy(psdKey, null);
    }

    /**
     * Does the signature verify over the canonical bytes under this PSD key, checked by {@code provider} (null: the
     * JDK's)? The contract passes a faster one: a verification is most of a print's endorsement.
     */
    public boolean signedBy(final PublicKey psdKey, final Provider provider) {
        try {
            final Signature verifier = provider == null ? Signature.getInstance(IndiciumEncoding.SIGNATURE_ALGORITHM)
                    : Signature.getInstance(IndiciumEncoding.SIGNATURE_ALGORITHM, provider);
            verifier.initVerify(psdKey);
            verifier.update(canonicalBytes());
            return verifier.verify(signatureBytes());
        } catch (GeneralSecurityException notAValidSignature) {
            return false;
        }
    }

    private byte[] signatureBytes() {
        if (signature == null || signature.isEmpty() || signature.length() > MAX_SIGNATURE_CHARS) {
            throw ErrorCode.INVALID_ARGUMENT.exception(
                    "signature must be base64 of a DER ECDSA signature, at most " + MAX_SIGNATURE_CHARS + " characters");
        }
        try {
            return Base64.getDecoder().decode(signature);
        } catch (IllegalArgumentException notBase64) {
            throw ErrorCode.INVALID_ARGUMENT.exception("signature is not base64: " + notBase64.getMessage());
        }
    }

    private static void requireMatches(final String value, final Pattern pattern, final String field, final String form) {
        if (value == null || !pattern.matcher(value).matches()) {
            throw ErrorCode.INVALID_ARGUMENT.exception(field + " must be " + form + ", was " + value);
        }
    }
}
