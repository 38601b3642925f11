package org.postalfunds.chaincode.meter;

import static org.postalfunds.api.model.MeterStatus.ACTIVE;
import static org.postalfunds.api.model.MeterStatus.SUSPENDED;
import static org.postalfunds.api.model.MeterStatus.WITHDRAWN;
import static org.postalfunds.chaincode.meter.MeterAction.MOVE_FUNDS;
import static org.postalfunds.chaincode.meter.MeterAction.RECORD_INSPECTION;
import static org.postalfunds.chaincode.meter.MeterAction.REFILL;
import static org.postalfunds.chaincode.meter.MeterAction.REGISTER;
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
 * it touches state. WITHDRAWN is final.
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

            refuse(ACTIVE, REGISTER, ErrorCode.METER_ALREADY_REGISTERED),
            allow(ACTIVE, REFILL, ACTIVE),
            allow(ACTIVE, SUSPEND, SUSPENDED),
            refuse(ACTIVE, RESUME, ErrorCode.ILLEGAL_TRANSITION),
            allow(ACTIVE, RECORD_INSPECTION, ACTIVE),
            allow(ACTIVE, WITHDRAW, WITHDRAWN),
            allow(ACTIVE, MOVE_FUNDS, ACTIVE),

            refuse(SUSPENDED, REGISTER, ErrorCode.METER_ALREADY_REGISTERED),
            refuse(SUSPENDED, REFILL, ErrorCode.METER_SUSPENDED),
            refuse(SUSPENDED, SUSPEND, ErrorCode.ILLEGAL_TRANSITION),
            allow(SUSPENDED, RESUME, ACTIVE),
            allow(SUSPENDED, RECORD_INSPECTION, SUSPENDED),
            // Suspend first, so that no new transfer opens; withdraw once the open ones are settled (TRANSFERS_OPEN).
            allow(SUSPENDED, WITHDRAW, WITHDRAWN),
            refuse(SUSPENDED, MOVE_FUNDS, ErrorCode.METER_SUSPENDED),

            refuse(WITHDRAWN, REGISTER, ErrorCode.METER_ALREADY_REGISTERED),
            refuse(WITHDRAWN, REFILL, ErrorCode.METER_WITHDRAWN),
            refuse(WITHDRAWN, SUSPEND, ErrorCode.METER_WITHDRAWN),
            refuse(WITHDRAWN, RESUME, ErrorCode.METER_WITHDRAWN),
            refuse(WITHDRAWN, RECORD_INSPECTION, ErrorCode.METER_WITHDRAWN),
            refuse(WITHDRAWN, WITHDRAW, ErrorCode.METER_WITHDRAWN),
            refuse(WITHDRAWN, MOVE_FUNDS, ErrorCode.METER_WITHDRAWN));

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
