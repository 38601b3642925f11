package org.postalfunds.client.secure;

import org.postalfunds.hsm.client.PsdBridgeClient;
import org.postalfunds.hsm.client.UnsealedItem;

/**
 * The recipient PSD's half of unsealing: opens a package sealed to its key-agreement key and returns the item. The
 * PSD's keys never leave its token, and no ECDH secret reaches the client: the bridge does ECDH in the token and
 * HKDF with AES-GCM beside it ({@link #throughBridge}). {@link Sealing#unseal} checks the addressing and the sender's
 * signature before it hands a package over.
 */
@FunctionalInterface
public interface RecipientPsd {
    SecureItem open(byte[] sealedPackage) throws Exception;

    /** The meter's token, through the HSM bridge's UnsealPackage (the bridge lets a meter use only its own keys). */
    static RecipientPsd throughBridge(final PsdBridgeClient bridge, final String meterId) {
        return sealed -> {
            final UnsealedItem item = bridge.unsealPackage(meterId, sealed);
            return new SecureItem(item.itemName(), item.contentType(), item.content());
        };
    }
}
