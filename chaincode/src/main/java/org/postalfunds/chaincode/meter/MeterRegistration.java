package org.postalfunds.chaincode.meter;

/**
 * The data center's registration input (the JSON argument of registerMeter).
 *
 * @param certificatePem the meter's X.509 certificate, PEM; its public key is the PSD's signing key (EC P-256)
 * @param keyAgreementCertificatePem the PSD's separate key-agreement key, a certificate issued by the signing key
 *     (ledger-formats {@code KeyAgreementCertificate}); secure information is sealed to it. Optional: a meter
 *     registered without one can send secure information but not receive it.
 */
public record MeterRegistration(
        String meterId, String ownerMsp, String certificatePem, MeterKind kind, String model, MeterLimits limits,
        String keyAgreementCertificatePem) {

    /** A registration without a key-agreement key. */
    public MeterRegistration(final String meterId, final String ownerMsp, final String certificatePem,
            final MeterKind kind, final String model, final MeterLimits limits) {
        this(meterId, ownerMsp, certificatePem, kind, model, limits, null);
    }
}
