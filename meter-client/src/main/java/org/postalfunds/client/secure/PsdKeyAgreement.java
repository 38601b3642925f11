package org.postalfunds.client.secure;

import java.security.PublicKey;
import org.postalfunds.hsm.client.PsdBridgeClient;

/**
 * The recipient PSD's half of the key agreement: the raw P-256 ECDH secret between its private key and a peer
 * public key, computed inside its token. The private key never leaves the token; only this secret (which is
 * put through HKDF at once) reaches the client.
 */
@FunctionalInterface
public interface PsdKeyAgreement {
    byte[] sharedSecret(PublicKey peerPublicKey) throws Exception;

    /** The meter's token, through the HSM bridge's DeriveSharedSecret (the bridge lets a meter use only its own key). */
    static PsdKeyAgreement throughBridge(final PsdBridgeClient bridge, final String meterId) {
        return peer -> bridge.deriveSharedSecret(meterId, peer);
    }
}
