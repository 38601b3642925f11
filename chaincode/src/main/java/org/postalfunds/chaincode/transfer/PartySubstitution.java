package org.postalfunds.chaincode.transfer;

import org.postalfunds.api.Invariants;
import org.postalfunds.api.model.Escrow;
import org.postalfunds.api.model.Transfer;
import org.postalfunds.chaincode.escrow.TransferParty;
import org.postalfunds.chaincode.ledger.AccountClass;
import org.postalfunds.chaincode.ledger.AccountId;
import org.postalfunds.chaincode.state.Keys;
import org.postalfunds.chaincode.state.LedgerTx;

/**
 * A replacement's change to one open transfer: the failed meter's side becomes the replacement's, in the transfer
 * record, its escrow and the per-meter index, so that every later step (grant, accept, acknowledge, cancel, reject,
 * expire) acts on the replacement. Funds that would return to the failed meter, or to one of its allotments, return
 * to the replacement's meter account. No balance changes here: the escrow keeps what it holds. Both meters have the
 * same owner, so the record's and the escrow's key-level policies (data center and both owners) stay right.
 */
public final class PartySubstitution {
    private PartySubstitution() {}

    public static Transfer substitute(final LedgerTx tx, final Transfer transfer, final String failedMeterId,
            final String replacementMeterId) {
        final boolean donor = transfer.donorMeterId().equals(failedMeterId);
        final boolean recipient = transfer.recipientMeterId().equals(failedMeterId);
        Invariants.check(donor != recipient, "transfer " + transfer.transferId() + " has meter " + failedMeterId
                + " on " + (donor ? "both sides" : "neither side"));
        Invariants.check(transfer.state().isOpen(), "transfer " + transfer.transferId() + " is not open");
        final String fundingAccount = donor ? funding(transfer.fundingAccount(), failedMeterId, replacementMeterId)
                : transfer.fundingAccount();
        final Transfer moved = new Transfer(transfer.transferId(), transfer.kind(), transfer.state(),
                donor ? replacementMeterId : transfer.donorMeterId(),
                recipient ? replacementMeterId : transfer.recipientMeterId(), transfer.donorOwnerMsp(),
                transfer.recipientOwnerMsp(), transfer.amountMinorUnits(), fundingAccount,
                transfer.deadlineEpochSeconds(), transfer.createdAtEpochSeconds(), transfer.updatedAtEpochSeconds(),
                transfer.reason(), transfer.steps());
        tx.write(Keys.transfer(transfer.transferId()), moved);
        tx.delete(Keys.transferByMeter(failedMeterId, transfer.state().name(), transfer.transferId()));
        tx.write(Keys.transferByMeter(replacementMeterId, transfer.state().name(), transfer.transferId()),
                new TransferIndexEntry(donor ? TransferParty.DONOR : TransferParty.RECIPIENT));
        tx.read(Keys.escrow(transfer.transferId()), Escrow.class).ifPresent(escrow -> tx.write(
                Keys.escrow(transfer.transferId()), new Escrow(escrow.transferId(), moved.donorMeterId(),
                        moved.recipientMeterId(), donor ? funding(escrow.fundingAccount(), failedMeterId,
                                replacementMeterId) : escrow.fundingAccount(), escrow.heldMinorUnits())));
        return moved;
    }

    /** The failed meter's own account or one of its allotments: the replacement's meter account instead. */
    private static String funding(final String account, final String failedMeterId, final String replacementMeterId) {
        if (account == null) {
            return null;
        }
        final AccountId id = AccountId.parse(account);
        final boolean failedMeters = (id.accountClass() == AccountClass.METER
                || id.accountClass() == AccountClass.ALLOTMENT) && id.owner().equals(failedMeterId);
        return failedMeters ? AccountId.meter(replacementMeterId).toString() : account;
    }
}
