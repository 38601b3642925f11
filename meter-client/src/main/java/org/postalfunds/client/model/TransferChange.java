package org.postalfunds.client.model;

import java.util.Objects;
import java.util.Optional;
import org.postalfunds.api.model.Escrow;
import org.postalfunds.api.model.Transfer;

/** The result of a transfer step: the receipt, the transfer afterwards, and its escrow while it holds funds. */
public record TransferChange(Receipt receipt, Transfer transfer, Escrow escrow) {
    public TransferChange {
        Objects.requireNonNull(receipt, "receipt");
        Objects.requireNonNull(transfer, "transfer");
    }

    public String transferId() {
        return transfer.transferId();
    }

    public Optional<Escrow> heldEscrow() {
        return Optional.ofNullable(escrow);
    }
}
