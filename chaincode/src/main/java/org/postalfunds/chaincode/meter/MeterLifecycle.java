package org.postalfunds.chaincode.meter;

import static org.postalfunds.api.model.MeterStatus.ACTIVE;
import static org.postalfunds.api.model.MeterStatus.FAILED;
import static org.postalfunds.api.model.MeterStatus.REPLACED;
import static org.postalfunds.api.model.MeterStatus.SUSPENDED;
import static org.postalfunds.api.model.MeterStatus.WITHDRAWN;
import static org.postalfunds.chaincode.meter.MeterAction.MOVE_FUNDS;
import static org.postalfunds.chaincode.meter.MeterAction.RECORD_INSPECTION;
import static org.postalfunds.chaincode.meter.MeterAction.REFILL;
import static org.postalfunds.chaincode.meter.MeterAction.REGISTER;
import static org.postalfunds.chaincode.meter.MeterAction.REPLACE;
import static org.postalfunds.chaincode.meter.MeterAction.REPORT_FAILURE;
import static org.postalfunds.chaincode.meter.MeterAction.RESUME;
import static org.postalfunds.chaincode.meter.MeterAction.SUSPEND;
import static org.postalfunds.chaincode.meter.MeterAction.WITHDRAW;

import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.model.Meter;
import org.postalfunds.api.model.MeterStatus;
import org.postalfunds.chaincode.support.TransitionTable;

/**
 * The one meter lifecycle, as a {@link TransitionTable}: for every status (none: not registered) and every action,
 * either the status it leads to or the refusal's error code. Every meter handler asks {@link #permit} before
 * it touches state. WITHDRAWN and REPLACED are final. FAILED (the PSD's key revoked) never becomes ACTIVE again: its
 * funds leave by REPLACE (to a replacement meter; the status becomes REPLACED at the replacement's last step) or by
 * WITHDRAW (to the data center).
 */
public final class MeterLifecycle {

    /** Every cell of status (null: not registered) x action; the messages of its refusals below the rows. */
    public static final TransitionTable<Meter, MeterStatus, MeterAction> TABLE = TransitionTable
            .<Meter, MeterStatus, MeterAction>builder("meter", MeterStatus.class, MeterAction.class, Meter::status,
                    meterId -> "meter " + meterId)
            .allow(null, REGISTER, ACTIVE)
            .refuse(null, REFILL, ErrorCode.UNKNOWN_METER)
            .refuse(null, SUSPEND, ErrorCode.UNKNOWN_METER)
            .refuse(null, RESUME, ErrorCode.UNKNOWN_METER)
            .refuse(null, RECORD_INSPECTION, ErrorCode.UNKNOWN_METER)
            .refuse(null, WITHDRAW, ErrorCode.UNKNOWN_METER)
            .refuse(null, MOVE_FUNDS, ErrorCode.UNKNOWN_METER)
            .refuse(null, REPORT_FAILURE, ErrorCode.UNKNOWN_METER)
            .refuse(null, REPLACE, ErrorCode.UNKNOWN_METER)

            .refuse(ACTIVE, REGISTER, ErrorCode.METER_ALREADY_REGISTERED)
            .allow(ACTIVE, REFILL, ACTIVE)
            .allow(ACTIVE, SUSPEND, SUSPENDED)
            .refuse(ACTIVE, RESUME, ErrorCode.ILLEGAL_TRANSITION)
            .allow(ACTIVE, RECORD_INSPECTION, ACTIVE)
            .allow(ACTIVE, WITHDRAW, WITHDRAWN)
            .allow(ACTIVE, MOVE_FUNDS, ACTIVE)
            .allow(ACTIVE, REPORT_FAILURE, FAILED)
            .refuse(ACTIVE, REPLACE, ErrorCode.METER_NOT_FAILED)

            .refuse(SUSPENDED, REGISTER, ErrorCode.METER_ALREADY_REGISTERED)
            .refuse(SUSPENDED, REFILL, ErrorCode.METER_SUSPENDED)
            .refuse(SUSPENDED, SUSPEND, ErrorCode.ILLEGAL_TRANSITION)
            .allow(SUSPENDED, RESUME, ACTIVE)
            .allow(SUSPENDED, RECORD_INSPECTION, SUSPENDED)
            // Suspend first, so that no new transfer opens; withdraw once the open ones are settled (TRANSFERS_OPEN).
            .allow(SUSPENDED, WITHDRAW, WITHDRAWN)
            .refuse(SUSPENDED, MOVE_FUNDS, ErrorCode.METER_SUSPENDED)
            .allow(SUSPENDED, REPORT_FAILURE, FAILED)
            .refuse(SUSPENDED, REPLACE, ErrorCode.METER_NOT_FAILED)

            .refuse(WITHDRAWN, REGISTER, ErrorCode.METER_ALREADY_REGISTERED)
            .refuse(WITHDRAWN, REFILL, ErrorCode.METER_WITHDRAWN)
            .refuse(WITHDRAWN, SUSPEND, ErrorCode.METER_WITHDRAWN)
            .refuse(WITHDRAWN, RESUME, ErrorCode.METER_WITHDRAWN)
            .refuse(WITHDRAWN, RECORD_INSPECTION, ErrorCode.METER_WITHDRAWN)
            .refuse(WITHDRAWN, WITHDRAW, ErrorCode.METER_WITHDRAWN)
            .refuse(WITHDRAWN, MOVE_FUNDS, ErrorCode.METER_WITHDRAWN)
            .refuse(WITHDRAWN, REPORT_FAILURE, ErrorCode.METER_WITHDRAWN)
            .refuse(WITHDRAWN, REPLACE, ErrorCode.METER_WITHDRAWN)

            // A revoked key never signs again: nothing brings a failed meter back, nothing moves its funds but the
            // replacement (or a withdrawal to the data center, when the owner wants no replacement).
            .refuse(FAILED, REGISTER, ErrorCode.METER_ALREADY_REGISTERED)
            .refuse(FAILED, REFILL, ErrorCode.METER_KEY_REVOKED)
            .refuse(FAILED, SUSPEND, ErrorCode.METER_KEY_REVOKED)
            .refuse(FAILED, RESUME, ErrorCode.METER_KEY_REVOKED)
            .refuse(FAILED, RECORD_INSPECTION, ErrorCode.METER_KEY_REVOKED)
            .allow(FAILED, WITHDRAW, WITHDRAWN)
            .refuse(FAILED, MOVE_FUNDS, ErrorCode.METER_KEY_REVOKED)
            .refuse(FAILED, REPORT_FAILURE, ErrorCode.METER_KEY_REVOKED)
            .allow(FAILED, REPLACE, REPLACED)

            .refuse(REPLACED, REGISTER, ErrorCode.METER_ALREADY_REGISTERED)
            .refuse(REPLACED, REFILL, ErrorCode.METER_REPLACED)
            .refuse(REPLACED, SUSPEND, ErrorCode.METER_REPLACED)
            .refuse(REPLACED, RESUME, ErrorCode.METER_REPLACED)
            .refuse(REPLACED, RECORD_INSPECTION, ErrorCode.METER_REPLACED)
            .refuse(REPLACED, WITHDRAW, ErrorCode.METER_REPLACED)
            .refuse(REPLACED, MOVE_FUNDS, ErrorCode.METER_REPLACED)
            .refuse(REPLACED, REPORT_FAILURE, ErrorCode.METER_REPLACED)
            .refuse(REPLACED, REPLACE, ErrorCode.METER_REPLACED)

            .because(ErrorCode.UNKNOWN_METER, refused -> "no meter " + refused.id() + " is registered")
            .because(ErrorCode.METER_ALREADY_REGISTERED, refused -> "meter " + refused.id() + " is registered")
            .because(ErrorCode.METER_WITHDRAWN, refused -> "meter " + refused.id() + " is withdrawn")
            .because(ErrorCode.METER_SUSPENDED, refused -> "meter " + refused.id() + " is suspended: "
                    + refused.entity().statusReason())
            .because(ErrorCode.METER_KEY_REVOKED, refused -> "meter " + refused.id() + "'s PSD key was revoked at "
                    + refused.entity().keyRevokedAtEpochSeconds() + " (" + refused.entity().keyRevocationReason()
                    + "): " + refused.actionWords() + " is not possible" + (refused.entity().replacedByMeterId() == null
                            ? "" : "; its replacement is meter " + refused.entity().replacedByMeterId()))
            .because(ErrorCode.METER_REPLACED, refused -> "meter " + refused.id() + " was replaced by meter "
                    + refused.entity().replacedByMeterId())
            .because(ErrorCode.METER_NOT_FAILED, refused -> "meter " + refused.id() + " is " + refused.from()
                    + ": only a meter reported failed (reportPsdFailure, key revoked) is replaced")
            .build();

    private MeterLifecycle() {}

    /**
     * May {@code action} happen to meter {@code meterId} ({@code meter}: as registered, null when it is not)? Returns
     * the status it leads to, or throws the table's refusal.
     */
    public static MeterStatus permit(final String meterId, final Meter meter, final MeterAction action) {
        return TABLE.permit(meterId, meter, action);
    }
}
