package org.postalfunds.chaincode.transfer;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.hyperledger.fabric.shim.ledger.CompositeKey;
import org.hyperledger.fabric.shim.ledger.KeyValue;
import org.postalfunds.api.Amounts;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Ids;
import org.postalfunds.api.Invariants;
import org.postalfunds.api.Limits;
import org.postalfunds.api.model.Escrow;
import org.postalfunds.api.model.Meter;
import org.postalfunds.api.model.MeterStatus;
import org.postalfunds.api.model.PsdRegisters;
import org.postalfunds.api.model.Transfer;
import org.postalfunds.api.model.TransferAction;
import org.postalfunds.api.model.TransferKind;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.api.model.TransferStep;
import org.postalfunds.chaincode.access.Caller;
import org.postalfunds.chaincode.access.Organisations;
import org.postalfunds.chaincode.command.Command;
import org.postalfunds.chaincode.command.Outcome;
import org.postalfunds.chaincode.ledger.AccountClass;
import org.postalfunds.chaincode.ledger.AccountId;
import org.postalfunds.chaincode.ledger.Books;
import org.postalfunds.chaincode.meter.Meters;
import org.postalfunds.chaincode.state.Keys;
import org.postalfunds.chaincode.state.LedgerTx;
import org.postalfunds.chaincode.state.Page;

/**
 * Pull and push transfers. Each handler identifies the caller's parties, asks {@link TransferStateMachine#permit}
 * whether the step is legal, applies the meter rules of that step, then carries out the transition's escrow effect.
 *
 * <p>Funding: a transfer from D to R is funded from D's allotment for R when D keeps one, otherwise from D's meter.
 * A distributor that keeps allotments therefore grants to many recipients at once without any two grants writing
 * the same key (README, "Hot keys").
 */
public final class TransferService {

    public Outcome request(
            final Command command, final String recipientMeterId, final String donorMeterId,
            final long amountMinorUnits, final long deadlineEpochSeconds) {
        return open(command, TransferKind.PULL, TransferAction.REQUEST, donorMeterId, recipientMeterId,
                amountMinorUnits, deadlineEpochSeconds, Limits.MAX_REQUEST_WINDOW_SECONDS);
    }

    public Outcome offer(
            final Command command, final String donorMeterId, final String recipientMeterId,
            final long amountMinorUnits, final long deadlineEpochSeconds) {
        return open(command, TransferKind.PUSH, TransferAction.OFFER, donorMeterId, recipientMeterId,
                amountMinorUnits, deadlineEpochSeconds, Limits.MAX_ESCROW_WINDOW_SECONDS);
    }

    public Outcome grant(final Command command, final String transferId, final long escrowDeadlineEpochSeconds) {
        return advance(command, transferId, TransferAction.GRANT, escrowDeadlineEpochSeconds, null);
    }

    public Outcome deny(final Command command, final String transferId, final String reason) {
        return advance(command, transferId, TransferAction.DENY, 0, Ids.requireReason(reason));
    }

    public Outcome accept(final Command command, final String transferId) {
        return advance(command, transferId, TransferAction.ACCEPT, 0, null);
    }

    public Outcome cancel(final Command command, final String transferId) {
        return advance(command, transferId, TransferAction.CANCEL, 0, null);
    }

    public Outcome acknowledge(final Command command, final String transferId) {
        return advance(command, transferId, TransferAction.ACKNOWLEDGE, 0, null);
    }

    public Outcome reject(final Command command, final String transferId, final String reason) {
        return advance(command, transferId, TransferAction.REJECT, 0, Ids.requireReason(reason));
    }

    public Outcome expire(final Command command, final String transferId) {
        return advance(command, transferId, TransferAction.EXPIRE, 0, null);
    }

    private Outcome open(
            final Command command, final TransferKind kind, final TransferAction action, final String donorMeterId,
            final String recipientMeterId, final long amountMinorUnits, final long deadlineEpochSeconds,
            final long maxWindowSeconds) {
        final LedgerTx tx = command.tx();
        Ids.require(donorMeterId, "donorMeterId");
        Ids.require(recipientMeterId, "recipientMeterId");
        Amounts.requirePositive(amountMinorUnits, "transfer amount");
        requireDeadline(tx, deadlineEpochSeconds, maxWindowSeconds);
        if (donorMeterId.equals(recipientMeterId)) {
            throw ErrorCode.SELF_TRANSFER.exception("meter " + donorMeterId + " cannot transfer to itself");
        }
        final Meter donor = Meters.require(tx, donorMeterId);
        final Meter recipient = Meters.require(tx, recipientMeterId);
        final Transition transition = TransferStateMachine.permit(
                null, action, partiesOf(command.caller(), donor, recipient), false);

        final Meter actor = transition.party() == TransferParty.DONOR ? donor : recipient;
        final Meter counterpart = actor == donor ? recipient : donor;
        Meters.requireMayMoveFunds(tx, actor);
        Meters.requireActive(counterpart);
        if (amountMinorUnits > donor.limits().maxTransferMinorUnits()) {
            throw ErrorCode.LIMIT_EXCEEDED.exception("meter " + donorMeterId + " transfers at most "
                    + donor.limits().maxTransferMinorUnits() + " minor units at a time");
        }
        if (action == TransferAction.REQUEST && !tx.exists(Keys.requester(donorMeterId, recipientMeterId))) {
            throw ErrorCode.REQUESTER_NOT_AUTHORISED.exception("meter " + recipientMeterId
                    + " is not on the authorised-requester list of meter " + donorMeterId);
        }

        final String transferId = tx.txId();
        Ids.require(transferId, "transaction id");
        Invariants.check(!tx.exists(Keys.transfer(transferId)), "transfer " + transferId + " exists already");
        final long now = tx.nowEpochSeconds();
        final Transfer opened = new Transfer(transferId, kind, transition.to(), donorMeterId, recipientMeterId,
                donor.ownerMsp(), recipient.ownerMsp(), amountMinorUnits, null, deadlineEpochSeconds, now, now, null,
                List.of(new TransferStep(action, transition.to(), now, transferId)));
        final String fundingAccount = applyEffect(command, transition.effect(), opened, donor, recipient);
        final Transfer saved = withFunding(opened, fundingAccount);
        save(tx, saved, null);
        tx.requireEndorsement(Keys.transfer(transferId), partiesEndorsers(saved));
        return outcome(tx, transition, saved);
    }

    private Outcome advance(
            final Command command, final String transferId, final TransferAction action,
            final long newDeadlineEpochSeconds, final String reason) {
        final LedgerTx tx = command.tx();
        final Transfer transfer = require(tx, transferId);
        final Meter donor = Meters.require(tx, transfer.donorMeterId());
        final Meter recipient = Meters.require(tx, transfer.recipientMeterId());
        final boolean deadlinePassed = tx.nowEpochSeconds() >= transfer.deadlineEpochSeconds();
        final Transition transition = TransferStateMachine.permit(
                transfer.state(), action, partiesOf(command.caller(), donor, recipient), deadlinePassed);

        long deadline = transfer.deadlineEpochSeconds();
        if (transition.effect() == EscrowEffect.HOLD) {
            requireDeadline(tx, newDeadlineEpochSeconds, Limits.MAX_ESCROW_WINDOW_SECONDS);
            Meters.requireMayMoveFunds(tx, donor);
            deadline = newDeadlineEpochSeconds;
        }
        if (transition.effect() == EscrowEffect.DELIVER) {
            Meters.requireMayMoveFunds(tx, recipient);
        }
        final String fundingAccount = applyEffect(command, transition.effect(), transfer, donor, recipient);
        final Transfer advanced = transfer.advance(transition.action(), transition.to(), tx.nowEpochSeconds(), tx.txId(), deadline,
                fundingAccount == null ? transfer.fundingAccount() : fundingAccount,
                reason == null ? transfer.reason() : reason);
        save(tx, advanced, transfer.state());
        return outcome(tx, transition, advanced);
    }

    /** Carries out the escrow effect; returns the funding account when funds were put into escrow. */
    private String applyEffect(
            final Command command, final EscrowEffect effect, final Transfer transfer, final Meter donor,
            final Meter recipient) {
        final Books books = command.books();
        final LedgerTx tx = command.tx();
        final AccountId escrow = AccountId.escrow(transfer.transferId());
        switch (effect) {
            case NONE -> {
                return null;
            }
            case HOLD -> {
                final AccountId allotment = AccountId.allotment(donor.meterId(), recipient.meterId());
                final AccountId source = tx.exists(allotment.storageKey()) ? allotment : AccountId.meter(donor.meterId());
                books.openEscrow(new Escrow(transfer.transferId(), donor.meterId(), recipient.meterId(),
                        source.toString(), 0));
                tx.requireEndorsement(escrow.storageKey(), partiesEndorsers(transfer));
                books.move(source, escrow, transfer.amountMinorUnits());
                return source.toString();
            }
            case DELIVER -> {
                books.move(escrow, AccountId.meter(recipient.meterId()), transfer.amountMinorUnits());
                final PsdRegisters registers = Books.registers(tx, recipient.meterId());
                if (registers.descendingRegisterMinorUnits() > recipient.limits().maxBalanceMinorUnits()) {
                    throw ErrorCode.LIMIT_EXCEEDED.exception("accepting would bring meter " + recipient.meterId()
                            + " to " + registers.descendingRegisterMinorUnits() + " minor units, its limit is "
                            + recipient.limits().maxBalanceMinorUnits() + "; cancel or reject instead");
                }
                return null;
            }
            case RETURN -> {
                returnToDonor(books, transfer, donor);
                return null;
            }
            default -> throw new IllegalStateException("unknown effect " + effect);
        }
    }

    /**
     * Escrow back to where it came from. Never refused by a balance limit (nothing may get stuck); if the donor has
     * been withdrawn meanwhile, the funds continue to the data center as a late withdrawal.
     */
    private static void returnToDonor(final Books books, final Transfer transfer, final Meter donor) {
        final AccountId funding = AccountId.parse(transfer.fundingAccount());
        final long amount = transfer.amountMinorUnits();
        books.move(AccountId.escrow(transfer.transferId()), funding, amount);
        if (donor.status() == MeterStatus.WITHDRAWN) {
            if (funding.accountClass() == AccountClass.ALLOTMENT) {
                books.move(funding, AccountId.meter(donor.meterId()), amount);
            }
            books.move(AccountId.meter(donor.meterId()), AccountId.issuedFunds(donor.meterId()), amount);
        }
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

    private static Set<TransferParty> partiesOf(final Caller caller, final Meter donor, final Meter recipient) {
        final Set<TransferParty> parties = EnumSet.of(TransferParty.ANYONE);
        if (caller.actsAs(donor.ownerMsp(), donor.publicKeyFingerprint())) {
            parties.add(TransferParty.DONOR);
        }
        if (caller.actsAs(recipient.ownerMsp(), recipient.publicKeyFingerprint())) {
            parties.add(TransferParty.RECIPIENT);
        }
        return parties;
    }

    private static void requireDeadline(final LedgerTx tx, final long deadlineEpochSeconds, final long maxWindowSeconds) {
        final long now = tx.nowEpochSeconds();
        if (deadlineEpochSeconds <= now || deadlineEpochSeconds - now > maxWindowSeconds) {
            throw ErrorCode.INVALID_DEADLINE.exception("deadline must be after the transaction time " + now
                    + " and at most " + maxWindowSeconds + " seconds later, was " + deadlineEpochSeconds);
        }
    }

    /** Key-level policy for a transfer and its escrow: the data center and both owners' peers. */
    private static List<String> partiesEndorsers(final Transfer transfer) {
        return List.of(Organisations.DATA_CENTER, transfer.donorOwnerMsp(), transfer.recipientOwnerMsp());
    }

    private static Transfer withFunding(final Transfer transfer, final String fundingAccount) {
        return fundingAccount == null ? transfer : new Transfer(transfer.transferId(), transfer.kind(),
                transfer.state(), transfer.donorMeterId(), transfer.recipientMeterId(), transfer.donorOwnerMsp(),
                transfer.recipientOwnerMsp(), transfer.amountMinorUnits(), fundingAccount,
                transfer.deadlineEpochSeconds(), transfer.createdAtEpochSeconds(), transfer.updatedAtEpochSeconds(),
                transfer.reason(), transfer.steps());
    }

    /** Writes the transfer and moves its two index entries (donor's and recipient's) to the new state. */
    private static void save(final LedgerTx tx, final Transfer transfer, final TransferState previous) {
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

    private static Outcome outcome(final LedgerTx tx, final Transition transition, final Transfer transfer) {
        final Outcome outcome = Outcome.event(transition.to().eventName()).with("transfer", transfer);
        tx.read(Keys.escrow(transfer.transferId()), Escrow.class).ifPresent(escrow -> outcome.with("escrow", escrow));
        return outcome;
    }
}
