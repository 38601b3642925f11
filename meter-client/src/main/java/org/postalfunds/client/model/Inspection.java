package org.postalfunds.client.model;

/** A meter's inspection clock as seen at the query's transaction time. */
public record Inspection(
        InspectionStatus status,
        long lastDataCenterContactEpochSeconds,
        long dueAtEpochSeconds,
        long overdueAtEpochSeconds) {
}
