package org.postalfunds.hsm.client;

import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.util.Objects;

/**
 * A meter's token key as the bridge reports it.
 *
 * @param meterId the meter
 * @param publicKey its P-256 public key (the private key stays in the token)
 * @param certificate the certificate stored beside the key: a self-signed placeholder, or the issued one
 * @param enrolled true once the certificate is the one issued by the meter owner's CA
 */
public record MeterPublicKey(String meterId, ECPublicKey publicKey, X509Certificate certificate, boolean enrolled) {
    public MeterPublicKey {
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(certificate, "certificate");
    }
}
