package org.postalfunds.chaincode.escrow;

import org.postalfunds.api.model.Meter;
import org.postalfunds.api.model.TransferAction;
import org.postalfunds.api.model.TransferRecord;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.api.model.TransferStep;
import org.postalfunds.chaincode.command.Command;
import org.postalfunds.chaincode.command.Outcome;
import org.postalfunds.chaincode.state.LedgerTx;

/**
 * What one kind of escrowed item brings to the {@link EscrowWorkflow}: where its transfer records are kept and how
 * they are reported (their keys, indexes and events are part of the contract's wire format), what a meter must be to
 * hand the item over or take it, and what the table's three effects do to it. The order of steps and every refusal
 * of the table belong to the workflow.
 *
 * @param <R> the transfer's public record
 * @param <I> the item
 */
public interface EscrowKind<R extends TransferRecord, I extends EscrowedItem> {

    /** The public record's key. */
    String recordKey(String transferId);

    /** The public record, or UNKNOWN_TRANSFER. */
    R require(LedgerTx tx, String transferId);

    /** Who stands on each side of a recorded transfer. */
    Parties parties(LedgerTx tx, R record);

    /** The item as the record names it. */
    I itemOf(R record);

    /** The record after one more step of the table, with the deadline and reason that step leaves. */
    R advanced(R record, TransferStep step, long deadlineEpochSeconds, String reason);

    /** What a meter must be to open a transfer of this item as its actor, to hold the item, or to take delivery. */
    void requireMayHandle(LedgerTx tx, Meter meter);

    /** Checks an opening makes beyond the table and the meters' status (limits, lists); none by default. */
    default void requireMayOpen(final LedgerTx tx, final TransferAction action, final Parties parties, final I item) {}

    /** HOLD: the donor's item into escrow; returns the record as holding it. */
    R hold(Command command, R record, Parties parties, I item);

    /** DELIVER: the held item to the recipient. */
    R deliver(Command command, R record, Parties parties, I item);

    /** RETURN: the held item back to where it came from (never refused: nothing may get stuck). */
    R giveBack(Command command, R record, Parties parties, I item);

    /** Writes the record (and any index of it); {@code previous} is its state before this step, null when opened. */
    void save(LedgerTx tx, R record, TransferState previous);

    /** The result and event of the step that left the record in its state. */
    Outcome outcome(LedgerTx tx, R record);
}
