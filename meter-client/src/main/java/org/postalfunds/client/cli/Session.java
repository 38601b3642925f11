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

    /** The meter's PSD for unsealing secure information (through the HSM bridge); refused when there is none. */
    default org.postalfunds.client.secure.RecipientPsd recipientPsd() throws BadInputException {
        throw new BadInputException("profile has no hsmBridge: unsealing secure information needs the meter's PSD");
    }

    @Override
    void close();
}
