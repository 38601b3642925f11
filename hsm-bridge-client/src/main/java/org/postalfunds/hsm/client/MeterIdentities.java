package org.postalfunds.hsm.client;

import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.Objects;
import org.hyperledger.fabric.client.identity.X509Identity;
import org.postalfunds.hsm.crypto.PublicKeys;

/**
 * Turns a meter's issued certificate into the Fabric Gateway identity (MSP id + certificate), after checking
 * that the certificate really belongs to the meter's token key: a Gateway whose identity and signer
 * disagree would have every proposal rejected by the peers, far from the cause.
 */
public final class MeterIdentities {
    private MeterIdentities() {
    }

    /**
     * @throws IllegalArgumentException when the certificate's public key is not the token key
     */
    public static X509Identity newX509Identity(final String mspId, final X509Certificate issuedCertificate,
            final PublicKey tokenPublicKey) {
        Objects.requireNonNull(issuedCertificate, "issuedCertificate");
        if (mspId == null || mspId.isBlank()) {
            throw new IllegalArgumentException("MSP id is required");
        }
        if (!PublicKeys.sameKey(issuedCertificate.getPublicKey(), tokenPublicKey)) {
            throw new IllegalArgumentException("the certificate " + issuedCertificate.getSubjectX500Principal()
                    + " does not carry the meter's token public key");
        }
        return new X509Identity(mspId, issuedCertificate);
    }

    /**
     * The identity of an enrolled meter, from the certificate the bridge stores beside its key.
     *
     * @throws IllegalStateException when the meter is not enrolled yet (its certificate is the placeholder)
     */
    public static X509Identity fromBridge(final PsdBridgeClient bridge, final String mspId, final String meterId) {
        final MeterPublicKey key = bridge.publicKey(meterId);
        if (!key.enrolled()) {
            throw new IllegalStateException("meter " + meterId + " is not enrolled: the token holds only its placeholder certificate");
        }
        return newX509Identity(mspId, key.certificate(), key.publicKey());
    }
}
