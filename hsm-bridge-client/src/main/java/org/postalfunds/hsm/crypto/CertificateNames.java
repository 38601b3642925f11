package org.postalfunds.hsm.crypto;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/** Reads the naming attributes the bridge decides on (CN, OU, O) from a certificate's subject. */
public final class CertificateNames {
    private CertificateNames() {
    }

    /** The subject's common name; empty when there is none, or more than one (ambiguous, so refused). */
    public static Optional<String> commonName(final X509Certificate certificate) {
        final List<String> names = values(certificate.getSubjectX500Principal(), BCStyle.CN);
        return names.size() == 1 ? Optional.of(names.get(0)) : Optional.empty();
    }

    public static List<String> organizationalUnits(final X509Certificate certificate) {
        return values(certificate.getSubjectX500Principal(), BCStyle.OU);
    }

    public static List<String> organizations(final X509Certificate certificate) {
        return values(certificate.getSubjectX500Principal(), BCStyle.O);
    }

    /** Every value of one attribute type in a distinguished name, including multi-valued RDNs. */
    public static List<String> values(final X500Principal principal, final ASN1ObjectIdentifier type) {
        final X500Name name = X500Name.getInstance(principal.getEncoded());
        final List<String> values = new ArrayList<>();
        for (final RDN rdn : name.getRDNs()) {
            for (final AttributeTypeAndValue value : rdn.getTypesAndValues()) {
                if (value.getType().equals(type)) {
                    values.add(IETFUtils.valueToString(value.getValue()));
                }
            }
        }
        return List.copyOf(values);
    }
}
