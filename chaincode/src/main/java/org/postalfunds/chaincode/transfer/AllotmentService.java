package org.postalfunds.chaincode.transfer;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.postalfunds.api.Amounts;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Ids;
import org.postalfunds.api.Limits;
import org.postalfunds.api.model.Allotment;
import org.postalfunds.api.model.Meter;
import org.postalfunds.chaincode.access.Caller;
import org.postalfunds.chaincode.command.Command;
import org.postalfunds.chaincode.command.Outcome;
import org.postalfunds.chaincode.ledger.AccountId;
import org.postalfunds.chaincode.ledger.Books;
import org.postalfunds.chaincode.meter.Meters;
import org.postalfunds.chaincode.state.Keys;
import org.postalfunds.chaincode.state.LedgerTx;

/**
 * A distributor meter's vault (Fig. 4), split into one allotment per recipient. The distributor funds an allotment
 * from its meter once; grants to that recipient then debit only the allotment, never the distributor's own PSD key,
 * so concurrent grants to different recipients do not collide (README, "Hot keys").
 */
public final class AllotmentService {

    public Outcome fund(
            final Command command, final String distributorMeterId, final String recipientMeterId,
            final long amountMinorUnits) {
        final LedgerTx tx = command.tx();
        Amounts.requirePositive(amountMinorUnits, "allotment amount");
        final Meter distributor = Meters.require(tx, distributorMeterId);
        final Meter recipient = Meters.require(tx, recipientMeterId);
        Meters.requireActsAs(command.caller(), distributor, "fundAllotment");
        Meters.requireMayMoveFunds(tx, distributor);
        Meters.requireNotWithdrawn(recipient);
        if (!tx.exists(Keys.requester(distributorMeterId, recipientMeterId))) {
            throw ErrorCode.REQUESTER_NOT_AUTHORISED.exception("meter " + recipientMeterId
                    + " is not on the authorised-requester list of " + distributorMeterId + "; authorise it first");
        }
        final AccountId allotment = AccountId.allotment(distributorMeterId, recipientMeterId);
        if (!tx.exists(allotment.storageKey())) {
            if (tx.list(Keys.ACCOUNT, Limits.MAX_ALLOTMENTS_PER_DISTRIBUTOR, "ALLOTMENT", distributorMeterId).size()
                    >= Limits.MAX_ALLOTMENTS_PER_DISTRIBUTOR) {
                throw ErrorCode.LIMIT_EXCEEDED.exception("meter " + distributorMeterId + " already keeps "
                        + Limits.MAX_ALLOTMENTS_PER_DISTRIBUTOR + " allotments");
            }
            command.books().openAllotment(Allotment.empty(distributorMeterId, recipientMeterId));
            tx.requireEndorsement(allotment.storageKey(), List.of(command.caller().consortium().dataCenterMsp(), distributor.ownerMsp()));
        }
        command.books().move(AccountId.meter(distributorMeterId), allotment, amountMinorUnits);
        return Outcome.event("AllotmentFunded").with("allotment", read(tx, allotment))
                .with("registers", Books.registers(tx, distributorMeterId));
    }

    public Outcome release(
            final Command command, final String distributorMeterId, final String recipientMeterId,
            final long amountMinorUnits) {
        final LedgerTx tx = command.tx();
        Amounts.requirePositive(amountMinorUnits, "release amount");
        Ids.require(recipientMeterId, "recipientMeterId");
        final Meter distributor = Meters.require(tx, distributorMeterId);
        Meters.requireActsAs(command.caller(), distributor, "releaseAllotment");
        Meters.requireNotWithdrawn(distributor);
        final AccountId allotment = AccountId.allotment(distributorMeterId, recipientMeterId);
        read(tx, allotment);
        command.books().move(allotment, AccountId.meter(distributorMeterId), amountMinorUnits);
        // The release is a credit like an accept: it reaches the distributor's inflow, not its registers, and the
        // answer carries what the transaction knows.
        return Outcome.event("AllotmentReleased").with("allotment", read(tx, allotment))
                .with("inflow", Books.inflow(tx, distributorMeterId).orElseThrow());
    }

    public Map<String, Object> view(
            final LedgerTx tx, final Caller caller, final String distributorMeterId, final String recipientMeterId) {
        final Meter distributor = Meters.require(tx, distributorMeterId);
        Ids.require(recipientMeterId, "recipientMeterId");
        final boolean recipientOwner = tx.read(Keys.meter(recipientMeterId), Meter.class)
                .map(recipient -> recipient.ownerMsp().equals(caller.mspId())).orElse(false);
        if (!recipientOwner) {
            Meters.requireCanRead(caller, distributor);
        }
        final Map<String, Object> view = new TreeMap<>();
        view.put("allotment", read(tx, AccountId.allotment(distributorMeterId, recipientMeterId)));
        return view;
    }

    private static Allotment read(final LedgerTx tx, final AccountId allotment) {
        return tx.read(allotment.storageKey(), Allotment.class)
                .orElseThrow(() -> ErrorCode.UNKNOWN_ALLOTMENT.exception(
                        "meter " + allotment.owner() + " keeps no allotment for " + allotment.recipient()));
    }
}
