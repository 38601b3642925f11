package org.postalfunds.client.model;

import java.util.Objects;
import org.postalfunds.api.model.IndiciumVerification;

/** A recorded sighting of an indicium: the receipt and the ledger's verdict (DUPLICATE from the second on). */
public record IndiciumScanResult(Receipt receipt, IndiciumVerification verification) {
    public IndiciumScanResult {
        Objects.requireNonNull(receipt, "receipt");
        Objects.requireNonNull(verification, "verification");
    }
}
