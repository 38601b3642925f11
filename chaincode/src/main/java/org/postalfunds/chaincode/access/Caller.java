package org.postalfunds.chaincode.access;

import java.security.cert.X509Certificate;
import org.hyperledger.fabric.contract.ClientIdentity;
import org.hyperledger.fabric.contract.Context;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.model.Consortium;
import org.postalfunds.chaincode.state.Keys;
import org.postalfunds.chaincode.state.LedgerTx;

/**
 * Who submitted the transaction: the MSP that issued the certificate, the fingerprint of the certificate's public
 * key, and the consortium as the ledger records it (which MSP is the data center, the postal authority, an owner).
 * A caller acts as a meter when both match the meter's registration (see {@link #actsAs}).
 *
 * @param consortium null only before the ledger's consortium record is written; {@link #consortium()} refuses then
 */
public record Caller(String mspId, String publicKeyFingerprint, Consortium consortium) {

    /**
     * The caller of this transaction, with the consortium record read in the same transaction (so in its read set).
     * A caller whose key is a failed PSD's revoked key is refused here, before any handler runs, so no entry point can
     * forget it: METER_KEY_REVOKED. The revocation's key is in this read set too, so a call endorsed before the
     * revocation and committed after it is invalidated (MVCC), never applied.
     */
    public static Caller of(final Context ctx, final LedgerTx tx) {
        final ClientIdentity identity = ctx.getClientIdentity();
        if (identity == null || identity.getX509Certificate() == null) {
            throw ErrorCode.NOT_AUTHORISED.exception("the transaction carries no X.509 client identity");
        }
        final X509Certificate certificate = identity.getX509Certificate();
        final String fingerprint = PublicKeys.fingerprint(certificate.getPublicKey());
        tx.read(Keys.revokedKey(fingerprint), RevokedKey.class).ifPresent(revoked -> {
            throw ErrorCode.METER_KEY_REVOKED.exception("the caller's key is meter " + revoked.meterId()
                    + "'s PSD key, revoked at " + revoked.revokedAtEpochSeconds() + " (" + revoked.reason()
                    + "): the ledger refuses every call signed with it");
        });
        return new Caller(identity.getMSPID(), fingerprint,
                tx.read(Keys.consortiumConfig(), Consortium.class).orElse(null));
    }

    /** The ledger's consortium; every function but initConsortium needs one. */
    @Override
    public Consortium consortium() {
        if (consortium == null) {
            throw ErrorCode.CONSORTIUM_NOT_INITIALISED.exception(
                    "the ledger has no consortium record yet: the data center writes it with initConsortium at deployment");
        }
        return consortium;
    }

    public boolean isDataCenter() {
        return consortium().dataCenterMsp().equals(mspId);
    }

    public boolean isPostalAuthority() {
        return consortium().postalAuthorityMsp().equals(mspId);
    }

    public boolean isMember() {
        return consortium().isMember(mspId);
    }

    /** True when this caller is the meter itself: the owner's MSP and the meter's registered PSD key. */
    public boolean actsAs(final String ownerMsp, final String registeredFingerprint) {
        return mspId.equals(ownerMsp) && publicKeyFingerprint.equals(registeredFingerprint);
    }

    public void requireDataCenter(final String function) {
        if (!isDataCenter()) {
            throw ErrorCode.NOT_AUTHORISED.exception(
                    function + " is for " + consortium().dataCenterMsp() + " only, caller is " + mspId);
        }
    }

    /** Ledger-wide audit queries: the postal authority, and the data center for its own reconciliation. */
    public void requireAuditor(final String function) {
        if (!isPostalAuthority() && !isDataCenter()) {
            throw ErrorCode.NOT_AUTHORISED.exception(function + " is for " + consortium().postalAuthorityMsp()
                    + " and " + consortium().dataCenterMsp() + " only, caller is " + mspId);
        }
    }

    public void requirePostalAuthority(final String function) {
        if (!isPostalAuthority()) {
            throw ErrorCode.NOT_AUTHORISED.exception(
                    function + " is for " + consortium().postalAuthorityMsp() + " only, caller is " + mspId);
        }
    }

    public void requireMember(final String function) {
        if (!isMember()) {
            throw ErrorCode.NOT_AUTHORISED.exception(function + " is for members of the consortium only, caller is " + mspId);
        }
    }
}
