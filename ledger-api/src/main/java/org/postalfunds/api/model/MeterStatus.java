package org.postalfunds.api.model;

/** A meter's lifecycle. WITHDRAWN is final: the meter is closed for good and its funds are back at the data center. */
public enum MeterStatus {
    ACTIVE,
    SUSPENDED,
    WITHDRAWN
}
