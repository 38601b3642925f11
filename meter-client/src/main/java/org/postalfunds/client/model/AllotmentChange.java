package org.postalfunds.client.model;

import java.util.Objects;
import org.postalfunds.api.model.Allotment;
import org.postalfunds.api.model.PsdRegisters;

/** The result of funding or releasing an allotment: the allotment and the distributor's registers afterwards. */
public record AllotmentChange(Receipt receipt, Allotment allotment, PsdRegisters registers) {
    public AllotmentChange {
        Objects.requireNonNull(receipt, "receipt");
        Objects.requireNonNull(allotment, "allotment");
        Objects.requireNonNull(registers, "registers");
    }
}
