package org.postalfunds.chaincode.refund;

import static org.postalfunds.api.model.RefundState.APPROVED;
import static org.postalfunds.api.model.RefundState.REJECTED;
import static org.postalfunds.api.model.RefundState.REQUESTED;
import static org.postalfunds.chaincode.refund.RefundAction.APPROVE;
import static org.postalfunds.chaincode.refund.RefundAction.REJECT;
import static org.postalfunds.chaincode.refund.RefundAction.REQUEST;

import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.model.Refund;
import org.postalfunds.api.model.RefundState;
import org.postalfunds.chaincode.support.TransitionTable;

/**
 * The refund table, a {@link TransitionTable} like the meter lifecycle's: for every state (none: never requested) and
 * every action, either the state it leads to or the refusal's code. A piece is refunded once: a second request is
 * refused whatever the first one's state (a rejected refund is not asked again; the postal authority's answer
 * stands). Both answers are final.
 */
public final class RefundLifecycle {

    /** Every cell of state (null: never requested) x action; the entity id is "piece {n} of meter {id}". */
    public static final TransitionTable<Refund, RefundState, RefundAction> TABLE = TransitionTable
            .<Refund, RefundState, RefundAction>builder("refund", RefundState.class, RefundAction.class, Refund::state,
                    piece -> "the refund of " + piece)
            .allow(null, REQUEST, REQUESTED)
            .refuse(null, APPROVE, ErrorCode.UNKNOWN_REFUND)
            .refuse(null, REJECT, ErrorCode.UNKNOWN_REFUND)

            .refuse(REQUESTED, REQUEST, ErrorCode.REFUND_ALREADY_REQUESTED)
            .allow(REQUESTED, APPROVE, APPROVED)
            .allow(REQUESTED, REJECT, REJECTED)

            .refuse(APPROVED, REQUEST, ErrorCode.REFUND_ALREADY_REQUESTED)
            .refuse(APPROVED, APPROVE, ErrorCode.ILLEGAL_TRANSITION)
            .refuse(APPROVED, REJECT, ErrorCode.ILLEGAL_TRANSITION)

            .refuse(REJECTED, REQUEST, ErrorCode.REFUND_ALREADY_REQUESTED)
            .refuse(REJECTED, APPROVE, ErrorCode.ILLEGAL_TRANSITION)
            .refuse(REJECTED, REJECT, ErrorCode.ILLEGAL_TRANSITION)

            .because(ErrorCode.UNKNOWN_REFUND, refused -> "no refund has been requested for " + refused.id())
            .because(ErrorCode.REFUND_ALREADY_REQUESTED, refused -> "the refund of " + refused.id()
                    + " was requested in transaction " + refused.entity().requestedTxId() + " and is " + refused.from()
                    + "; a piece is refunded once")
            .build();

    private RefundLifecycle() {}

    /**
     * May {@code action} happen to the refund of {@code meterId}'s piece {@code pieceNumber} ({@code refund}: as
     * recorded, null when never requested)? Returns the state it leads to, or throws the table's refusal.
     */
    public static RefundState permit(
            final String meterId, final long pieceNumber, final Refund refund, final RefundAction action) {
        return TABLE.permit("piece " + pieceNumber + " of meter " + meterId, refund, action);
    }
}
