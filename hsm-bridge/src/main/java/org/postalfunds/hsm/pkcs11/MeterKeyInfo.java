package org.postalfunds.hsm.pkcs11;

import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.util.Objects;

/**
 * The public side of a meter's key in the token: its public key and the certificate stored beside it.
 *
 * @param meterId the meter the key belongs to
 * @param publicKey the P-256 public key
 * @param certificate a self-signed placeholder until enrolment, then the certificate the meter owner's CA issued
 * @param enrolled true once a CA-issued certificate replaced the placeholder
 * @param keyAgreementCertificate the key-agreement key's certificate, issued by the signing key; null for a key made
 *     before signing and key agreement were separated
 */
public record MeterKeyInfo(String meterId, ECPublicKey publicKey, X509Certificate certificate, boolean enrolled,
        X509Certificate keyAgreementCertificate) {
    public MeterKeyInfo {
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(certificate, "certificate");
    }
}
