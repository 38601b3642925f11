package org.postalfunds.chaincode.meter;

import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Ids;
import org.postalfunds.api.model.InspectionPeriods;
import org.postalfunds.api.model.InspectionStatus;
import org.postalfunds.api.model.Meter;
import org.postalfunds.api.model.MeterStatus;
import org.postalfunds.chaincode.access.Caller;
import org.postalfunds.chaincode.state.Keys;
import org.postalfunds.chaincode.state.LedgerTx;

/** Looking meters up, and the rules every handler applies to them: who may act as or read a meter, and when. */
public final class Meters {
    private Meters() {}

    public static Meter require(final LedgerTx tx, final String meterId) {
        Ids.require(meterId, "meterId");
        return tx.read(Keys.meter(meterId), Meter.class)
                .orElseThrow(() -> ErrorCode.UNKNOWN_METER.exception("no meter " + meterId + " is registered"));
    }

    public static InspectionPeriods inspectionPeriods(final LedgerTx tx) {
        return tx.read(Keys.inspectionConfig(), InspectionPeriods.class).orElse(InspectionPeriods.DEFAULT);
    }

    /** Only the meter itself: its owner's MSP and its registered PSD key, not revoked. */
    public static void requireActsAs(final Caller caller, final Meter meter, final String function) {
        // Caller.of already refuses a revoked key's every call; this keeps the rule where a meter is identified.
        requireKeyNotRevoked(meter);
        if (!caller.actsAs(meter.ownerMsp(), meter.publicKeyFingerprint())) {
            throw ErrorCode.NOT_AUTHORISED.exception(function + " must be signed by meter " + meter.meterId()
                    + " (an identity of " + meter.ownerMsp() + " holding the meter's registered PSD key)");
        }
    }

    /** Any identity of the owner's organisation (the operator, or the meter itself). */
    public static void requireOwner(final Caller caller, final Meter meter, final String function) {
        if (!caller.mspId().equals(meter.ownerMsp())) {
            throw ErrorCode.NOT_AUTHORISED.exception(
                    function + " on meter " + meter.meterId() + " is for its owner " + meter.ownerMsp());
        }
    }

    /** Owners see their own meters; the data center and the postal authority see all. */
    public static void requireCanRead(final Caller caller, final Meter meter) {
        if (!caller.mspId().equals(meter.ownerMsp()) && !caller.isDataCenter() && !caller.isPostalAuthority()) {
            throw ErrorCode.NOT_AUTHORISED.exception("meter " + meter.meterId() + " is visible to its owner "
                    + meter.ownerMsp() + ", the data center and the postal authority only");
        }
    }

    /** The meter's PSD key signs: it was never revoked (reportPsdFailure). */
    public static void requireKeyNotRevoked(final Meter meter) {
        if (meter.keyRevoked()) {
            throw ErrorCode.METER_KEY_REVOKED.exception("meter " + meter.meterId() + "'s PSD key was revoked at "
                    + meter.keyRevokedAtEpochSeconds() + " (" + meter.keyRevocationReason() + ")"
                    + (meter.replacedByMeterId() == null ? "" : "; its replacement is meter " + meter.replacedByMeterId()));
        }
    }

    public static void requireNotWithdrawn(final Meter meter) {
        if (meter.status() == MeterStatus.WITHDRAWN) {
            throw ErrorCode.METER_WITHDRAWN.exception("meter " + meter.meterId() + " is withdrawn");
        }
    }

    /** Active: may move funds, by the meter lifecycle's table. */
    public static void requireActive(final Meter meter) {
        MeterLifecycle.permit(meter.meterId(), meter, MeterAction.MOVE_FUNDS);
    }

    /** Active and not inspection-overdue: what a meter must be to print, or to send or receive a transfer. */
    public static void requireMayMoveFunds(final LedgerTx tx, final Meter meter) {
        requireActive(meter);
        final InspectionPeriods periods = inspectionPeriods(tx);
        if (periods.statusOf(meter, tx.nowEpochSeconds()) == InspectionStatus.OVERDUE) {
            throw ErrorCode.INSPECTION_OVERDUE.exception("meter " + meter.meterId() + " has had no data center contact"
                    + " for more than " + periods.overdueAfterDays() + " days; the data center must record an inspection");
        }
    }
}
