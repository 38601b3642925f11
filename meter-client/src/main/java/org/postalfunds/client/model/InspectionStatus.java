package org.postalfunds.client.model;

/** Where a meter stands on the inspection clock; OVERDUE meters may not print or transfer. */
public enum InspectionStatus {
    CURRENT,
    DUE,
    OVERDUE
}
