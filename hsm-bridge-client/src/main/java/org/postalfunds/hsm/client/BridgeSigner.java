package org.postalfunds.hsm.client;

import java.security.GeneralSecurityException;
import java.security.SignatureException;
import java.util.Objects;
import org.hyperledger.fabric.client.identity.Signer;
import org.postalfunds.hsm.MeterIds;

/**
 * A Fabric Gateway {@link Signer} backed by the meter's key in the PSD token: the Gateway hands it the
 * SHA-256 digest of each proposal or transaction, the bridge signs it inside the token and returns DER
 * with low S, which is exactly what Fabric peers accept.
 *
 * <pre>{@code
 * Gateway gateway = Gateway.newInstance()
 *         .identity(MeterIdentities.fromBridge(bridge, "Org1MSP", "meter-0001"))
 *         .signer(new BridgeSigner(bridge, "meter-0001"))
 *         .connection(grpcChannelToPeer)
 *         .connect();
 * }</pre>
 */
public final class BridgeSigner implements Signer {
    private final PsdBridgeClient bridge;
    private final String meterId;

    public BridgeSigner(final PsdBridgeClient bridge, final String meterId) {
        this.bridge = Objects.requireNonNull(bridge, "bridge");
        this.meterId = MeterIds.requireValid(meterId);
    }

    public String meterId() {
        return meterId;
    }

    /**
     * @throws SignatureException when the bridge refuses (its {@link BridgeException} is the cause)
     */
    @Override
    public byte[] sign(final byte[] digest) throws GeneralSecurityException {
        try {
            return bridge.signDigest(meterId, digest);
        } catch (BridgeException e) {
            throw new SignatureException(e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "BridgeSigner[meter=" + meterId + "]";
    }
}
