package org.postalfunds.client.model;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Objects;

/**
 * What the data center registers: the meter, its owner organisation, the certificate whose public key is
 * the PSD's signing key, what the meter is, its limits, and (optional) the PSD's key-agreement certificate that
 * secure information is sealed to. Build one with {@link #builder()}.
 */
public record MeterRegistration(String meterId, String ownerMsp, String certificatePem, MeterKind kind, String model,
        MeterLimits limits, String keyAgreementCertificatePem) {

    public MeterRegistration {
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(ownerMsp, "ownerMsp");
        Objects.requireNonNull(certificatePem, "certificatePem");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(limits, "limits");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Chainable setters; every field but the key-agreement certificate is required. */
    public static final class Builder {
        private String meterId;
        private String ownerMsp;
        private String certificatePem;
        private MeterKind kind = MeterKind.POSTAL_METER;
        private String model;
        private MeterLimits limits;
        private String keyAgreementCertificatePem;

        private Builder() {
        }

        public Builder meterId(final String value) {
            this.meterId = value;
            return this;
        }

        public Builder ownerMsp(final String value) {
            this.ownerMsp = value;
            return this;
        }

        public Builder certificatePem(final String pem) {
            this.certificatePem = pem;
            return this;
        }

        public Builder certificate(final X509Certificate certificate) {
            this.certificatePem = pem(certificate);
            return this;
        }

        /** The PSD's key-agreement certificate (issued by the signing key); without one, nothing can be sealed to it. */
        public Builder keyAgreementCertificatePem(final String pem) {
            this.keyAgreementCertificatePem = pem;
            return this;
        }

        public Builder keyAgreementCertificate(final X509Certificate certificate) {
            this.keyAgreementCertificatePem = certificate == null ? null : pem(certificate);
            return this;
        }

        private static String pem(final X509Certificate certificate) {
            try {
                return "-----BEGIN CERTIFICATE-----\n"
                        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(certificate.getEncoded())
                        + "\n-----END CERTIFICATE-----\n";
            } catch (CertificateEncodingException e) {
                throw new IllegalArgumentException("the certificate cannot be encoded: " + e.getMessage(), e);
            }
        }

        public Builder kind(final MeterKind value) {
            this.kind = value;
            return this;
        }

        public Builder model(final String value) {
            this.model = value;
            return this;
        }

        public Builder limits(final MeterLimits value) {
            this.limits = value;
            return this;
        }

        public MeterRegistration build() {
            return new MeterRegistration(meterId, ownerMsp, certificatePem, kind, model, limits,
                    keyAgreementCertificatePem);
        }
    }
}
