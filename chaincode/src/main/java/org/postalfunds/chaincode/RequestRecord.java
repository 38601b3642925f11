package org.postalfunds.chaincode;

/**
 * The idempotency record of one client request id, per caller organisation: what was asked (a hash of function,
 * caller and arguments) and the exact result returned the first time.
 */
public record RequestRecord(
        String requestId,
        String callerMsp,
        String function,
        String contentHash,
        String outcome,
        String txId,
        long recordedAtEpochSeconds) {}
