package org.postalfunds.chaincode.meter;

/** A meter's inspection clock as seen at the transaction time. */
public record InspectionView(
        InspectionStatus status,
        long lastDataCenterContactEpochSeconds,
        long dueAtEpochSeconds,
        long overdueAtEpochSeconds) {

    static InspectionView of(final Meter meter, final InspectionPeriods periods, final long nowEpochSeconds) {
        return new InspectionView(periods.statusOf(meter, nowEpochSeconds), meter.lastDataCenterContactEpochSeconds(),
                periods.dueAtEpochSeconds(meter), periods.overdueAtEpochSeconds(meter));
    }
}
