package org.postalfunds.client.model;

import java.util.Optional;

/** The ledger's verdict on a presented indicium, its own record of that piece, and how often it was scanned. */
public record IndiciumVerification(IndiciumVerdict verdict, String meterId, long pieceNumber, IndiciumRecord recorded,
        Long scanCount) {

    public Optional<IndiciumRecord> ledgerRecord() {
        return Optional.ofNullable(recorded);
    }
}
