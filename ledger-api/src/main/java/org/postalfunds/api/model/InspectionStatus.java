package org.postalfunds.api.model;

/** Where a meter stands on the inspection clock. */
public enum InspectionStatus {
    CURRENT,
    /** Past the due period: the owner should bring the meter in; it still works. */
    DUE,
    /** Past the overdue period: printing and transfers are refused until an inspection is recorded. */
    OVERDUE
}
