package org.postalfunds.client.model;

/** A meter's lifecycle on the ledger; WITHDRAWN is final. */
public enum MeterStatus {
    ACTIVE,
    SUSPENDED,
    WITHDRAWN
}
