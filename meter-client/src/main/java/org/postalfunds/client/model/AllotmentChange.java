package org.postalfunds.client.model;

import java.util.Objects;
import java.util.Optional;
import org.postalfunds.api.model.Allotment;
import org.postalfunds.api.model.MeterInflow;
import org.postalfunds.api.model.PsdRegisters;

/**
 * The result of funding or releasing an allotment: the allotment, and the distributor's registers after a funding
 * (a debit of them) or its inflow after a release (a credit, which reaches the inflow key and never reads the
 * registers; the meter's whole balance is {@code getMeter}'s).
 */
public record AllotmentChange(Receipt receipt, Allotment allotment, PsdRegisters registers, MeterInflow inflow) {
    public AllotmentChange {
        Objects.requireNonNull(receipt, "receipt");
        Objects.requireNonNull(allotment, "allotment");
        if ((registers == null) == (inflow == null)) {
            throw new IllegalArgumentException("an allotment change carries the registers or the inflow");
        }
    }

    public Optional<PsdRegisters> registersAfter() {
        return Optional.ofNullable(registers);
    }

    public Optional<MeterInflow> inflowAfter() {
        return Optional.ofNullable(inflow);
    }
}
