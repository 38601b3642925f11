package org.postalfunds.chaincode.refund;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.hyperledger.fabric.shim.ledger.KeyValue;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Ids;
import org.postalfunds.api.Limits;
import org.postalfunds.api.model.IndiciumRecord;
import org.postalfunds.api.model.Meter;
import org.postalfunds.api.model.Refund;
import org.postalfunds.api.model.RefundState;
import org.postalfunds.chaincode.access.Caller;
import org.postalfunds.chaincode.command.Command;
import org.postalfunds.chaincode.command.Outcome;
import org.postalfunds.chaincode.indicium.IndiciumScan;
import org.postalfunds.chaincode.ledger.AccountId;
import org.postalfunds.chaincode.ledger.Books;
import org.postalfunds.chaincode.meter.Meters;
import org.postalfunds.chaincode.state.Keys;
import org.postalfunds.chaincode.state.LedgerTx;
import org.postalfunds.chaincode.state.Page;
import org.postalfunds.chaincode.support.Json;

/**
 * Refunds of spoiled indicia. The meter asks for the postage of one printed piece back (its identity on the ledger:
 * meter, piece number, recorded amount); the postal authority approves, which reverses the print by double entry
 * (POSTAGE_REVENUE of the printing meter -> METER of the refund's credit meter), or rejects. Rules, in the order they
 * are checked, are in chaincode/README.md ("Refunds").
 *
 * <p>Concurrency: approval reads the piece's scan key and writes the refund; a scan reads the refund and writes the
 * scan key. Whichever of a concurrent scan and approval commits first invalidates the other by MVCC, so a piece is
 * never both refunded and accepted as GENUINE mail. Two refund requests of one meter on one day write the same
 * rate-limit counter, so one of them fails with an MVCC conflict and is retried (by its request id).
 */
public final class RefundService {
    /** Pending refunds of one meter a takeover reads in one transaction (more: LIMIT_EXCEEDED, answer some first). */
    public static final int MAX_PENDING_READ = 1_000;

    public Outcome request(
            final Command command, final String meterId, final long pieceNumber, final long amountMinorUnits,
            final String reason) {
        final LedgerTx tx = command.tx();
        requireReason(reason);
        final Meter meter = Meters.require(tx, meterId);
        Meters.requireActsAs(command.caller(), meter, "requestRefund");
        // A suspended meter's PSD is not trusted (failed or stolen): its pending refunds move to its replacement.
        Meters.requireActive(meter);
        final IndiciumRecord printed = indicium(tx, meterId, pieceNumber);
        final long recorded = printed.indicium().amountMinorUnits();
        if (amountMinorUnits != recorded) {
            throw ErrorCode.REFUND_AMOUNT_MISMATCH.exception("piece " + pieceNumber + " of meter " + meterId
                    + " was recorded for " + recorded + " minor units, the refund asks for " + amountMinorUnits);
        }
        RefundLifecycle.permit(meterId, pieceNumber, find(tx, meterId, pieceNumber), RefundAction.REQUEST);
        final long now = tx.nowEpochSeconds();
        final long closesAt = printed.recordedAtEpochSeconds() + Limits.REFUND_WINDOW_SECONDS;
        if (now > closesAt) {
            throw ErrorCode.REFUND_WINDOW_CLOSED.exception("piece " + pieceNumber + " of meter " + meterId
                    + " was recorded at " + printed.recordedAtEpochSeconds() + "; its refund window of "
                    + Limits.REFUND_WINDOW_SECONDS + " s closed at " + closesAt + ", it is now " + now);
        }
        requireNotScanned(tx, meterId, pieceNumber);
        final String day = LocalDate.ofInstant(tx.now(), ZoneOffset.UTC).toString();
        final String dayKey = Keys.refundDay(meterId, day);
        final long requestsToday = tx.read(dayKey, RefundDay.class).map(RefundDay::requests).orElse(0L);
        if (requestsToday >= Limits.MAX_REFUND_REQUESTS_PER_METER_PER_DAY) {
            throw ErrorCode.REFUND_RATE_LIMITED.exception("meter " + meterId + " has made " + requestsToday
                    + " refund requests on " + day + " (UTC), the most it may make per day is "
                    + Limits.MAX_REFUND_REQUESTS_PER_METER_PER_DAY);
        }
        tx.write(dayKey, new RefundDay(meterId, day, requestsToday + 1));
        final Refund refund = new Refund(meterId, pieceNumber, amountMinorUnits, meterId, meter.ownerMsp(),
                RefundState.REQUESTED, reason, tx.txId(), now, null, null, null);
        write(tx, null, refund);
        return Outcome.event("RefundRequested").with("refund", refund);
    }

    public Outcome approve(final Command command, final String meterId, final long pieceNumber) {
        command.caller().requirePostalAuthority("approveRefund");
        final LedgerTx tx = command.tx();
        Meters.require(tx, meterId);
        final Refund refund = find(tx, meterId, pieceNumber);
        final RefundState to = RefundLifecycle.permit(meterId, pieceNumber, refund, RefundAction.APPROVE);
        // Scanned after the request: the piece was mailed after all, so it is not spoiled.
        requireNotScanned(tx, meterId, pieceNumber);
        final Meter credited = Meters.require(tx, refund.creditMeterId());
        // A suspended credit meter waits for its replacement to take the credit over; a withdrawn one gets none.
        Meters.requireActive(credited);
        // No balance limit: the meter held these funds before it printed, and a refund must not get stuck.
        command.books().move(AccountId.postageRevenue(meterId), AccountId.meter(credited.meterId()),
                refund.amountMinorUnits());
        final Refund approved = refund.decide(to, null, tx.txId(), tx.nowEpochSeconds());
        write(tx, refund, approved);
        return Outcome.event("RefundApproved").with("refund", approved)
                .with("registers", Books.registers(tx, credited.meterId()));
    }

    public Outcome reject(final Command command, final String meterId, final long pieceNumber, final String reason) {
        command.caller().requirePostalAuthority("rejectRefund");
        requireReason(reason);
        final LedgerTx tx = command.tx();
        Meters.require(tx, meterId);
        final Refund refund = find(tx, meterId, pieceNumber);
        final RefundState to = RefundLifecycle.permit(meterId, pieceNumber, refund, RefundAction.REJECT);
        final Refund rejected = refund.decide(to, reason, tx.txId(), tx.nowEpochSeconds());
        write(tx, refund, rejected);
        return Outcome.event("RefundRejected").with("refund", rejected);
    }

    /** The printing meter's owner, the data center and the postal authority. */
    public Refund get(final LedgerTx tx, final Caller caller, final String meterId, final long pieceNumber) {
        final Meter meter = Meters.require(tx, meterId);
        Meters.requireCanRead(caller, meter);
        final Refund refund = find(tx, meterId, pieceNumber);
        if (refund == null) {
            throw ErrorCode.UNKNOWN_REFUND.exception(
                    "no refund has been requested for piece " + pieceNumber + " of meter " + meterId);
        }
        return refund;
    }

    /** A meter's refunds in piece order, in one state, or all of them for {@code state} "" (or "ALL"). */
    public Map<String, Object> list(
            final LedgerTx tx, final Caller caller, final String meterId, final String state, final int pageSize,
            final String bookmark) {
        final Meter meter = Meters.require(tx, meterId);
        Meters.requireCanRead(caller, meter);
        final List<Refund> refunds = new ArrayList<>();
        final Page page;
        if (state == null || state.isEmpty() || state.equals("ALL")) {
            page = Page.of(tx, pageSize, bookmark, Keys.REFUND, meterId);
            for (final KeyValue entry : page.entries()) {
                refunds.add(Json.stored(entry.getValue(), Refund.class, entry.getKey()));
            }
        } else {
            final RefundState wanted = parseState(state);
            page = Page.of(tx, pageSize, bookmark, Keys.REFUND_BY_STATE, meterId, wanted.name());
            for (final KeyValue entry : page.entries()) {
                final long piece = Long.parseLong(org.hyperledger.fabric.shim.ledger.CompositeKey
                        .parseCompositeKey(entry.getKey()).getAttributes().get(2));
                refunds.add(tx.read(Keys.refund(meterId, piece), Refund.class).orElseThrow(() -> ErrorCode
                        .INVARIANT_VIOLATED.exception("refund index names piece " + piece + " of " + meterId
                                + ", which has no refund")));
            }
        }
        final Map<String, Object> view = new TreeMap<>();
        view.put("refunds", refunds);
        view.put("bookmark", page.bookmark());
        return view;
    }

    /**
     * The meter's refunds still REQUESTED, in piece order: what a replacement meter takes over (see
     * {@link #creditTo}). Reads at most {@link #MAX_PENDING_READ}.
     */
    public static List<Refund> pending(final LedgerTx tx, final String meterId) {
        final List<Refund> pending = new ArrayList<>();
        for (final KeyValue entry : tx.list(Keys.REFUND_BY_STATE, MAX_PENDING_READ, meterId, RefundState.REQUESTED.name())) {
            final long piece = Long.parseLong(org.hyperledger.fabric.shim.ledger.CompositeKey
                    .parseCompositeKey(entry.getKey()).getAttributes().get(2));
            tx.read(Keys.refund(meterId, piece), Refund.class).ifPresent(pending::add);
        }
        return pending;
    }

    /**
     * A pending refund's credit goes to {@code replacementMeterId} (a replacement PSD): the approval will credit that
     * meter. The refund stays keyed by the printing meter and its piece, so it is found, verified and refused
     * (once per piece) as before. Only REQUESTED refunds move; the caller checks who may do this.
     */
    public static Refund creditTo(final LedgerTx tx, final Refund refund, final String replacementMeterId) {
        Ids.require(replacementMeterId, "replacementMeterId");
        org.postalfunds.api.Invariants.check(refund.state() == RefundState.REQUESTED,
                "only a pending refund changes its credit meter");
        final Refund moved = refund.creditTo(replacementMeterId);
        tx.write(Keys.refund(refund.meterId(), refund.pieceNumber()), moved);
        return moved;
    }

    /** The refund of the piece, if one was requested; the verifiers read it too. */
    public static Refund find(final LedgerTx tx, final String meterId, final long pieceNumber) {
        return tx.read(Keys.refund(meterId, pieceNumber), Refund.class).orElse(null);
    }

    private static IndiciumRecord indicium(final LedgerTx tx, final String meterId, final long pieceNumber) {
        return tx.read(Keys.indicium(meterId, pieceNumber), IndiciumRecord.class)
                .orElseThrow(() -> ErrorCode.UNKNOWN_INDICIUM.exception(
                        "meter " + meterId + " has printed no piece " + pieceNumber));
    }

    private static void requireNotScanned(final LedgerTx tx, final String meterId, final long pieceNumber) {
        final var scan = tx.read(Keys.indiciumScan(meterId, pieceNumber), IndiciumScan.class);
        if (scan.isPresent()) {
            throw ErrorCode.INDICIUM_ALREADY_SCANNED.exception("piece " + pieceNumber + " of meter " + meterId
                    + " was scanned at a mail centre " + scan.get().scanCount() + " time(s), first at "
                    + scan.get().firstScannedAtEpochSeconds() + ": it was mailed, not spoiled");
        }
    }

    private static void requireReason(final String reason) {
        if (reason == null || reason.isBlank()) {
            throw ErrorCode.INVALID_ARGUMENT.exception("a refund needs a reason (what spoiled the piece, or why the"
                    + " refund is rejected), was " + Ids.quote(reason));
        }
        if (reason.length() > Limits.MAX_REFUND_REASON_LENGTH) {
            throw ErrorCode.INVALID_ARGUMENT.exception("a refund's reason is at most " + Limits.MAX_REFUND_REASON_LENGTH
                    + " characters, was " + reason.length());
        }
        Ids.requireReason(reason);
    }

    private static void write(final LedgerTx tx, final Refund before, final Refund after) {
        if (before != null) {
            tx.delete(Keys.refundByState(before.meterId(), before.state().name(), before.pieceNumber()));
        }
        tx.write(Keys.refund(after.meterId(), after.pieceNumber()), after);
        tx.write(Keys.refundByState(after.meterId(), after.state().name(), after.pieceNumber()),
                Map.of("pieceNumber", after.pieceNumber()));
    }

    private static RefundState parseState(final String state) {
        try {
            return RefundState.valueOf(state);
        } catch (IllegalArgumentException unknown) {
            throw ErrorCode.INVALID_ARGUMENT.exception("state must be ALL, \"\" or one of "
                    + java.util.Arrays.toString(RefundState.values()) + ", was " + Ids.quote(state));
        }
    }
}
