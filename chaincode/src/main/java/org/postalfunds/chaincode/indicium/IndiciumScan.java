package org.postalfunds.chaincode.indicium;

/** How often the postal authority has seen one genuine indicium on mail; more than once is a duplicate. */
public record IndiciumScan(String meterId, long pieceNumber, long scanCount, long firstScannedAtEpochSeconds,
        long lastScannedAtEpochSeconds) {}
