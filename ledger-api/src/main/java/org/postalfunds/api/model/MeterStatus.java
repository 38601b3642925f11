package org.postalfunds.api.model;

/**
 * A meter's lifecycle. FAILED: the data center reported the PSD failed or stolen and revoked its key; only a
 * replacement (or a withdrawal) leaves it. WITHDRAWN and REPLACED are final: the meter is closed for good, its funds
 * back at the data center (withdrawn) or at its replacement meter (replaced).
 */
public enum MeterStatus {
    ACTIVE,
    SUSPENDED,
    WITHDRAWN,
    FAILED,
    REPLACED
}
