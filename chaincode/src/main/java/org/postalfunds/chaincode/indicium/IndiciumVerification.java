package org.postalfunds.chaincode.indicium;

/** The answer to "is this indicium genuine?", with the ledger's own record where there is one. */
public record IndiciumVerification(
        IndiciumVerdict verdict, String meterId, long pieceNumber, IndiciumRecord recorded, Long scanCount) {}
