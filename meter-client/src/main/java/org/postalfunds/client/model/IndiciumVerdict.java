package org.postalfunds.client.model;

/** The ledger's answer about a presented indicium. */
public enum IndiciumVerdict {
    /** Signed by the meter's PSD key and recorded on the ledger, field for field. */
    GENUINE,
    /** Genuine, but scanned before: a copy on a second mail piece. */
    DUPLICATE,
    /** The signature does not verify under the meter's registered key. */
    FORGED,
    /** Correctly signed, but never paid for on the ledger. */
    NOT_ON_LEDGER,
    /** Correctly signed, but the ledger records different fields for that piece. */
    CONFLICTING,
    /** The indicium names a meter the ledger does not know. */
    UNKNOWN_METER
}
