package org.postalfunds.api.model;

/** What a party asks to do to a transfer. REQUEST and OFFER open one; the rest move an existing one. */
public enum TransferAction {
    REQUEST,
    GRANT,
    DENY,
    ACCEPT,
    CANCEL,
    OFFER,
    ACKNOWLEDGE,
    REJECT,
    EXPIRE
}
