package org.postalfunds.client.model;

import java.util.Objects;
import org.postalfunds.api.model.InspectionPeriods;

/** New inspection periods and the ones they replaced. */
public record InspectionPeriodsChange(Receipt receipt, InspectionPeriods inspectionPeriods, InspectionPeriods previous) {
    public InspectionPeriodsChange {
        Objects.requireNonNull(receipt, "receipt");
        Objects.requireNonNull(inspectionPeriods, "inspectionPeriods");
    }
}
