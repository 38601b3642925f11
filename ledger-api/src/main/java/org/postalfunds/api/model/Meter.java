package org.postalfunds.api.model;

/**
 * A registered meter: who owns it, its PSD key, what it is, and where it is in its lifecycle. Its money lives in
 * {@link PsdRegisters} under a separate key, so that suspending a meter and spending from it are endorsed by
 * different policies. Times are epoch seconds from transaction timestamps.
 *
 * @param lastDataCenterContactEpochSeconds registration, refill or inspection: the inspection clock starts here
 * @param keyAgreementCertificatePem the PSD's key-agreement key (checked at registration to be issued by the key of
 *     {@code certificatePem}); null when none was registered, and then nothing can be sealed to this meter
 * @param keyRevokedAtEpochSeconds when the data center reported the PSD failed and revoked its key (null: never);
 *     from that transaction on the contract refuses every call signed with it (METER_KEY_REVOKED)
 * @param keyRevocationReason the data center's reason for the revocation (null: never revoked)
 * @param replacedByMeterId the replacement meter that took over this meter's funds and open items (null: none)
 * @param replacesMeterId the failed meter this one replaces (null: none)
 *
 * <p>The last four fields are optional (absent from records written before PSD replacement existed, and from the
 * JSON while null, which the contract's mapper omits), so old records parse and every record's bytes stay the same.
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
        String keyAgreementCertificatePem,
        Long keyRevokedAtEpochSeconds,
        String keyRevocationReason,
        String replacedByMeterId,
        String replacesMeterId) {

    /** A meter as registered: no revocation, no replacement link. */
    public Meter(final String meterId, final String ownerMsp, final String certificatePem,
            final String publicKeyFingerprint, final MeterKind kind, final String model, final MeterLimits limits,
            final MeterStatus status, final String statusReason, final long registeredAtEpochSeconds,
            final long statusChangedAtEpochSeconds, final long lastDataCenterContactEpochSeconds,
            final String keyAgreementCertificatePem) {
        this(meterId, ownerMsp, certificatePem, publicKeyFingerprint, kind, model, limits, status, statusReason,
                registeredAtEpochSeconds, statusChangedAtEpochSeconds, lastDataCenterContactEpochSeconds,
                keyAgreementCertificatePem, null, null, null, null);
    }

    public boolean keyRevoked() {
        return keyRevokedAtEpochSeconds != null;
    }

    public Meter withStatus(final MeterStatus newStatus, final String reason, final long atEpochSeconds) {
        return new Meter(meterId, ownerMsp, certificatePem, publicKeyFingerprint, kind, model, limits, newStatus,
                reason, registeredAtEpochSeconds, atEpochSeconds, lastDataCenterContactEpochSeconds,
                keyAgreementCertificatePem, keyRevokedAtEpochSeconds, keyRevocationReason, replacedByMeterId,
                replacesMeterId);
    }

    public Meter withDataCenterContact(final long atEpochSeconds) {
        return new Meter(meterId, ownerMsp, certificatePem, publicKeyFingerprint, kind, model, limits, status,
                statusReason, registeredAtEpochSeconds, statusChangedAtEpochSeconds, atEpochSeconds,
                keyAgreementCertificatePem, keyRevokedAtEpochSeconds, keyRevocationReason, replacedByMeterId,
                replacesMeterId);
    }

    /** Failed: status FAILED and the PSD key revoked, both at {@code atEpochSeconds}. */
    public Meter withKeyRevoked(final MeterStatus failed, final String reason, final long atEpochSeconds) {
        return new Meter(meterId, ownerMsp, certificatePem, publicKeyFingerprint, kind, model, limits, failed, reason,
                registeredAtEpochSeconds, atEpochSeconds, lastDataCenterContactEpochSeconds,
                keyAgreementCertificatePem, atEpochSeconds, reason, replacedByMeterId, replacesMeterId);
    }

    /** The link of a replacement: this failed meter's successor (set once, at the replacement's first step). */
    public Meter withReplacedBy(final String replacementMeterId) {
        return new Meter(meterId, ownerMsp, certificatePem, publicKeyFingerprint, kind, model, limits, status,
                statusReason, registeredAtEpochSeconds, statusChangedAtEpochSeconds, lastDataCenterContactEpochSeconds,
                keyAgreementCertificatePem, keyRevokedAtEpochSeconds, keyRevocationReason, replacementMeterId,
                replacesMeterId);
    }

    /** The other side of the link: this meter replaces {@code failedMeterId}. */
    public Meter withReplaces(final String failedMeterId) {
        return new Meter(meterId, ownerMsp, certificatePem, publicKeyFingerprint, kind, model, limits, status,
                statusReason, registeredAtEpochSeconds, statusChangedAtEpochSeconds, lastDataCenterContactEpochSeconds,
                keyAgreementCertificatePem, keyRevokedAtEpochSeconds, keyRevocationReason, replacedByMeterId,
                failedMeterId);
    }
}
