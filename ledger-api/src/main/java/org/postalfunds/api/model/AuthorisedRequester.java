package org.postalfunds.api.model;

/** One entry of a donor's list of meters allowed to request funds from it. */
public record AuthorisedRequester(
        String donorMeterId, String requesterMeterId, long authorisedAtEpochSeconds, String authorisedByMsp) {}
