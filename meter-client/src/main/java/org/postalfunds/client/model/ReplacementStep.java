package org.postalfunds.client.model;

import java.util.List;
import java.util.Objects;
import org.postalfunds.api.model.Meter;
import org.postalfunds.api.model.PsdRegisters;
import org.postalfunds.api.model.Replacement;
import org.postalfunds.api.model.ReplacementState;

/**
 * One replacePsd step: the replacement's record afterwards (state, counts moved so far), both meters and their
 * registers, and the transfers this step moved to the replacement.
 */
public record ReplacementStep(Receipt receipt, Replacement replacement, Meter failedMeter, Meter replacementMeter,
        PsdRegisters failedRegisters, PsdRegisters replacementRegisters, List<String> movedTransferIds) {
    public ReplacementStep {
        Objects.requireNonNull(receipt, "receipt");
        Objects.requireNonNull(replacement, "replacement");
        movedTransferIds = movedTransferIds == null ? List.of() : List.copyOf(movedTransferIds);
    }

    public boolean complete() {
        return replacement.state() == ReplacementState.COMPLETE;
    }
}
