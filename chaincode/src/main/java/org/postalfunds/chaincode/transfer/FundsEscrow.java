package org.postalfunds.chaincode.transfer;

import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.model.Escrow;
import org.postalfunds.api.model.Meter;
import org.postalfunds.api.model.MeterStatus;
import org.postalfunds.api.model.Transfer;
import org.postalfunds.api.model.TransferAction;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.api.model.TransferStep;
import org.postalfunds.chaincode.command.Command;
import org.postalfunds.chaincode.command.Outcome;
import org.postalfunds.chaincode.escrow.EscrowKind;
import org.postalfunds.chaincode.escrow.EscrowedItem.Funds;
import org.postalfunds.chaincode.escrow.Parties;
import org.postalfunds.chaincode.escrow.TransferParty;
import org.postalfunds.chaincode.ledger.AccountClass;
import org.postalfunds.chaincode.ledger.AccountId;
import org.postalfunds.chaincode.ledger.Books;
import org.postalfunds.chaincode.meter.Meters;
import org.postalfunds.chaincode.state.Keys;
import org.postalfunds.chaincode.state.LedgerTx;

/**
 * Funds as the escrowed item: records at {@code transfer~{id}} with a per-meter index by state, escrow on the
 * transfer's own {@code ESCROW} account, every move double entry through {@link Books}.
 *
 * <p>Funding: a transfer from D to R is funded from D's allotment for R when D keeps one, otherwise from D's meter.
 * A distributor that keeps allotments therefore grants to many recipients at once without any two grants writing
 * the same key (README, "Hot keys").
 */
final class FundsEscrow implements EscrowKind<Transfer, Funds> {

    @Override
    public String recordKey(final String transferId) {
        return Keys.transfer(transferId);
    }

    @Override
    public Transfer require(final LedgerTx tx, final String transferId) {
        return TransferService.require(tx, transferId);
    }

    @Override
    public Parties parties(final LedgerTx tx, final Transfer transfer) {
        return Parties.between(Meters.require(tx, transfer.donorMeterId()), Meters.require(tx, transfer.recipientMeterId()));
    }

    @Override
    public Funds itemOf(final Transfer transfer) {
        return new Funds(transfer.amountMinorUnits());
    }

    @Override
    public Transfer advanced(final Transfer transfer, final TransferStep step, final long deadlineEpochSeconds,
            final String reason) {
        return transfer.advance(step.action(), step.state(), step.atEpochSeconds(), step.txId(), deadlineEpochSeconds,
                transfer.fundingAccount(), reason);
    }

    /** Active and not inspection-overdue: what a meter must be to send or receive funds. */
    @Override
    public void requireMayHandle(final LedgerTx tx, final Meter meter) {
        Meters.requireMayMoveFunds(tx, meter);
    }

    @Override
    public void requireMayOpen(final LedgerTx tx, final TransferAction action, final Parties parties, final Funds funds) {
        final Meter donor = parties.donorMeter();
        if (funds.amountMinorUnits() > donor.limits().maxTransferMinorUnits()) {
            throw ErrorCode.LIMIT_EXCEEDED.exception("meter " + donor.meterId() + " transfers at most "
                    + donor.limits().maxTransferMinorUnits() + " minor units at a time");
        }
        if (action == TransferAction.REQUEST && !tx.exists(Keys.requester(donor.meterId(), parties.recipient().meterId()))) {
            throw ErrorCode.REQUESTER_NOT_AUTHORISED.exception("meter " + parties.recipient().meterId()
                    + " is not on the authorised-requester list of meter " + donor.meterId());
        }
    }

    @Override
    public Transfer hold(final Command command, final Transfer transfer, final Parties parties, final Funds funds) {
        final LedgerTx tx = command.tx();
        final String donorId = parties.donorId();
        final String recipientId = parties.recipient().meterId();
        final AccountId allotment = AccountId.allotment(donorId, recipientId);
        final AccountId source = tx.exists(allotment.storageKey()) ? allotment : AccountId.meter(donorId);
        command.books().openEscrow(new Escrow(transfer.transferId(), donorId, recipientId, source.toString(), 0));
        tx.requireEndorsement(AccountId.escrow(transfer.transferId()).storageKey(), parties.endorsers(command.caller()));
        command.books().move(source, AccountId.escrow(transfer.transferId()), funds.amountMinorUnits());
        return withFunding(transfer, source.toString());
    }

    @Override
    public Transfer deliver(final Command command, final Transfer transfer, final Parties parties, final Funds funds) {
        final Meter recipient = parties.recipient();
        command.books().move(AccountId.escrow(transfer.transferId()), AccountId.meter(recipient.meterId()),
                funds.amountMinorUnits());
        // The credit went to the recipient's inflow; its ceiling answers the limit without reading the registers
        // (which the recipient's own grants write), and only a ceiling over the limit costs the exact balance.
        final var over = command.books().balanceAbove(recipient.meterId(), recipient.limits().maxBalanceMinorUnits());
        if (over.isPresent()) {
            throw ErrorCode.LIMIT_EXCEEDED.exception("accepting would bring meter " + recipient.meterId()
                    + " to " + over.getAsLong() + " minor units, its limit is "
                    + recipient.limits().maxBalanceMinorUnits() + "; cancel or reject instead");
        }
        return transfer;
    }

    /**
     * Escrow back to where it came from. Never refused by a balance limit (nothing may get stuck); if the donor has
     * been withdrawn meanwhile, the funds continue to the data center as a late withdrawal.
     */
    @Override
    public Transfer giveBack(final Command command, final Transfer transfer, final Parties parties, final Funds funds) {
        final Books books = command.books();
        final Meter donor = parties.donorMeter();
        final AccountId funding = AccountId.parse(transfer.fundingAccount());
        final long amount = funds.amountMinorUnits();
        books.move(AccountId.escrow(transfer.transferId()), funding, amount);
        if (donor.status() == MeterStatus.WITHDRAWN) {
            if (funding.accountClass() == AccountClass.ALLOTMENT) {
                books.move(funding, AccountId.meter(donor.meterId()), amount);
            }
            books.move(AccountId.meter(donor.meterId()), AccountId.issuedFunds(donor.meterId()), amount);
        }
        return transfer;
    }

    /** Writes the transfer and moves its two index entries (donor's and recipient's) to the new state. */
    @Override
    public void save(final LedgerTx tx, final Transfer transfer, final TransferState previous) {
        if (previous != null) {
            tx.delete(Keys.transferByMeter(transfer.donorMeterId(), previous.name(), transfer.transferId()));
            tx.delete(Keys.transferByMeter(transfer.recipientMeterId(), previous.name(), transfer.transferId()));
        }
        tx.write(Keys.transfer(transfer.transferId()), transfer);
        tx.write(Keys.transferByMeter(transfer.donorMeterId(), transfer.state().name(), transfer.transferId()),
                new TransferIndexEntry(TransferParty.DONOR));
        tx.write(Keys.transferByMeter(transfer.recipientMeterId(), transfer.state().name(), transfer.transferId()),
                new TransferIndexEntry(TransferParty.RECIPIENT));
    }

    /** {@code Transfer<State>} with the transfer, and its escrow while one is held. */
    @Override
    public Outcome outcome(final LedgerTx tx, final Transfer transfer) {
        final Outcome outcome = Outcome.event(transfer.state().eventName()).with("transfer", transfer);
        tx.read(Keys.escrow(transfer.transferId()), Escrow.class).ifPresent(escrow -> outcome.with("escrow", escrow));
        return outcome;
    }

    private static Transfer withFunding(final Transfer transfer, final String fundingAccount) {
        return new Transfer(transfer.transferId(), transfer.kind(), transfer.state(), transfer.donorMeterId(),
                transfer.recipientMeterId(), transfer.donorOwnerMsp(), transfer.recipientOwnerMsp(),
                transfer.amountMinorUnits(), fundingAccount, transfer.deadlineEpochSeconds(),
                transfer.createdAtEpochSeconds(), transfer.updatedAtEpochSeconds(), transfer.reason(), transfer.steps());
    }
}
