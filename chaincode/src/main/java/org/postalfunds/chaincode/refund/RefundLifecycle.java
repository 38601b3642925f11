package org.postalfunds.chaincode.refund;

import static org.postalfunds.api.model.RefundState.APPROVED;
import static org.postalfunds.api.model.RefundState.REJECTED;
import static org.postalfunds.api.model.RefundState.REQUESTED;
import static org.postalfunds.chaincode.refund.RefundAction.APPROVE;
import static org.postalfunds.chaincode.refund.RefundAction.REJECT;
import static org.postalfunds.chaincode.refund.RefundAction.REQUEST;

import java.util.List;
import java.util.Locale;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.model.Refund;
import org.postalfunds.api.model.RefundState;

/**
 * The refund table, like the meter lifecycle's: for every state (none: never requested) and every action, either
 * the state it leads to or the refusal's code. A piece is refunded once: a second request is refused whatever the
 * first one's state (a rejected refund is not asked again; the postal authority's answer stands). Both answers are
 * final.
 */
public final class RefundLifecycle {

    /** One cell: {@code from} x {@code action} -> {@code to}, or refused with {@code refusal}. */
    public record Row(RefundState from, RefundAction action, RefundState to, ErrorCode refusal) {
        public boolean allowed() {
            return refusal == null;
        }
    }

    public static final List<Row> TABLE = List.of(
            allow(null, REQUEST, REQUESTED),
            refuse(null, APPROVE, ErrorCode.UNKNOWN_REFUND),
            refuse(null, REJECT, ErrorCode.UNKNOWN_REFUND),

            refuse(REQUESTED, REQUEST, ErrorCode.REFUND_ALREADY_REQUESTED),
            allow(REQUESTED, APPROVE, APPROVED),
            allow(REQUESTED, REJECT, REJECTED),

            refuse(APPROVED, REQUEST, ErrorCode.REFUND_ALREADY_REQUESTED),
            refuse(APPROVED, APPROVE, ErrorCode.ILLEGAL_TRANSITION),
            refuse(APPROVED, REJECT, ErrorCode.ILLEGAL_TRANSITION),

            refuse(REJECTED, REQUEST, ErrorCode.REFUND_ALREADY_REQUESTED),
            refuse(REJECTED, APPROVE, ErrorCode.ILLEGAL_TRANSITION),
            refuse(REJECTED, REJECT, ErrorCode.ILLEGAL_TRANSITION));

    private RefundLifecycle() {}

    /**
     * May {@code action} happen to the refund of {@code meterId}'s piece {@code pieceNumber} ({@code refund}: as
     * recorded, null when never requested)? Returns the state it leads to, or throws the table's refusal.
     */
    public static RefundState permit(
            final String meterId, final long pieceNumber, final Refund refund, final RefundAction action) {
        final RefundState current = refund == null ? null : refund.state();
        final Row row = row(current, action);
        if (row.allowed()) {
            return row.to();
        }
        final String piece = "piece " + pieceNumber + " of meter " + meterId;
        throw row.refusal().exception(switch (row.refusal()) {
            case UNKNOWN_REFUND -> "no refund has been requested for " + piece;
            case REFUND_ALREADY_REQUESTED -> "the refund of " + piece + " was requested in transaction "
                    + refund.requestedTxId() + " and is " + current + "; a piece is refunded once";
            default -> "the refund of " + piece + " is " + current + ": " + action.name().toLowerCase(Locale.ROOT)
                    + " is not possible (allowed: " + actionsFrom(current) + ")";
        });
    }

    public static Row row(final RefundState current, final RefundAction action) {
        return TABLE.stream().filter(row -> row.from() == current && row.action() == action).findFirst()
                .orElseThrow(() -> new IllegalStateException("the refund table has no cell " + current + " x " + action));
    }

    private static String actionsFrom(final RefundState current) {
        final List<String> allowed = TABLE.stream().filter(row -> row.from() == current && row.allowed())
                .map(row -> row.action().name()).toList();
        return allowed.isEmpty() ? "none, it is final" : String.join(", ", allowed);
    }

    private static Row allow(final RefundState from, final RefundAction action, final RefundState to) {
        return new Row(from, action, to, null);
    }

    private static Row refuse(final RefundState from, final RefundAction action, final ErrorCode refusal) {
        return new Row(from, action, null, refusal);
    }
}
