package org.postalfunds.client.model;

import java.util.Objects;
import org.postalfunds.api.model.AuthorisedRequester;

/** The result of authorising or revoking a requester: the list entry concerned. */
public record RequesterChange(Receipt receipt, AuthorisedRequester authorisedRequester) {
    public RequesterChange {
        Objects.requireNonNull(receipt, "receipt");
        Objects.requireNonNull(authorisedRequester, "authorisedRequester");
    }
}
