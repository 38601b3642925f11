package org.postalfunds.client.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.time.Clock;
import org.hyperledger.fabric.client.identity.Signer;
import org.postalfunds.client.ledger.Ledger;
import org.postalfunds.client.ledger.LedgerConnection;

/** Opens sessions through the organisation's peer gateway over TLS (the real network). */
public final class GatewayConnector implements Connector {
    @Override
    public Session open(final Profile profile) throws BadInputException, IOException, GeneralSecurityException {
        if (!Files.isReadable(profile.tlsRootCertificate())) {
            throw new BadInputException("cannot read the peer's TLS root certificate " + profile.tlsRootCertificate());
        }
        Credentials credentials = Credentials.open(profile);
        LedgerConnection connection;
        try {
            LedgerConnection.Builder builder = LedgerConnection.builder().peerEndpoint(profile.peerEndpoint())
                    .tlsRootCertificate(profile.tlsRootCertificate()).identity(credentials.identity())
                    .signer(credentials.signer()).channel(profile.channel()).chaincode(profile.chaincode());
            if (profile.serverName() != null) {
                builder.serverName(profile.serverName());
            }
            connection = builder.connect();
        } catch (RuntimeException e) {
            credentials.close();
            throw e;
        }
        return new Session() {
            @Override
            public Profile profile() {
                return profile;
            }

            @Override
            public Ledger ledger() {
                return connection;
            }

            @Override
            public Signer signer() {
                return credentials.signer();
            }

            @Override
            public org.postalfunds.client.secure.RecipientPsd recipientPsd() throws BadInputException {
                String meterId = profile.meter().orElseThrow(() -> new BadInputException("profile names no meter"));
                return credentials.recipientPsd(meterId).orElseThrow(() -> new BadInputException(
                        "profile has no hsmBridge: unsealing secure information needs the meter's PSD"));
            }

            @Override
            public Clock clock() {
                return Clock.systemUTC(); // the Gateway stamps proposals with this machine's clock
            }

            @Override
            public void close() {
                connection.close();
                credentials.close();
            }
        };
    }
}
