package org.postalfunds.api.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Ids;
import org.postalfunds.api.Limits;

/**
 * Who is who on the channel, as the ledger knows it: the MSP id of the data center (registers and refills meters),
 * of the postal authority (audits, scans indicia), and of every organisation that may own meters. Stored once
 * under {@code config~consortium}, written at deploy time from the network description and grown when an owner
 * organisation joins; the contract and its clients read the MSP ids from here, never from constants.
 *
 * @param meterOwnerMsps sorted, without duplicates (the stored JSON is deterministic)
 */
public record Consortium(String dataCenterMsp, String postalAuthorityMsp, List<String> meterOwnerMsps) {

    public Consortium {
        meterOwnerMsps = meterOwnerMsps == null ? null : List.copyOf(new TreeSet<>(meterOwnerMsps));
    }

    /**
     * This record if it is a consortium the ledger accepts: well-formed MSP ids, at least one meter owner, at most
     * {@link Limits#MAX_METER_OWNER_ORGANISATIONS}, and no organisation in two roles (a data center owning meters
     * would endorse its own meters' transfers alone). Refused with INVALID_ARGUMENT otherwise.
     */
    public Consortium validated() {
        requireMsp(dataCenterMsp, "dataCenterMsp");
        requireMsp(postalAuthorityMsp, "postalAuthorityMsp");
        if (meterOwnerMsps == null || meterOwnerMsps.isEmpty()) {
            throw ErrorCode.INVALID_ARGUMENT.exception("meterOwnerMsps must name at least one organisation");
        }
        if (meterOwnerMsps.size() > Limits.MAX_METER_OWNER_ORGANISATIONS) {
            throw ErrorCode.LIMIT_EXCEEDED.exception("a consortium has at most " + Limits.MAX_METER_OWNER_ORGANISATIONS
                    + " meter owner organisations, was " + meterOwnerMsps.size());
        }
        meterOwnerMsps.forEach(msp -> requireMsp(msp, "meterOwnerMsps"));
        final Set<String> roles = new TreeSet<>();
        for (final String msp : members()) {
            if (!roles.add(msp)) {
                throw ErrorCode.INVALID_ARGUMENT.exception(msp + " is named in two roles; each organisation has one");
            }
        }
        return this;
    }

    /** Every member: the data center, the postal authority, then the meter owners. */
    public List<String> members() {
        final List<String> members = new ArrayList<>();
        members.add(dataCenterMsp);
        members.add(postalAuthorityMsp);
        members.addAll(meterOwnerMsps);
        return List.copyOf(members);
    }

    public boolean isMember(final String mspId) {
        return dataCenterMsp.equals(mspId) || postalAuthorityMsp.equals(mspId) || meterOwnerMsps.contains(mspId);
    }

    public boolean mayOwnMeters(final String mspId) {
        return meterOwnerMsps.contains(mspId);
    }

    /** This consortium with one more meter owner organisation. */
    public Consortium withMeterOwner(final String mspId) {
        final List<String> owners = new ArrayList<>(meterOwnerMsps);
        owners.add(mspId);
        return new Consortium(dataCenterMsp, postalAuthorityMsp, owners);
    }

    private static void requireMsp(final String mspId, final String what) {
        if (!Ids.isMspId(mspId)) {
            throw ErrorCode.INVALID_ARGUMENT.exception(what + " must be an MSP id (" + Ids.MSP_ID_REGEX + "), was "
                    + (mspId == null ? "null" : "\"" + mspId + "\""));
        }
    }
}
