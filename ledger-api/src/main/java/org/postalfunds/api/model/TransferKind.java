package org.postalfunds.api.model;

/** PULL: the recipient asks, the donor grants (Fig. 3a). PUSH: the donor offers, the recipient acknowledges (Fig. 3b). */
public enum TransferKind {
    PULL,
    PUSH
}
