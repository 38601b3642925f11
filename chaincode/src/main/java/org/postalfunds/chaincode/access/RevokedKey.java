package org.postalfunds.chaincode.access;

/**
 * A failed PSD's key, at {@code revoked-key~{fingerprint}}: written by reportPsdFailure, never removed. Every call
 * whose certificate carries this key is refused from that transaction on (see {@link Caller#of}).
 */
public record RevokedKey(String meterId, String publicKeyFingerprint, long revokedAtEpochSeconds, String reason) {}
