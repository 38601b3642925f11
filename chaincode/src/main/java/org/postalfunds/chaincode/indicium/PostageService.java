package org.postalfunds.chaincode.indicium;

import java.time.LocalDate;
import java.time.ZoneOffset;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Invariants;
import org.postalfunds.api.model.Indicium;
import org.postalfunds.api.model.IndiciumRecord;
import org.postalfunds.api.model.IndiciumVerdict;
import org.postalfunds.api.model.IndiciumVerification;
import org.postalfunds.api.model.Meter;
import org.postalfunds.api.model.PsdRegisters;
import org.postalfunds.api.model.Refund;
import org.postalfunds.api.model.RefundState;
import org.postalfunds.chaincode.access.Caller;
import org.postalfunds.chaincode.access.PublicKeys;
import org.postalfunds.chaincode.command.Command;
import org.postalfunds.chaincode.command.Outcome;
import org.postalfunds.chaincode.ledger.AccountId;
import org.postalfunds.chaincode.ledger.Books;
import org.postalfunds.chaincode.meter.Meters;
import org.postalfunds.chaincode.state.Keys;
import org.postalfunds.chaincode.state.LedgerTx;
import org.postalfunds.chaincode.support.Json;

/**
 * Printing postage (the trip signal 182 reaching the printing mechanism 160) and checking indicia afterwards.
 *
 * <p>The meter signs before it submits, so it must know every signed field in advance. It supplies the piece number
 * (its piece count + 1) and the mailing date (the UTC day of the transaction timestamp, which the client itself
 * puts into the proposal header); the chaincode requires both to match exactly, verifies the signature, and
 * records precisely the bytes that were signed. Two concurrent prints by one meter write the same PSD key, so MVCC
 * lets only one through and the other fails with a piece number it can recompute.
 */
public final class PostageService {

    public Outcome print(final Command command, final String indiciumJson) {
        final LedgerTx tx = command.tx();
        final Indicium indicium = Json.argument(indiciumJson, Indicium.class, "indicium");
        indicium.validate();
        final Meter meter = Meters.require(tx, indicium.meterId());
        Meters.requireActsAs(command.caller(), meter, "printPostage");
        if (!meter.kind().printsPostage()) {
            throw ErrorCode.PRINTING_NOT_SUPPORTED.exception(
                    "meter " + meter.meterId() + " is a " + meter.kind() + " and has no printing mechanism");
        }
        Meters.requireMayMoveFunds(tx, meter);
        if (indicium.amountMinorUnits() > meter.limits().maxPostagePerPieceMinorUnits()) {
            throw ErrorCode.LIMIT_EXCEEDED.exception("meter " + meter.meterId() + " prints at most "
                    + meter.limits().maxPostagePerPieceMinorUnits() + " minor units per piece");
        }
        final PsdRegisters before = Books.registers(tx, meter.meterId());
        if (indicium.pieceNumber() != before.pieceCount() + 1) {
            throw ErrorCode.PIECE_NUMBER_MISMATCH.exception("meter " + meter.meterId() + " has printed "
                    + before.pieceCount() + " pieces; the next indicium is piece " + (before.pieceCount() + 1)
                    + ", not " + indicium.pieceNumber());
        }
        final LocalDate today = LocalDate.ofInstant(tx.now(), ZoneOffset.UTC);
        if (!indicium.mailingDay().equals(today)) {
            throw ErrorCode.MAILING_DATE_MISMATCH.exception(
                    "mailingDate " + indicium.mailingDate() + " is not the transaction's UTC day " + today);
        }
        // A revoked PSD key signs nothing any more, whoever submits its indicium (the meter's own calls are refused
        // earlier, at the caller's identification).
        Meters.requireKeyNotRevoked(meter);
        if (!PublicKeys.signs(meter.certificatePem(), indicium)) {
            throw ErrorCode.INVALID_SIGNATURE.exception(
                    "the indicium signature does not verify under meter " + meter.meterId() + "'s PSD key");
        }
        command.books().move(AccountId.meter(meter.meterId()), AccountId.postageRevenue(meter.meterId()),
                indicium.amountMinorUnits());
        final String key = Keys.indicium(meter.meterId(), indicium.pieceNumber());
        Invariants.check(!tx.exists(key), "piece " + indicium.pieceNumber() + " of " + meter.meterId() + " recorded twice");
        final IndiciumRecord recorded = new IndiciumRecord(indicium, tx.txId(), tx.nowEpochSeconds());
        tx.write(key, recorded);
        return Outcome.event("PostagePrinted").with("indicium", recorded)
                .with("registers", Books.registers(tx, meter.meterId()));
    }

    /**
     * Checks a presented indicium against the meter's key and the ledger's record. Writes nothing. A genuine
     * indicium the postal authority has already scanned is a DUPLICATE: whoever holds it now holds a piece that was
     * seen before (scanCount says how often). One whose refund was approved is REFUNDED, scanned or not.
     */
    public IndiciumVerification verify(final LedgerTx tx, final Caller caller, final String indiciumJson) {
        caller.requireAuditor("verifyIndicium");
        final IndiciumVerification checked = check(tx, indiciumJson);
        if (checked.verdict() == IndiciumVerdict.GENUINE && checked.scanCount() != null && checked.scanCount() > 0) {
            return new IndiciumVerification(IndiciumVerdict.DUPLICATE, checked.meterId(), checked.pieceNumber(),
                    checked.recorded(), checked.scanCount());
        }
        return checked;
    }

    /** Signature, record and refund only: GENUINE (or REFUNDED) regardless of earlier sightings, with their count. */
    private IndiciumVerification check(final LedgerTx tx, final String indiciumJson) {
        final Indicium presented = Json.argument(indiciumJson, Indicium.class, "indicium");
        presented.validate();
        final var meter = tx.read(Keys.meter(presented.meterId()), Meter.class);
        if (meter.isEmpty()) {
            return verdict(IndiciumVerdict.UNKNOWN_METER, presented, null, null);
        }
        if (!PublicKeys.signs(meter.get().certificatePem(), presented)) {
            return verdict(IndiciumVerdict.FORGED, presented, null, null);
        }
        final var recorded = tx.read(Keys.indicium(presented.meterId(), presented.pieceNumber()), IndiciumRecord.class);
        if (recorded.isEmpty()) {
            return verdict(IndiciumVerdict.NOT_ON_LEDGER, presented, null, null);
        }
        // Compare the signed bytes, not the signature: ECDSA signatures are not unique.
        if (!java.util.Arrays.equals(recorded.get().indicium().canonicalBytes(), presented.canonicalBytes())) {
            return verdict(IndiciumVerdict.CONFLICTING, presented, recorded.get(), null);
        }
        final Long scans = tx.read(Keys.indiciumScan(presented.meterId(), presented.pieceNumber()), IndiciumScan.class)
                .map(IndiciumScan::scanCount).orElse(0L);
        // Its postage was paid back: the piece must not travel, whoever presents it and however often.
        // Read by key, not through the refund package (which depends on this one: no cycle).
        final boolean refunded = tx.read(Keys.refund(presented.meterId(), presented.pieceNumber()), Refund.class)
                .map(refund -> refund.state() == RefundState.APPROVED).orElse(false);
        if (refunded) {
            return verdict(IndiciumVerdict.REFUNDED, presented, recorded.get(), scans);
        }
        return verdict(IndiciumVerdict.GENUINE, presented, recorded.get(), scans);
    }

    /** The postal authority saw this indicium on a mail piece: verify it and count the sighting. */
    public Outcome scan(final Command command, final String indiciumJson) {
        command.caller().requirePostalAuthority("recordIndiciumScan");
        final LedgerTx tx = command.tx();
        final IndiciumVerification verification = check(tx, indiciumJson);
        final boolean refunded = verification.verdict() == IndiciumVerdict.REFUNDED;
        if (verification.verdict() != IndiciumVerdict.GENUINE && !refunded) {
            return Outcome.event("IndiciumScanned").with("verification", verification);
        }
        final String key = Keys.indiciumScan(verification.meterId(), verification.pieceNumber());
        final long now = tx.nowEpochSeconds();
        final IndiciumScan scan = tx.read(key, IndiciumScan.class)
                .map(earlier -> new IndiciumScan(earlier.meterId(), earlier.pieceNumber(), earlier.scanCount() + 1,
                        earlier.firstScannedAtEpochSeconds(), now))
                .orElse(new IndiciumScan(verification.meterId(), verification.pieceNumber(), 1, now, now));
        tx.write(key, scan);
        // A refunded piece's sighting is counted too (evidence of fraud), and stays REFUNDED, never GENUINE.
        final IndiciumVerdict verdict = refunded ? IndiciumVerdict.REFUNDED
                : scan.scanCount() > 1 ? IndiciumVerdict.DUPLICATE : IndiciumVerdict.GENUINE;
        return Outcome.event("IndiciumScanned").with("verification", new IndiciumVerification(
                verdict, verification.meterId(), verification.pieceNumber(), verification.recorded(), scan.scanCount()));
    }

    public IndiciumRecord get(final LedgerTx tx, final Caller caller, final String meterId, final long pieceNumber) {
        final Meter meter = Meters.require(tx, meterId);
        Meters.requireCanRead(caller, meter);
        if (pieceNumber < 1) {
            throw ErrorCode.INVALID_ARGUMENT.exception("pieceNumber must be >= 1, was " + pieceNumber);
        }
        return tx.read(Keys.indicium(meterId, pieceNumber), IndiciumRecord.class)
                .orElseThrow(() -> ErrorCode.UNKNOWN_INDICIUM.exception(
                        "meter " + meterId + " has printed no piece " + pieceNumber));
    }

    private static IndiciumVerification verdict(
            final IndiciumVerdict verdict, final Indicium presented, final IndiciumRecord recorded, final Long scans) {
        return new IndiciumVerification(verdict, presented.meterId(), presented.pieceNumber(), recorded, scans);
    }
}
