package org.postalfunds.client.model;

import java.util.Objects;
import org.postalfunds.api.model.IndiciumRecord;
import org.postalfunds.api.model.PsdRegisters;

/** A printed piece: the ledger's record of the indicium and the meter's registers afterwards. */
public record PrintedPostage(Receipt receipt, IndiciumRecord record, PsdRegisters registers) {
    public PrintedPostage {
        Objects.requireNonNull(receipt, "receipt");
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(registers, "registers");
    }
}
