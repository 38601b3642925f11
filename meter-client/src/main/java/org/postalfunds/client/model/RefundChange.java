package org.postalfunds.client.model;

import java.util.Objects;
import java.util.Optional;
import org.postalfunds.api.model.PsdRegisters;
import org.postalfunds.api.model.Refund;

/**
 * The result of requesting, approving or rejecting a refund: the refund after the step, and for an approval the
 * registers of the meter it was credited to.
 */
public record RefundChange(Receipt receipt, Refund refund, Optional<PsdRegisters> creditedRegisters) {
    public RefundChange {
        Objects.requireNonNull(receipt, "receipt");
        Objects.requireNonNull(refund, "refund");
        Objects.requireNonNull(creditedRegisters, "creditedRegisters");
    }
}
