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
 */
public record EnrolledMeter(String meterId, X509Certificate certificate, X509Identity identity) {
    public EnrolledMeter {
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(identity, "identity");
    }
}
