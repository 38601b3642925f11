package org.postalfunds.api.model;

import java.util.Objects;

/** The answer of getMeter: the registration, the PSD registers and the inspection clock. */
public record MeterView(Meter meter, PsdRegisters registers, Inspection inspection) {
    public MeterView {
        Objects.requireNonNull(meter, "meter");
        Objects.requireNonNull(registers, "registers");
        Objects.requireNonNull(inspection, "inspection");
    }
}
