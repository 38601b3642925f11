package org.postalfunds.chaincode.meter;

/**
 * The data center's registration input (the JSON argument of registerMeter).
 *
 * @param certificatePem the meter's X.509 certificate, PEM; its public key is the PSD key (EC P-256)
 */
public record MeterRegistration(
        String meterId, String ownerMsp, String certificatePem, MeterKind kind, String model, MeterLimits limits) {}
