package org.postalfunds.hsm.enrol;

import java.security.cert.X509Certificate;

/**
 * The meter owner's certificate authority as the enrolment path sees it: a CSR in, the meter's client
 * certificate out. {@link FabricCaIssuer} is the one in production (the owner's Fabric CA);
 * tests use a hand-written one.
 */
@FunctionalInterface
public interface MeterCertificateIssuer {
    /**
     * @param meterId the meter the CSR must name as CN
     * @param certificationRequest PKCS#10 DER, signed by the meter's token key
     * @throws EnrolmentException when the request is refused
     */
    X509Certificate issue(String meterId, byte[] certificationRequest) throws EnrolmentException;
}
