package org.postalfunds.client.model;

/** After how many days without data center contact a meter is inspection-due, and overdue. */
public record InspectionPeriods(long dueAfterDays, long overdueAfterDays) {
}
