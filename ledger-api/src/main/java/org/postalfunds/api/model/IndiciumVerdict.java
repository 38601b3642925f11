package org.postalfunds.api.model;

/** What the ledger says about a presented indicium. */
public enum IndiciumVerdict {
    /** Signed by the meter's PSD key and recorded, field for field, on the ledger. */
    GENUINE,
    /** Genuine, but the postal authority has scanned it before: a copy on a second mail piece. */
    DUPLICATE,
    /** The signature does not verify under the meter's registered key. */
    FORGED,
    /** Correctly signed, but no such piece was ever paid for on the ledger. */
    NOT_ON_LEDGER,
    /** Correctly signed, but the ledger records different fields for that piece number. */
    CONFLICTING,
    /** The indicium names a meter the ledger does not know. */
    UNKNOWN_METER,
    /**
     * Genuine, but its postage was refunded (the meter reported the piece spoiled): a refunded indicium on mail is
     * evidence of fraud, whether or not it was scanned before.
     */
    REFUNDED
}
