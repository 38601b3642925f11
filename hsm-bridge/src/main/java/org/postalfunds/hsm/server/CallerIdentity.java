package org.postalfunds.hsm.server;

import java.util.List;
import java.util.Objects;

/**
 * The authenticated caller of one request, read from its TLS client certificate.
 *
 * @param subject the certificate subject (RFC 2253)
 * @param commonName the subject CN: the meter id for a meter client
 * @param organizationalUnits the subject OUs
 * @param issuer the issuer DN (RFC 2253)
 * @param role what the caller may do
 */
public record CallerIdentity(String subject, String commonName, List<String> organizationalUnits, String issuer,
        CallerRole role) {
    public CallerIdentity {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(commonName, "commonName");
        organizationalUnits = List.copyOf(organizationalUnits);
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(role, "role");
    }

    /** True when this caller is the meter itself. */
    public boolean isMeter(final String meterId) {
        return role == CallerRole.METER && commonName.equals(meterId);
    }

    public boolean isOperator() {
        return role == CallerRole.OPERATOR;
    }
}
