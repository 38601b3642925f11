package org.postalfunds.client.model;

/** PULL: the recipient requests, the donor grants. PUSH: the donor offers, the recipient acknowledges. */
public enum TransferKind {
    PULL,
    PUSH
}
