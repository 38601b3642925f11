package org.postalfunds.client.model;

import java.util.Objects;
import org.postalfunds.api.model.InformationTransfer;

/** The result of a secure information step: the receipt and the public record afterwards. */
public record InformationChange(Receipt receipt, InformationTransfer informationTransfer) {
    public InformationChange {
        Objects.requireNonNull(receipt, "receipt");
        Objects.requireNonNull(informationTransfer, "informationTransfer");
    }

    public String transferId() {
        return informationTransfer.transferId();
    }
}
