package org.postalfunds.api.model;

/**
 * Contract parameters for meter inspection, stored under {@code config~inspection} and set by the data center.
 * A meter without data center contact for more than {@code dueAfterDays} is "inspection due"; for more than
 * {@code overdueAfterDays} it may no longer print or transfer until an inspection is recorded.
 */
public record InspectionPeriods(long dueAfterDays, long overdueAfterDays) {
    public static final InspectionPeriods DEFAULT = new InspectionPeriods(90, 120);
    private static final long SECONDS_PER_DAY = 86_400;

    public InspectionStatus statusOf(final Meter meter, final long nowEpochSeconds) {
        final long sinceContactSeconds = nowEpochSeconds - meter.lastDataCenterContactEpochSeconds();
        if (sinceContactSeconds > overdueAfterDays * SECONDS_PER_DAY) {
            return InspectionStatus.OVERDUE;
        }
        if (sinceContactSeconds > dueAfterDays * SECONDS_PER_DAY) {
            return InspectionStatus.DUE;
        }
        return InspectionStatus.CURRENT;
    }

    public long dueAtEpochSeconds(final Meter meter) {
        return meter.lastDataCenterContactEpochSeconds() + dueAfterDays * SECONDS_PER_DAY;
    }

    public long overdueAtEpochSeconds(final Meter meter) {
        return meter.lastDataCenterContactEpochSeconds() + overdueAfterDays * SECONDS_PER_DAY;
    }
}
