package org.postalfunds.api.model;

/** The answer to "is this indicium genuine?", with the ledger's own record where there is one. */
public record IndiciumVerification(
        IndiciumVerdict verdict, String meterId, long pieceNumber, IndiciumRecord recorded, Long scanCount) {

    /** The ledger's record of the piece, when it has one. */
    public java.util.Optional<IndiciumRecord> ledgerRecord() {
        return java.util.Optional.ofNullable(recorded);
    }
}
