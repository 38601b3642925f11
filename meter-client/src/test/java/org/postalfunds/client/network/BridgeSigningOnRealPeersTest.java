package org.postalfunds.client.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import org.hyperledger.fabric.client.identity.X509Identity;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.ledger.FailureKind;
import org.postalfunds.client.ledger.LedgerConnection;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.ledger.RetryPolicy;
import org.postalfunds.client.model.Postage;
import org.postalfunds.client.model.PrintedPostage;
import org.postalfunds.client.model.TransferChange;
import org.postalfunds.hsm.client.BridgeException;
import org.postalfunds.hsm.client.MeterIdentities;
import org.postalfunds.hsm.client.PsdBridgeClient;
import org.postalfunds.hsm.crypto.Pem;
import org.postalfunds.testnetwork.NetworkDescription;
import org.postalfunds.testnetwork.PostalNetwork;

/**
 * Every proposal and transaction signed in a real SoftHSM2 token behind the bridge (mutual TLS), by meters enrolled at
 * their owner's Fabric CA with a CSR signed in that token: the real peers accept them; a meter acting for another
 * meter is refused by the contract; a client presenting another meter's certificate is refused by the peer (its
 * signature does not match the certificate); the bridge will not sign with another meter's key.
 */
@PostalNetwork
@Tag("softhsm")
class BridgeSigningOnRealPeersTest {
    private static RealCli cli;
    private static RealCli.Meter meterA;
    private static RealCli.Meter meterB;
    private static PsdBridgeClient bridgeA;
    private static PsdBridgeClient bridgeB;

    @BeforeAll
    static void meters(final NetworkDescription network) throws Exception {
        cli = new RealCli(network, "bridge-signing");
        meterA = cli.meter("MailerA", "bs-A", "100.00");
        meterB = cli.meter("MailerB", "bs-B", null);
        bridgeA = cli.bridge.meter(meterA.id());
        bridgeB = cli.bridge.meter(meterB.id());
    }

    @AfterAll
    static void close() throws Exception {
        if (bridgeA != null) {
            bridgeA.close();
            bridgeB.close();
        }
        if (cli != null) {
            cli.close();
        }
    }

    @Test
    void proposals_transactions_and_indicia_signed_in_the_token_are_accepted_by_the_real_peers() throws Exception {
        final MeterClient a = bridged(meterA, bridgeA, meterA.id(), connection(meterA, bridgeA, meterA.id()));
        final MeterClient b = bridged(meterB, bridgeB, meterB.id(), connection(meterB, bridgeB, meterB.id()));
        // The certificate the Gateway presents is the one the owner's Fabric CA issued for the token's key.
        assertThat(MeterIdentities.fromBridge(bridgeA, meterA.mspId(), meterA.id()).getCertificate())
                .isEqualTo(Pem.readCertificates(meterA.certificate()).get(0));

        final PrintedPostage printed = a.printPostage(RequestId.random(), new Postage(85, "10115", "DE", "LETTER-STD"));
        final TransferChange offered = a.offer(RequestId.random(), meterB.id(), 2_500, Instant.now().plus(1, ChronoUnit.HOURS));
        final TransferChange acknowledged = b.acknowledge(RequestId.random(), offered.transfer().transferId());

        assertThat(printed.registers().descendingRegisterMinorUnits()).isEqualTo(10_000 - 85);
        assertThat(acknowledged.transfer().state()).isEqualTo(TransferState.ACKNOWLEDGED);
        // Read back through another organisation's peer: the committed state, and the PSD-signed indicium verifies.
        assertThat(cli.auditor().meter(meterA.id()).registers().descendingRegisterMinorUnits()).isEqualTo(10_000 - 85 - 2_500);
        assertThat(cli.auditor().meter(meterB.id()).registers().descendingRegisterMinorUnits()).isEqualTo(2_500);
        assertThat(cli.auditor().transfer(offered.transfer().transferId()).transfer().state())
                .isEqualTo(TransferState.ACKNOWLEDGED);
        assertThat(cli.bridge.auditLines()).anyMatch(line -> line.contains("meter=" + meterA.id()) && line.contains("outcome=OK"));
    }

    @Test
    void a_meter_acting_for_another_meter_is_refused_by_the_contract() throws Exception {
        // Meter A's own certificate and token key, asking to act as meter B: the signature is valid, the caller is not B.
        final MeterClient impostor = bridged(meterA, bridgeA, meterB.id(), connection(meterA, bridgeA, meterA.id()));

        final LedgerException refused = catchThrowableOfType(LedgerException.class,
                () -> impostor.offer(RequestId.random(), meterA.id(), 100, Instant.now().plus(1, ChronoUnit.HOURS)));

        assertThat(refused).isNotNull();
        assertThat(refused.kind()).isEqualTo(FailureKind.REFUSED);
        assertThat(refused.errorCode()).hasValue(ErrorCode.NOT_AUTHORISED);
        assertThat(cli.auditor().meter(meterB.id()).registers().transferredOutMinorUnits()).isZero();
    }

    @Test
    void a_client_presenting_another_meters_certificate_is_refused_by_the_peer() throws Exception {
        // Meter B's certificate with meter A's token signature: the peer checks the creator signature first.
        final LedgerConnection forged = LedgerConnection.builder()
                .peerEndpoint(cli.network.organisation("MailerB").requirePeer().endpoint())
                .serverName(cli.network.organisation("MailerB").requirePeer().serverName())
                .tlsRootCertificate(cli.network.organisation("MailerB").tlsRootCertificate())
                .channel(cli.network.channel()).chaincode(cli.network.chaincodeName())
                .identity(new X509Identity(meterB.mspId(), Pem.readCertificates(meterB.certificate()).get(0)))
                .signer(bridgeA.signer(meterA.id())).retryPolicy(RetryPolicy.NONE).connect();
        try {
            final MeterClient impostor = bridged(meterB, bridgeA, meterB.id(), forged);
            final LedgerException refused = catchThrowableOfType(LedgerException.class,
                    () -> impostor.offer(RequestId.random(), meterA.id(), 100, Instant.now().plus(1, ChronoUnit.HOURS)));

            assertThat(refused).as("a proposal signed by another key than the certificate's").isNotNull();
            assertThat(refused.errorCode()).isEmpty();
        } finally {
            forged.close();
        }
        assertThat(cli.auditor().meter(meterB.id()).registers().transferredOutMinorUnits()).isZero();
    }

    @Test
    void the_bridge_refuses_to_sign_with_another_meters_key() throws Exception {
        final BridgeException refused = catchThrowableOfType(BridgeException.class,
                () -> bridgeA.signDigest(meterB.id(), HexFormat.of().parseHex("00".repeat(32))));

        assertThat(refused).isNotNull();
        assertThat(refused.code()).isEqualTo(io.grpc.Status.Code.PERMISSION_DENIED);
        assertThat(cli.bridge.auditLines())
                .anyMatch(line -> line.contains("meter=" + meterB.id()) && line.contains("PERMISSION_DENIED"));
    }

    /** A connection through the meter's owner's peer, its identity and every signature from {@code bridge}. */
    private static LedgerConnection connection(final RealCli.Meter meter, final PsdBridgeClient bridge,
            final String signingMeter) throws Exception {
        final NetworkDescription.Organisation org = cli.network.organisation(meter.organisation());
        return cli.track(LedgerConnection.builder().peerEndpoint(org.requirePeer().endpoint())
                .serverName(org.requirePeer().serverName()).tlsRootCertificate(org.tlsRootCertificate())
                .channel(cli.network.channel()).chaincode(cli.network.chaincodeName())
                .identity(MeterIdentities.fromBridge(bridge, meter.mspId(), signingMeter))
                .signer(bridge.signer(signingMeter)).connect());
    }

    private static MeterClient bridged(final RealCli.Meter meter, final PsdBridgeClient bridge, final String meterId,
            final LedgerConnection ledger) {
        return MeterClient.builder().ledger(ledger).meterId(meterId).psdSigner(bridge.signer(meter.id()))
                .clock(Clock.systemUTC()).build();
    }
}
