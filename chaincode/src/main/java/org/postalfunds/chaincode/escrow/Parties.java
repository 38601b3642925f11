package org.postalfunds.chaincode.escrow;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.postalfunds.api.model.Meter;
import org.postalfunds.chaincode.access.Caller;

/**
 * The two sides of one transfer as the table knows them. The donor is a meter acting with its registered PSD key, or,
 * for a data center download, any data center identity; the recipient is always a meter.
 *
 * @param donorId the donor meter's id, or the data center's MSP id (the ledger's consortium record) for a download
 * @param donorMeter the donor meter when loaded (funds always load it; a sealed package's workflow loads it only to
 *     hold, so that other steps do not read the sender's meter); null for the data center
 */
public record Parties(
        String donorId,
        String donorOwnerMsp,
        String donorPublicKeyFingerprint,
        boolean donorIsDataCenter,
        Meter donorMeter,
        Meter recipient) {

    /** A meter to a meter, both loaded. */
    public static Parties between(final Meter donor, final Meter recipient) {
        return new Parties(donor.meterId(), donor.ownerMsp(), donor.publicKeyFingerprint(), false, donor, recipient);
    }

    /** The calling data center identity to a meter: a download. */
    public static Parties dataCenterTo(final Caller dataCenter, final Meter recipient) {
        return new Parties(dataCenter.consortium().dataCenterMsp(), dataCenter.mspId(), dataCenter.publicKeyFingerprint(), true,
                null, recipient);
    }

    /** The table's parties the caller may act as. */
    public Set<TransferParty> of(final Caller caller) {
        final Set<TransferParty> parties = EnumSet.of(TransferParty.ANYONE);
        if (donorIsDataCenter ? caller.isDataCenter() : caller.actsAs(donorOwnerMsp, donorPublicKeyFingerprint)) {
            parties.add(TransferParty.DONOR);
        }
        if (caller.actsAs(recipient.ownerMsp(), recipient.publicKeyFingerprint())) {
            parties.add(TransferParty.RECIPIENT);
        }
        return parties;
    }

    /** Key-level policy of a transfer's record and of its escrow: the data center and both owners' peers. */
    public List<String> endorsers(final Caller caller) {
        return List.of(caller.consortium().dataCenterMsp(), donorOwnerMsp, recipient.ownerMsp());
    }
}
