package org.postalfunds.console;

import org.postalfunds.api.model.Transfer;
import org.postalfunds.client.ledger.Ledger;

/**
 * One request's user and the ledger connection of the user's organisation: every read goes through it, so the
 * contract's own access rules apply; on top, a mailer sees only its own organisation's meters and the
 * transfers they take part in. What the events say comes from the organisation's {@link LedgerFollower}.
 */
public record Viewer(Sessions.Session session, Ledger ledger, LedgerFollower follower) {
    /** How long a page waits for the organisation's first replay before it answers 503. */
    static final java.time.Duration FIRST_SNAPSHOT_WAIT = java.time.Duration.ofSeconds(60);

    /** The organisation's current snapshot of the ledger's events (no replay: the follower keeps it up to date). */
    public LedgerSnapshot snapshot() throws InterruptedException {
        return follower.snapshot(FIRST_SNAPSHOT_WAIT);
    }

    public UserStore.User user() {
        return session.user();
    }

    public boolean mayView(final String ownerMsp) {
        return user().role().seesAll() || user().mspId().equals(ownerMsp);
    }

    public boolean mayView(final Transfer transfer) {
        return user().role().seesAll() || user().mspId().equals(transfer.donorOwnerMsp())
                || user().mspId().equals(transfer.recipientOwnerMsp());
    }

    /** 404 for a meter the ledger never registered, 403 for another organisation's meter. */
    public void requireMeter(final String meterId, final LedgerSnapshot snapshot) {
        String owner = snapshot.owner(meterId).orElseThrow(
                () -> HttpProblem.notFound("there is no meter " + meterId + " on the ledger"));
        if (!mayView(owner)) {
            throw HttpProblem.forbidden("meter " + meterId + " belongs to another organisation");
        }
    }

    /** Pages that show the whole ledger (conservation, chain) are for operators and auditors. */
    public void requireSeesAll(final String what) {
        if (!user().role().seesAll()) {
            throw HttpProblem.forbidden(what + " covers every organisation's meters: it is for operators and auditors");
        }
    }
}
