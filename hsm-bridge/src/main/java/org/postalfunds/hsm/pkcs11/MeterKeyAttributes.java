package org.postalfunds.hsm.pkcs11;

/**
 * The PKCS#11 attributes of a meter's private key object, as the token reports them.
 *
 * @param label CKA_LABEL (the meter id)
 * @param tokenObject CKA_TOKEN: the key persists in the token, not only in a session
 * @param privateObject CKA_PRIVATE: visible only after login
 * @param sensitive CKA_SENSITIVE: the key value can never be read in plain
 * @param extractable CKA_EXTRACTABLE: the key could be wrapped out of the token
 * @param neverExtractable CKA_NEVER_EXTRACTABLE: the key was never extractable since generation
 * @param alwaysSensitive CKA_ALWAYS_SENSITIVE: the key was sensitive since generation
 * @param sign CKA_SIGN
 * @param derive CKA_DERIVE (ECDH)
 */
public record MeterKeyAttributes(
        String label,
        boolean tokenObject,
        boolean privateObject,
        boolean sensitive,
        boolean extractable,
        boolean neverExtractable,
        boolean alwaysSensitive,
        boolean sign,
        boolean derive) {
}
