package org.postalfunds.hsm.enrol;

import io.grpc.Status;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.logging.Logger;
import org.hyperledger.fabric.client.identity.X509Identity;
import org.postalfunds.hsm.MeterSubject;
import org.postalfunds.hsm.client.BridgeException;
import org.postalfunds.hsm.client.MeterIdentities;
import org.postalfunds.hsm.client.MeterPublicKey;
import org.postalfunds.hsm.client.PsdBridgeClient;

/**
 * The enrolment path of a meter, run by an operator: key in the token -> CSR signed in the token ->
 * certificate from the meter owner's CA -> certificate stored beside the key -> Gateway identity.
 *
 * <p>The meter's private key exists only in the token throughout. An enrolment interrupted after the key
 * was created resumes with the same key; an already enrolled meter is refused rather than re-keyed.
 */
public final class MeterEnrolment {
    private static final Logger LOG = Logger.getLogger(MeterEnrolment.class.getName());

    private final PsdBridgeClient operatorBridge;
    private final MeterCertificateIssuer issuer;
    private final String mspId;

    /**
     * @param operatorBridge a bridge connection with an operator certificate
     * @param issuer the meter owner's CA
     * @param mspId the MSP id of the meter owner's organisation
     */
    public MeterEnrolment(final PsdBridgeClient operatorBridge, final MeterCertificateIssuer issuer, final String mspId) {
        this.operatorBridge = Objects.requireNonNull(operatorBridge, "operatorBridge");
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        if (mspId == null || mspId.isBlank()) {
            throw new IllegalArgumentException("MSP id is required");
        }
        this.mspId = mspId;
    }

    /**
     * @throws EnrolmentException when the meter is already enrolled, the CA refuses, or the issued certificate
     *     does not carry the token key
     * @throws BridgeException when the bridge refuses a step
     */
    public EnrolledMeter enrol(final MeterSubject subject) throws EnrolmentException {
        final String meterId = subject.meterId();
        final MeterPublicKey key = createOrResume(meterId);
        final byte[] request = operatorBridge.createCsr(subject);
        final X509Certificate certificate = issuer.issue(meterId, request);
        final X509Identity identity;
        try {
            identity = MeterIdentities.newX509Identity(mspId, certificate, key.publicKey());
        } catch (IllegalArgumentException e) {
            throw new EnrolmentException(meterId, "the CA issued a certificate for another key: " + e.getMessage(), e);
        }
        operatorBridge.importCertificate(meterId, certificate);
        LOG.info(() -> "enrolled meter " + meterId + " as " + certificate.getSubjectX500Principal() + " of " + mspId);
        return new EnrolledMeter(meterId, certificate, identity, key.keyAgreementCertificate());
    }

    private MeterPublicKey createOrResume(final String meterId) throws EnrolmentException {
        try {
            return operatorBridge.createMeterKey(meterId);
        } catch (BridgeException e) {
            if (e.code() != Status.Code.ALREADY_EXISTS) {
                throw e;
            }
        }
        final MeterPublicKey existing = operatorBridge.publicKey(meterId);
        if (existing.enrolled()) {
            throw new EnrolmentException(meterId, "meter " + meterId + " is already enrolled as "
                    + existing.certificate().getSubjectX500Principal());
        }
        LOG.info(() -> "resuming the enrolment of meter " + meterId + " with its existing token key");
        return existing;
    }
}
