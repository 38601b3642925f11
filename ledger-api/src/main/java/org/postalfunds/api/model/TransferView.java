package org.postalfunds.api.model;

import java.util.Objects;
import java.util.Optional;

/** A transfer and, while it holds funds, its escrow. */
public record TransferView(Transfer transfer, Escrow escrow) {
    public TransferView {
        Objects.requireNonNull(transfer, "transfer");
    }

    public Optional<Escrow> heldEscrow() {
        return Optional.ofNullable(escrow);
    }
}
