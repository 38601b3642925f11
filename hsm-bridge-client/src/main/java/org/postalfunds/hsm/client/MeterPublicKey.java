package org.postalfunds.hsm.client;

import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.util.Objects;
import java.util.Optional;

/**
 * A meter's token keys as the bridge reports them.
 *
 * @param meterId the meter
 * @param publicKey its P-256 signing public key (the private key stays in the token)
 * @param certificate the certificate stored beside the key: a self-signed placeholder, or the issued one
 * @param enrolled true once the certificate is the one issued by the meter owner's CA
 * @param keyAgreementCertificate the meter's separate key-agreement key, as a certificate issued by the signing key
 *     (ledger-api {@code KeyAgreementCertificate}), checked by the client; null for a key made before signing
 *     and key agreement were separated
 */
public record MeterPublicKey(String meterId, ECPublicKey publicKey, X509Certificate certificate, boolean enrolled,
        X509Certificate keyAgreementCertificate) {
    public MeterPublicKey {
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(certificate, "certificate");
    }

    /** A key without a key-agreement key (a bridge from before the separation, or a stand-in). */
    public MeterPublicKey(final String meterId, final ECPublicKey publicKey, final X509Certificate certificate,
            final boolean enrolled) {
        this(meterId, publicKey, certificate, enrolled, null);
    }

    public Optional<X509Certificate> keyAgreement() {
        return Optional.ofNullable(keyAgreementCertificate);
    }
}
