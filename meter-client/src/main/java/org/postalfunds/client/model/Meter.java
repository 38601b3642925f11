package org.postalfunds.client.model;

/** A registered meter as the ledger keeps it. Times are epoch seconds from transaction timestamps. */
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
        long lastDataCenterContactEpochSeconds) {
}
