package org.postalfunds.api.model;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Objects;

/**
 * The data center's registration input (the JSON argument of registerMeter). Build one with {@link #builder()}; the
 * contract checks every field (a null one is refused with its error code, not here).
 *
 * @param certificatePem the meter's X.509 certificate, PEM; its public key is the PSD's signing key (EC P-256)
 * @param keyAgreementCertificatePem the PSD's separate key-agreement key, a certificate issued by the signing key
 *     ({@link org.postalfunds.api.format.KeyAgreementCertificate}); secure information is sealed to it. Optional: a
 *     meter registered without one can send secure information but not receive it.
 */
public record MeterRegistration(String meterId, String ownerMsp, String certificatePem, MeterKind kind, String model,
        MeterLimits limits, String keyAgreementCertificatePem) {

    /** A registration without a key-agreement key. */
    public MeterRegistration(final String meterId, final String ownerMsp, final String certificatePem,
            final MeterKind kind, final String model, final MeterLimits limits) {
        this(meterId, ownerMsp, certificatePem, kind, model, limits, null);
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

        /** The registration; throws NullPointerException naming a field left unset. */
        public MeterRegistration build() {
            return new MeterRegistration(Objects.requireNonNull(meterId, "meterId"),
                    Objects.requireNonNull(ownerMsp, "ownerMsp"), Objects.requireNonNull(certificatePem, "certificatePem"),
                    Objects.requireNonNull(kind, "kind"), Objects.requireNonNull(model, "model"),
                    Objects.requireNonNull(limits, "limits"), keyAgreementCertificatePem);
        }
    }
}

