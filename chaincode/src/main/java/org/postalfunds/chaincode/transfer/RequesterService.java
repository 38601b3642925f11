package org.postalfunds.chaincode.transfer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.hyperledger.fabric.shim.ledger.KeyValue;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Limits;
import org.postalfunds.api.model.AuthorisedRequester;
import org.postalfunds.api.model.Meter;
import org.postalfunds.chaincode.access.Caller;
import org.postalfunds.chaincode.command.Command;
import org.postalfunds.chaincode.command.Outcome;
import org.postalfunds.chaincode.meter.Meters;
import org.postalfunds.chaincode.state.Keys;
import org.postalfunds.chaincode.state.LedgerTx;
import org.postalfunds.chaincode.state.Page;
import org.postalfunds.chaincode.support.Json;

/**
 * A donor's list of meters allowed to request funds from it (the patent's donor checks "whether the requesting
 * meter is authorized"). One key per (donor, requester) pair, so changing one entry never conflicts with another.
 */
public final class RequesterService {

    public Outcome authorise(final Command command, final String donorMeterId, final String requesterMeterId) {
        final LedgerTx tx = command.tx();
        final Meter donor = Meters.require(tx, donorMeterId);
        final Meter requester = Meters.require(tx, requesterMeterId);
        Meters.requireOwner(command.caller(), donor, "authoriseRequester");
        Meters.requireNotWithdrawn(donor);
        Meters.requireNotWithdrawn(requester);
        if (donorMeterId.equals(requesterMeterId)) {
            throw ErrorCode.SELF_TRANSFER.exception("meter " + donorMeterId + " cannot request from itself");
        }
        final String key = Keys.requester(donorMeterId, requesterMeterId);
        if (tx.exists(key)) {
            throw ErrorCode.ILLEGAL_TRANSITION.exception(
                    "meter " + requesterMeterId + " is already authorised to request from " + donorMeterId);
        }
        if (tx.list(Keys.REQUESTER, Limits.MAX_AUTHORISED_REQUESTERS, donorMeterId).size()
                >= Limits.MAX_AUTHORISED_REQUESTERS) {
            throw ErrorCode.LIMIT_EXCEEDED.exception("meter " + donorMeterId + " already authorises "
                    + Limits.MAX_AUTHORISED_REQUESTERS + " requesters");
        }
        final AuthorisedRequester entry = new AuthorisedRequester(
                donorMeterId, requesterMeterId, tx.nowEpochSeconds(), command.caller().mspId());
        tx.write(key, entry);
        return Outcome.event("RequesterAuthorised").with("authorisedRequester", entry);
    }

    public Outcome revoke(final Command command, final String donorMeterId, final String requesterMeterId) {
        final LedgerTx tx = command.tx();
        final Meter donor = Meters.require(tx, donorMeterId);
        Meters.requireOwner(command.caller(), donor, "revokeRequester");
        final String key = Keys.requester(donorMeterId, org.postalfunds.api.Ids.require(
                requesterMeterId, "requesterMeterId"));
        final AuthorisedRequester entry = tx.read(key, AuthorisedRequester.class)
                .orElseThrow(() -> ErrorCode.REQUESTER_NOT_AUTHORISED.exception(
                        "meter " + requesterMeterId + " is not on the list of " + donorMeterId));
        tx.delete(key);
        return Outcome.event("RequesterRevoked").with("authorisedRequester", entry);
    }

    public Map<String, Object> list(
            final LedgerTx tx, final Caller caller, final String donorMeterId, final int pageSize,
            final String bookmark) {
        final Meter donor = Meters.require(tx, donorMeterId);
        Meters.requireCanRead(caller, donor);
        final Page page = Page.of(tx, pageSize, bookmark, Keys.REQUESTER, donorMeterId);
        final List<AuthorisedRequester> entries = new ArrayList<>();
        for (final KeyValue entry : page.entries()) {
            entries.add(Json.stored(entry.getValue(), AuthorisedRequester.class, entry.getKey()));
        }
        final Map<String, Object> view = new TreeMap<>();
        view.put("authorisedRequesters", entries);
        view.put("bookmark", page.bookmark());
        return view;
    }
}
