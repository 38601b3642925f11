package org.postalfunds.chaincode.transfer;


import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.hyperledger.fabric.shim.ledger.CompositeKey;
import org.hyperledger.fabric.shim.ledger.KeyValue;
import org.postalfunds.api.Amounts;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Ids;
import org.postalfunds.api.model.Escrow;
import org.postalfunds.api.model.Meter;
import org.postalfunds.api.model.Transfer;
import org.postalfunds.api.model.TransferAction;
import org.postalfunds.api.model.TransferKind;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.chaincode.access.Caller;
import org.postalfunds.chaincode.command.Command;
import org.postalfunds.chaincode.command.Outcome;
import org.postalfunds.chaincode.escrow.EscrowWorkflow;
import org.postalfunds.chaincode.escrow.EscrowedItem.Funds;
import org.postalfunds.chaincode.escrow.Opening;
import org.postalfunds.chaincode.meter.Meters;
import org.postalfunds.chaincode.state.Keys;
import org.postalfunds.chaincode.state.LedgerTx;
import org.postalfunds.chaincode.state.Page;

/**
 * Pull and push transfers of funds: checks the opening's own arguments and builds the funds item; every step is the
 * one {@link EscrowWorkflow}'s, and {@link FundsEscrow} moves the funds.
 */
public final class TransferService {
    private final EscrowWorkflow<Transfer, Funds> workflow = new EscrowWorkflow<>(new FundsEscrow());

    public Outcome request(
            final Command command, final String recipientMeterId, final String donorMeterId,
            final long amountMinorUnits, final long deadlineEpochSeconds) {
        return open(command, TransferKind.PULL, TransferAction.REQUEST, donorMeterId, recipientMeterId,
                amountMinorUnits, deadlineEpochSeconds);
    }

    public Outcome offer(
            final Command command, final String donorMeterId, final String recipientMeterId,
            final long amountMinorUnits, final long deadlineEpochSeconds) {
        return open(command, TransferKind.PUSH, TransferAction.OFFER, donorMeterId, recipientMeterId,
                amountMinorUnits, deadlineEpochSeconds);
    }

    /** The steps after opening: grant, deny, accept, cancel, acknowledge, reject, expire. */
    public EscrowWorkflow<Transfer, Funds> steps() {
        return workflow;
    }

    /** A funds transfer's id is the id of the transaction that opens it. */
    private Outcome open(
            final Command command, final TransferKind kind, final TransferAction action, final String donorMeterId,
            final String recipientMeterId, final long amountMinorUnits, final long deadlineEpochSeconds) {
        Ids.require(donorMeterId, "donorMeterId");
        Ids.require(recipientMeterId, "recipientMeterId");
        Amounts.requirePositive(amountMinorUnits, "transfer amount");
        final String transferId = command.tx().txId();
        Ids.require(transferId, "transaction id");
        return workflow.open(command, new Opening<>(transferId, action, donorMeterId, false, recipientMeterId,
                deadlineEpochSeconds, new Funds(amountMinorUnits),
                (parties, first) -> new Transfer(transferId, kind, first.state(), donorMeterId, recipientMeterId,
                        parties.donorOwnerMsp(), parties.recipient().ownerMsp(), amountMinorUnits, null,
                        deadlineEpochSeconds, first.atEpochSeconds(), first.atEpochSeconds(), null, List.of(first))));
    }

    public Map<String, Object> view(final LedgerTx tx, final Caller caller, final String transferId) {
        final Transfer transfer = require(tx, transferId);
        requireCanRead(caller, transfer);
        final Map<String, Object> view = new TreeMap<>();
        view.put("transfer", transfer);
        tx.read(Keys.escrow(transferId), Escrow.class).ifPresent(escrow -> view.put("escrow", escrow));
        return view;
    }

    /** A meter's transfers in one state, a page at a time. */
    public Map<String, Object> list(
            final LedgerTx tx, final Caller caller, final String meterId, final String state, final int pageSize,
            final String bookmark) {
        final Meter meter = Meters.require(tx, meterId);
        Meters.requireCanRead(caller, meter);
        final TransferState wanted = parseState(state);
        final Page page = Page.of(tx, pageSize, bookmark, Keys.TRANSFER_BY_METER, meterId, wanted.name());
        final List<Transfer> transfers = new ArrayList<>();
        for (final KeyValue entry : page.entries()) {
            final String transferId = CompositeKey.parseCompositeKey(entry.getKey()).getAttributes().get(2);
            transfers.add(require(tx, transferId));
        }
        final Map<String, Object> view = new TreeMap<>();
        view.put("transfers", transfers);
        view.put("bookmark", page.bookmark());
        return view;
    }

    public static Transfer require(final LedgerTx tx, final String transferId) {
        Ids.require(transferId, "transferId");
        return tx.read(Keys.transfer(transferId), Transfer.class)
                .orElseThrow(() -> ErrorCode.UNKNOWN_TRANSFER.exception("no transfer " + transferId));
    }

    public static void requireCanRead(final Caller caller, final Transfer transfer) {
        if (!caller.mspId().equals(transfer.donorOwnerMsp()) && !caller.mspId().equals(transfer.recipientOwnerMsp())
                && !caller.isDataCenter() && !caller.isPostalAuthority()) {
            throw ErrorCode.NOT_AUTHORISED.exception("transfer " + transfer.transferId()
                    + " is visible to its parties' owners, the data center and the postal authority only");
        }
    }

    private static TransferState parseState(final String state) {
        try {
            return TransferState.valueOf(state);
        } catch (IllegalArgumentException | NullPointerException unknown) {
            throw ErrorCode.INVALID_ARGUMENT.exception("state must be one of "
                    + java.util.Arrays.toString(TransferState.values()) + ", was " + state);
        }
    }
}
