package org.postalfunds.chaincode.access;

import java.security.cert.X509Certificate;
import org.hyperledger.fabric.contract.ClientIdentity;
import org.hyperledger.fabric.contract.Context;
import org.postalfunds.api.ErrorCode;

/**
 * Who submitted the transaction: the MSP that issued the certificate, and the fingerprint of the certificate's
 * public key. A caller acts as a meter when both match the meter's registration (see {@link #actsAs}).
 */
public record Caller(String mspId, String publicKeyFingerprint) {

    public static Caller of(final Context ctx) {
        final ClientIdentity identity = ctx.getClientIdentity();
        if (identity == null || identity.getX509Certificate() == null) {
            throw ErrorCode.NOT_AUTHORISED.exception("the transaction carries no X.509 client identity");
        }
        final X509Certificate certificate = identity.getX509Certificate();
        return new Caller(identity.getMSPID(), PublicKeys.fingerprint(certificate.getPublicKey()));
    }

    public boolean isDataCenter() {
        return Organisations.DATA_CENTER.equals(mspId);
    }

    public boolean isPostalAuthority() {
        return Organisations.POSTAL_AUTHORITY.equals(mspId);
    }

    /** True when this caller is the meter itself: the owner's MSP and the meter's registered PSD key. */
    public boolean actsAs(final String ownerMsp, final String registeredFingerprint) {
        return mspId.equals(ownerMsp) && publicKeyFingerprint.equals(registeredFingerprint);
    }

    public void requireDataCenter(final String function) {
        if (!isDataCenter()) {
            throw ErrorCode.NOT_AUTHORISED.exception(
                    function + " is for " + Organisations.DATA_CENTER + " only, caller is " + mspId);
        }
    }

    /** Ledger-wide audit queries: the postal authority, and the data center for its own reconciliation. */
    public void requireAuditor(final String function) {
        if (!isPostalAuthority() && !isDataCenter()) {
            throw ErrorCode.NOT_AUTHORISED.exception(function + " is for " + Organisations.POSTAL_AUTHORITY
                    + " and " + Organisations.DATA_CENTER + " only, caller is " + mspId);
        }
    }

    public void requirePostalAuthority(final String function) {
        if (!isPostalAuthority()) {
            throw ErrorCode.NOT_AUTHORISED.exception(
                    function + " is for " + Organisations.POSTAL_AUTHORITY + " only, caller is " + mspId);
        }
    }
}
