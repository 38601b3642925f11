package org.postalfunds.chaincode.consortium;

import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Ids;
import org.postalfunds.api.Limits;
import org.postalfunds.api.model.Consortium;
import org.postalfunds.chaincode.access.Caller;
import org.postalfunds.chaincode.command.Command;
import org.postalfunds.chaincode.command.Outcome;
import org.postalfunds.chaincode.state.Keys;
import org.postalfunds.chaincode.state.LedgerTx;
import org.postalfunds.chaincode.support.Json;

/**
 * The consortium record: written once at deployment by the data center it names, then grown one meter owner
 * organisation at a time. Its key carries a key-level policy of every member, so admitting an organisation needs
 * the endorsement of every organisation already in (as the channel configuration update that let it join did).
 */
public final class ConsortiumService {
    public static final String CONSORTIUM_CHANGED = "ConsortiumChanged";

    /**
     * The first write. The caller must be the data center the record names (a mailer cannot name itself the data
     * center); the same record again changes nothing, so deployment may repeat it; another record is refused.
     */
    public Outcome init(final Command command, final String consortiumJson) {
        final Consortium consortium = Json.argument(consortiumJson, Consortium.class, "consortium").validated();
        final Caller caller = command.caller();
        if (!consortium.dataCenterMsp().equals(caller.mspId())) {
            throw ErrorCode.NOT_AUTHORISED.exception("initConsortium is for the data center the record names ("
                    + consortium.dataCenterMsp() + "), caller is " + caller.mspId());
        }
        final LedgerTx tx = command.tx();
        final var existing = tx.read(Keys.consortiumConfig(), Consortium.class);
        if (existing.isPresent()) {
            if (!existing.get().equals(consortium)) {
                throw ErrorCode.CONSORTIUM_ALREADY_INITIALISED.exception("the ledger's consortium is "
                        + Json.text(existing.get()) + "; it is written once, then grown with admitMeterOwner");
            }
            return Outcome.event(CONSORTIUM_CHANGED).with("consortium", consortium).with("changed", false);
        }
        write(tx, consortium);
        return Outcome.event(CONSORTIUM_CHANGED).with("consortium", consortium).with("changed", true);
    }

    /** The data center admits a new meter owner organisation, endorsed by every current member. */
    public Outcome admitMeterOwner(final Command command, final String mspId) {
        command.caller().requireDataCenter("admitMeterOwner");
        if (!Ids.isMspId(mspId)) {
            throw ErrorCode.INVALID_ARGUMENT.exception("mspId must be an MSP id (" + Ids.MSP_ID_REGEX + ")");
        }
        final Consortium before = command.caller().consortium();
        if (before.isMember(mspId)) {
            throw ErrorCode.ORGANISATION_ALREADY_MEMBER.exception(mspId + " is already a member of the consortium");
        }
        if (before.meterOwnerMsps().size() >= Limits.MAX_METER_OWNER_ORGANISATIONS) {
            throw ErrorCode.LIMIT_EXCEEDED.exception("a consortium has at most "
                    + Limits.MAX_METER_OWNER_ORGANISATIONS + " meter owner organisations");
        }
        final Consortium after = before.withMeterOwner(mspId).validated();
        write(command.tx(), after);
        return Outcome.event(CONSORTIUM_CHANGED).with("consortium", after).with("previous", before)
                .with("changed", true);
    }

    private static void write(final LedgerTx tx, final Consortium consortium) {
        tx.write(Keys.consortiumConfig(), consortium);
        tx.requireEndorsement(Keys.consortiumConfig(), consortium.members());
    }
}
