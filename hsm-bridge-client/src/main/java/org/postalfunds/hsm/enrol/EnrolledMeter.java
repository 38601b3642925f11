package org.postalfunds.hsm.enrol;

import java.security.cert.X509Certificate;
import java.util.Objects;
import org.hyperledger.fabric.client.identity.X509Identity;

/**
 * A meter whose token key now has a certificate from its owner's CA: what the DataCenter registers on the
 * ledger as the meter's identity, and what the meter client's Gateway connects with.
 *
 * @param meterId the meter
 * @param certificate the issued client certificate (its public key is the token key)
 * @param identity the Fabric Gateway identity (MSP id + certificate)
 * @param keyAgreementCertificate the token's separate key-agreement key, issued by the signing key (registered on
 *     the ledger with the meter, so senders seal to it); null when the bridge made no such key
 */
public record EnrolledMeter(String meterId, X509Certificate certificate, X509Identity identity,
        X509Certificate keyAgreementCertificate) {
    public EnrolledMeter {
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(identity, "identity");
    }

    public EnrolledMeter(final String meterId, final X509Certificate certificate, final X509Identity identity) {
        this(meterId, certificate, identity, null);
    }
}
