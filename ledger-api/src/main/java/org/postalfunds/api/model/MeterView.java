package org.postalfunds.api.model;

import java.util.Objects;

/**
 * The answer of getMeter: the registration, the PSD registers and the inspection clock. The registers count the
 * meter's pending inflow (credits not yet folded into the stored registers) as folded; {@code pendingInflowMinorUnits}
 * says how much of them that is.
 */
public record MeterView(Meter meter, PsdRegisters registers, Inspection inspection, long pendingInflowMinorUnits) {
    public MeterView {
        Objects.requireNonNull(meter, "meter");
        Objects.requireNonNull(registers, "registers");
        Objects.requireNonNull(inspection, "inspection");
    }
}
