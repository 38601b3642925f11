package org.postalfunds.client.indicium;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.hyperledger.fabric.client.identity.Signer;
import org.postalfunds.api.LedgerRefusal;
import org.postalfunds.api.format.IndiciumEncoding;
import org.postalfunds.api.model.Indicium;
import org.postalfunds.client.model.Json;

/**
 * The meter's and the verifier's side of an {@link Indicium}: signing through a PSD, and its JSON (sorted keys, what
 * is submitted, printed and scanned back). The record and its one form check live in ledger-api.
 */
public final class Indicia {
    private Indicia() {
    }

    /**
     * Signs the fields through {@code psd}, which receives only the SHA-256 digest of the canonical bytes: the same
     * one-method signer the Gateway uses, so a meter's key can stay in its token behind the bridge. The fields are
     * checked before the PSD signs anything.
     *
     * @throws IllegalArgumentException when a field is out of the contract's form
     */
    public static Indicium sign(final IndiciumEncoding.Fields fields, final Signer psd) throws GeneralSecurityException {
        checked(() -> Indicium.signed(fields, new byte[] {0}));
        byte[] der = psd.sign(sha256(IndiciumEncoding.encode(fields)));
        return checked(() -> Indicium.signed(fields, der));
    }

    /**
     * Reads indicium JSON (from a file or a scanned barcode), strictly, and checks its form as the contract does.
     *
     * @throws IllegalArgumentException when it is not an indicium in the contract's form
     */
    public static Indicium parse(final String json) {
        if (json.length() > Indicium.MAX_JSON_CHARS) {
            throw new IllegalArgumentException("indicium JSON is longer than " + Indicium.MAX_JSON_CHARS + " characters");
        }
        Indicium indicium = Json.strict(json, Indicium.class, "indicium");
        return checked(indicium::validate);
    }

    /** Compact JSON with sorted keys: what is submitted, printed and stored. */
    public static String toJson(final Indicium indicium) {
        return Json.compact(indicium);
    }

    /** A form check's refusal as the IllegalArgumentException a client reports as bad input. */
    private static Indicium checked(final java.util.function.Supplier<Indicium> check) {
        try {
            return check.get();
        } catch (LedgerRefusal outOfForm) {
            throw new IllegalArgumentException(
                    outOfForm.getMessage().substring(outOfForm.code().name().length() + 2), outOfForm);
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
