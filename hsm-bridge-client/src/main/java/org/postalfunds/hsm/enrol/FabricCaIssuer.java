package org.postalfunds.hsm.enrol;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.postalfunds.hsm.MeterSubject;
import org.postalfunds.hsm.crypto.CertificateNames;
import org.postalfunds.hsm.crypto.Pem;

/**
 * The meter owner's Fabric CA as the enrolment path's issuer: the meter's CSR (signed in its token) goes to
 * {@code /api/v1/enroll} with the meter's enrollment id and secret, which the owner's CA admin registered
 * with type {@code client}. The certificate that comes back must carry the CSR's key (checked by the
 * client), CN = the meter id and {@code OU=client}, or a Fabric MSP with NodeOUs would not count it as a
 * client of the organisation.
 */
public final class FabricCaIssuer implements MeterCertificateIssuer {
    private final FabricCaClient ca;
    private final String enrollmentId;
    private final String secret;

    /**
     * @param enrollmentId the meter's identity at the CA; Fabric CA requires it to be the CSR's CN, so the meter id
     * @param secret its enrollment secret
     */
    public FabricCaIssuer(final FabricCaClient ca, final String enrollmentId, final String secret) {
        this.ca = Objects.requireNonNull(ca, "ca");
        this.enrollmentId = Objects.requireNonNull(enrollmentId, "enrollmentId");
        this.secret = Objects.requireNonNull(secret, "secret");
        if (secret.isEmpty()) {
            throw new IllegalArgumentException("the enrollment secret is empty");
        }
    }

    @Override
    public X509Certificate issue(final String meterId, final byte[] certificationRequest) throws EnrolmentException {
        if (!enrollmentId.equals(meterId)) {
            throw new EnrolmentException(meterId, "enrollment id " + enrollmentId + " cannot enrol meter " + meterId
                    + ": Fabric CA issues only for a CSR whose CN is the enrollment id");
        }
        final X509Certificate certificate;
        try {
            certificate = ca.enroll(enrollmentId, secret, Pem.encode("CERTIFICATE REQUEST", certificationRequest));
        } catch (FabricCaException e) {
            throw new EnrolmentException(meterId, "meter " + meterId + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new EnrolmentException(meterId, "meter " + meterId + ": " + e.getMessage(), e);
        }
        final Optional<String> commonName = CertificateNames.commonName(certificate);
        final List<String> units = CertificateNames.organizationalUnits(certificate);
        if (!commonName.equals(Optional.of(meterId)) || !units.contains(MeterSubject.CLIENT_UNIT)) {
            throw new EnrolmentException(meterId, "Fabric CA at " + ca.url() + " issued " + certificate.getSubjectX500Principal()
                    + " for meter " + meterId + ": a meter needs CN=" + meterId + " and OU=" + MeterSubject.CLIENT_UNIT
                    + " (register it with type client)");
        }
        return certificate;
    }

    @Override
    public String toString() {
        return "FabricCaIssuer[" + enrollmentId + " at " + ca.url() + "]";
    }
}
