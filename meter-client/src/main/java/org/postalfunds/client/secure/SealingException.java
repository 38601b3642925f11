package org.postalfunds.client.secure;

/** A package could not be sealed or was refused on unsealing; {@link #reason()} says why (match on it). */
public final class SealingException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a package was refused. */
    public enum Reason {
        /** Not a well-formed package of a known version, or over a size limit. */
        MALFORMED,
        /** The content is larger than a package may carry. */
        TOO_LARGE,
        /** The package names another transfer, sender or recipient than the one it was expected for. */
        WRONG_ADDRESSING,
        /** The sender's PSD signature does not verify with the sender's registered key. */
        BAD_SIGNATURE,
        /** The recipient's bridge refused to open the package (e.g. another meter's key) or failed. */
        KEY_AGREEMENT_REFUSED,
        /** The recipient has no key-agreement key on the ledger: nothing can be sealed to it. */
        NO_KEY_AGREEMENT_KEY,
        /** AES-GCM authentication failed: the wrong key, or altered ciphertext or header. */
        DECRYPTION_FAILED,
        /** The sender's PSD refused or failed to sign, or a key is not a P-256 key. */
        SEALING_FAILED
    }

    private final Reason reason;

    public SealingException(final Reason reason, final String message, final Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
    }

    public SealingException(final Reason reason, final String message) {
        this(reason, message, null);
    }

    public Reason reason() {
        return reason;
    }
}
