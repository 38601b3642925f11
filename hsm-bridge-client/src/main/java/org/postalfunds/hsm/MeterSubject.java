package org.postalfunds.hsm;

import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * The subject a meter's certificate carries: C (optional), O = the meter owner's organisation,
 * OU = "client" (what Fabric's NodeOUs count as a client identity), CN = the meter id.
 *
 * @param meterId becomes the CN
 * @param organization the meter owner's organisation (O)
 * @param organizationalUnit OU, "client" by default
 * @param country two-letter country code or empty
 */
public record MeterSubject(String meterId, String organization, String organizationalUnit, String country) {
    /** The OU of a Fabric client identity. */
    public static final String CLIENT_UNIT = "client";
    /** X.520 upper bound for O and OU values. */
    public static final int MAX_VALUE_LENGTH = 64;

    public MeterSubject {
        MeterIds.requireValid(meterId);
        organization = requireText("organization", organization, true);
        organizationalUnit = requireText("organizational unit", organizationalUnit, false);
        if (organizationalUnit.isEmpty()) {
            organizationalUnit = CLIENT_UNIT;
        }
        country = Objects.requireNonNullElse(country, "");
        if (!country.isEmpty() && !country.matches("[A-Z]{2}")) {
            throw new IllegalArgumentException("country must be a two-letter upper-case code, not '"
                    + MeterIds.printable(country) + "'");
        }
    }

    /** A client subject for a meter of this organisation. */
    public static MeterSubject client(final String meterId, final String organization) {
        return new MeterSubject(meterId, organization, CLIENT_UNIT, "");
    }

    public X500Name toX500Name() {
        final X500NameBuilder builder = new X500NameBuilder(BCStyle.INSTANCE);
        if (!country.isEmpty()) {
            builder.addRDN(BCStyle.C, country);
        }
        return builder.addRDN(BCStyle.O, organization)
                .addRDN(BCStyle.OU, organizationalUnit)
                .addRDN(BCStyle.CN, meterId)
                .build();
    }

    private static String requireText(final String what, final String value, final boolean required) {
        final String text = Objects.requireNonNullElse(value, "").strip();
        if (required && text.isEmpty()) {
            throw new IllegalArgumentException(what + " is required");
        }
        if (text.length() > MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException(what + " is longer than " + MAX_VALUE_LENGTH + " characters");
        }
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException(what + " contains control characters");
            }
        }
        return text;
    }
}
