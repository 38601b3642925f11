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

import java.util.List;
import java.util.Locale;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.model.Meter;
import org.postalfunds.api.model.MeterStatus;

/**
 * The one meter lifecycle, as a table like the transfer table: for every status (none: not registered) and every
 * action, either the status it leads to or the refusal's error code. Every meter handler asks {@link #permit} before
 * it touches state. WITHDRAWN and REPLACED are final. FAILED (the PSD's key revoked) never becomes ACTIVE again: its
 * funds leave by REPLACE (to a replacement meter; the status becomes REPLACED at the replacement's last step) or by
 * WITHDRAW (to the data center).
 */
public final class MeterLifecycle {

    /** One cell: {@code from} x {@code action} -> {@code to}, or refused with {@code refusal}. */
    public record Row(MeterStatus from, MeterAction action, MeterStatus to, ErrorCode refusal) {
        public boolean allowed() {
            return refusal == null;
        }
    }

    /** Every cell of status (null: not registered) x action. */
    public static final List<Row> TABLE = List.of(
            allow(null, REGISTER, ACTIVE),
            refuse(null, REFILL, ErrorCode.UNKNOWN_METER),
            refuse(null, SUSPEND, ErrorCode.UNKNOWN_METER),
            refuse(null, RESUME, ErrorCode.UNKNOWN_METER),
            refuse(null, RECORD_INSPECTION, ErrorCode.UNKNOWN_METER),
            refuse(null, WITHDRAW, ErrorCode.UNKNOWN_METER),
            refuse(null, MOVE_FUNDS, ErrorCode.UNKNOWN_METER),
            refuse(null, REPORT_FAILURE, ErrorCode.UNKNOWN_METER),
            refuse(null, REPLACE, ErrorCode.UNKNOWN_METER),

            refuse(ACTIVE, REGISTER, ErrorCode.METER_ALREADY_REGISTERED),
            allow(ACTIVE, REFILL, ACTIVE),
            allow(ACTIVE, SUSPEND, SUSPENDED),
            refuse(ACTIVE, RESUME, ErrorCode.ILLEGAL_TRANSITION),
            allow(ACTIVE, RECORD_INSPECTION, ACTIVE),
            allow(ACTIVE, WITHDRAW, WITHDRAWN),
            allow(ACTIVE, MOVE_FUNDS, ACTIVE),
            allow(ACTIVE, REPORT_FAILURE, FAILED),
            refuse(ACTIVE, REPLACE, ErrorCode.METER_NOT_FAILED),

            refuse(SUSPENDED, REGISTER, ErrorCode.METER_ALREADY_REGISTERED),
            refuse(SUSPENDED, REFILL, ErrorCode.METER_SUSPENDED),
            refuse(SUSPENDED, SUSPEND, ErrorCode.ILLEGAL_TRANSITION),
            allow(SUSPENDED, RESUME, ACTIVE),
            allow(SUSPENDED, RECORD_INSPECTION, SUSPENDED),
            // Suspend first, so that no new transfer opens; withdraw once the open ones are settled (TRANSFERS_OPEN).
            allow(SUSPENDED, WITHDRAW, WITHDRAWN),
            refuse(SUSPENDED, MOVE_FUNDS, ErrorCode.METER_SUSPENDED),
            allow(SUSPENDED, REPORT_FAILURE, FAILED),
            refuse(SUSPENDED, REPLACE, ErrorCode.METER_NOT_FAILED),

            refuse(WITHDRAWN, REGISTER, ErrorCode.METER_ALREADY_REGISTERED),
            refuse(WITHDRAWN, REFILL, ErrorCode.METER_WITHDRAWN),
            refuse(WITHDRAWN, SUSPEND, ErrorCode.METER_WITHDRAWN),
            refuse(WITHDRAWN, RESUME, ErrorCode.METER_WITHDRAWN),
            refuse(WITHDRAWN, RECORD_INSPECTION, ErrorCode.METER_WITHDRAWN),
            refuse(WITHDRAWN, WITHDRAW, ErrorCode.METER_WITHDRAWN),
            refuse(WITHDRAWN, MOVE_FUNDS, ErrorCode.METER_WITHDRAWN),
            refuse(WITHDRAWN, REPORT_FAILURE, ErrorCode.METER_WITHDRAWN),
            refuse(WITHDRAWN, REPLACE, ErrorCode.METER_WITHDRAWN),

            // A revoked key never signs again: nothing brings a failed meter back, nothing moves its funds but the
            // replacement (or a withdrawal to the data center, when the owner wants no replacement).
            refuse(FAILED, REGISTER, ErrorCode.METER_ALREADY_REGISTERED),
            refuse(FAILED, REFILL, ErrorCode.METER_KEY_REVOKED),
            refuse(FAILED, SUSPEND, ErrorCode.METER_KEY_REVOKED),
            refuse(FAILED, RESUME, ErrorCode.METER_KEY_REVOKED),
            refuse(FAILED, RECORD_INSPECTION, ErrorCode.METER_KEY_REVOKED),
            allow(FAILED, WITHDRAW, WITHDRAWN),
            refuse(FAILED, MOVE_FUNDS, ErrorCode.METER_KEY_REVOKED),
            refuse(FAILED, REPORT_FAILURE, ErrorCode.METER_KEY_REVOKED),
            allow(FAILED, REPLACE, REPLACED),

            refuse(REPLACED, REGISTER, ErrorCode.METER_ALREADY_REGISTERED),
            refuse(REPLACED, REFILL, ErrorCode.METER_REPLACED),
            refuse(REPLACED, SUSPEND, ErrorCode.METER_REPLACED),
            refuse(REPLACED, RESUME, ErrorCode.METER_REPLACED),
            refuse(REPLACED, RECORD_INSPECTION, ErrorCode.METER_REPLACED),
            refuse(REPLACED, WITHDRAW, ErrorCode.METER_REPLACED),
            refuse(REPLACED, MOVE_FUNDS, ErrorCode.METER_REPLACED),
            refuse(REPLACED, REPORT_FAILURE, ErrorCode.METER_REPLACED),
            refuse(REPLACED, REPLACE, ErrorCode.METER_REPLACED));

    private MeterLifecycle() {}

    /**
     * May {@code action} happen to meter {@code meterId} ({@code meter}: as registered, null when it is not)? Returns
     * the status it leads to, or throws the table's refusal.
     */
    public static MeterStatus permit(final String meterId, final Meter meter, final MeterAction action) {
        final MeterStatus current = meter == null ? null : meter.status();
        final Row row = row(current, action);
        if (row.allowed()) {
            return row.to();
        }
        throw row.refusal().exception(switch (row.refusal()) {
            case UNKNOWN_METER -> "no meter " + meterId + " is registered";
            case METER_ALREADY_REGISTERED -> "meter " + meterId + " is registered";
            case METER_WITHDRAWN -> "meter " + meterId + " is withdrawn";
            case METER_SUSPENDED -> "meter " + meterId + " is suspended: " + meter.statusReason();
            case METER_KEY_REVOKED -> "meter " + meterId + "'s PSD key was revoked at " + meter.keyRevokedAtEpochSeconds()
                    + " (" + meter.keyRevocationReason() + "): " + action.name().toLowerCase(Locale.ROOT).replace('_', ' ')
                    + " is not possible" + (meter.replacedByMeterId() == null ? ""
                            : "; its replacement is meter " + meter.replacedByMeterId());
            case METER_REPLACED -> "meter " + meterId + " was replaced by meter " + meter.replacedByMeterId();
            case METER_NOT_FAILED -> "meter " + meterId + " is " + current + ": only a meter reported failed"
                    + " (reportPsdFailure, key revoked) is replaced";
            default -> "meter " + meterId + " is " + current + ": " + action.name().toLowerCase(Locale.ROOT)
                    .replace('_', ' ') + " is not possible (allowed: " + actionsFrom(current) + ")";
        });
    }

    public static Row row(final MeterStatus current, final MeterAction action) {
        return TABLE.stream().filter(row -> row.from() == current && row.action() == action).findFirst()
                .orElseThrow(() -> new IllegalStateException("the meter table has no cell " + current + " x " + action));
    }

    private static String actionsFrom(final MeterStatus current) {
        return String.join(", ", TABLE.stream().filter(row -> row.from() == current && row.allowed())
                .map(row -> row.action().name()).toList());
    }

    private static Row allow(final MeterStatus from, final MeterAction action, final MeterStatus to) {
        return new Row(from, action, to, null);
    }

    private static Row refuse(final MeterStatus from, final MeterAction action, final ErrorCode refusal) {
        return new Row(from, action, null, refusal);
    }
}
