package org.postalfunds.api.model;

/** A meter's inspection clock as seen at the transaction time. */
public record Inspection(
        InspectionStatus status,
        long lastDataCenterContactEpochSeconds,
        long dueAtEpochSeconds,
        long overdueAtEpochSeconds) {

    public static Inspection of(final Meter meter, final InspectionPeriods periods, final long nowEpochSeconds) {
        return new Inspection(periods.statusOf(meter, nowEpochSeconds), meter.lastDataCenterContactEpochSeconds(),
                periods.dueAtEpochSeconds(meter), periods.overdueAtEpochSeconds(meter));
    }
}
