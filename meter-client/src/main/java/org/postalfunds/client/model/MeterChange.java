package org.postalfunds.client.model;

import java.util.Objects;
import java.util.Optional;
import org.postalfunds.api.model.Inspection;
import org.postalfunds.api.model.Meter;
import org.postalfunds.api.model.MeterStatus;
import org.postalfunds.api.model.PsdRegisters;

/**
 * The result of a data center action on a meter (register, refill, inspect, suspend, resume, withdraw):
 * the receipt, the meter afterwards and, where the action reports them, its registers, its previous
 * status and its inspection clock.
 */
public record MeterChange(Receipt receipt, Meter meter, PsdRegisters registers, MeterStatus previousStatus,
        Inspection inspection) {
    public MeterChange {
        Objects.requireNonNull(receipt, "receipt");
        Objects.requireNonNull(meter, "meter");
    }

    public Optional<PsdRegisters> registersAfter() {
        return Optional.ofNullable(registers);
    }
}
