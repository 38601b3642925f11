package org.postalfunds.hsm.server;

/** What a caller may do at the bridge, decided from its TLS client certificate. */
public enum CallerRole {
    /** A meter client (OU=client, CN=meter id): may use its own meter's key only. */
    METER,
    /** An operator of the meter vendor / DataCenter: creates keys and CSRs, imports certificates, reads stats. */
    OPERATOR;

    /** The name used on the wire and in the audit trail. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
