package org.postalfunds.client.model;

import java.util.Objects;
import org.postalfunds.api.model.Consortium;

/** The ledger's consortium record after initConsortium or admitMeterOwner, and the one it replaced (if any). */
public record ConsortiumChange(Receipt receipt, Consortium consortium, Consortium previous) {
    public ConsortiumChange {
        Objects.requireNonNull(receipt, "receipt");
        Objects.requireNonNull(consortium, "consortium");
    }
}
