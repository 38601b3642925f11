package org.postalfunds.api.model;

/**
 * A registered meter: who owns it, its PSD key, what it is, and where it is in its lifecycle. Its money lives in
 * {@link PsdRegisters} under a separate key, so that suspending a meter and spending from it are endorsed by
 * different policies. Times are epoch seconds from transaction timestamps.
 *
 * @param lastDataCenterContactEpochSeconds registration, refill or inspection: the inspection clock starts here
 * @param keyAgreementCertificatePem the PSD's key-agreement key (checked at registration to be issued by the key of
 *     {@code certificatePem}); null when none was registered, and then nothing can be sealed to this meter
 */
public record Meter(
        String meterId,
        String ownerMsp,
        String certificatePem,
        String publicKeyFingerprint,
        MeterKind kind,
        String model,
        MeterLimits limits,
        MeterStatus status,
        String statusReason,
        long registeredAtEpochSeconds,
        long statusChangedAtEpochSeconds,
        long lastDataCenterContactEpochSeconds,
        String keyAgreementCertificatePem) {

    public Meter withStatus(final MeterStatus newStatus, final String reason, final long atEpochSeconds) {
        return new Meter(meterId, ownerMsp, certificatePem, publicKeyFingerprint, kind, model, limits, newStatus,
                reason, registeredAtEpochSeconds, atEpochSeconds, lastDataCenterContactEpochSeconds,
                keyAgreementCertificatePem);
    }

    public Meter withDataCenterContact(final long atEpochSeconds) {
        return new Meter(meterId, ownerMsp, certificatePem, publicKeyFingerprint, kind, model, limits, status,
                statusReason, registeredAtEpochSeconds, statusChangedAtEpochSeconds, atEpochSeconds,
                keyAgreementCertificatePem);
    }
}
