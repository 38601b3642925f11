package org.postalfunds.api.model;

import java.util.List;

/** One page of a donor's authorised requesters; an empty bookmark means this was the last page. */
public record RequesterPage(List<AuthorisedRequester> authorisedRequesters, String bookmark) {
    public RequesterPage {
        authorisedRequesters = authorisedRequesters == null ? List.of() : List.copyOf(authorisedRequesters);
        bookmark = bookmark == null ? "" : bookmark;
    }
}
