package org.postalfunds.client.cli;

import java.time.Clock;
import org.hyperledger.fabric.client.identity.Signer;
import org.postalfunds.client.ledger.Ledger;

/**
 * An open connection as one identity: the ledger, the identity's signer (for a meter: its PSD key
 * through the bridge, which also signs indicia), and the clock the transaction timestamps come from.
 */
public interface Session extends AutoCloseable {
    Profile profile();

    Ledger ledger();

    Signer signer();

    Clock clock();

    @Override
    void close();
}
