package org.postalfunds.api.model;

/** How an information transfer started: pulled by the recipient, pushed by a sender meter, or downloaded by the data center. */
public enum InformationKind {
    /** Fig. 7 pull: the recipient requests a named item, the sender grants it with the sealed package. */
    PULL,
    /** Push: the sender offers the sealed package; the recipient acknowledges or rejects it. */
    PUSH,
    /** Claim 12: the data center's I/O module offers the sealed package to a meter, as a push. */
    DOWNLOAD
}
