package org.postalfunds.client.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.hyperledger.fabric.client.identity.Identities;
import org.hyperledger.fabric.client.identity.Signers;
import org.hyperledger.fabric.client.identity.X509Identity;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.model.IndiciumVerdict;
import org.postalfunds.api.model.MeterLimits;
import org.postalfunds.api.model.MeterRegistration;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.client.AuditorClient;
import org.postalfunds.client.DataCenterClient;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.audit.AuditReport;
import org.postalfunds.client.audit.IndiciumCheck;
import org.postalfunds.client.ledger.LedgerConnection;
import org.postalfunds.client.model.Postage;
import org.postalfunds.client.model.PrintedPostage;
import org.postalfunds.client.model.TransferChange;
import org.postalfunds.testnetwork.ClientIdentities.ClientIdentity;
import org.postalfunds.testnetwork.ClientIdentities;
import org.postalfunds.testnetwork.NetworkDescription;
import org.postalfunds.testnetwork.PostalNetwork;

/**
 * The consortium on real Fabric peers: each peer organisation submits through its own peer's gateway, and the
 * postal authority reads the committed result through its peer. Identities come from each org's Fabric CA.
 */
@PostalNetwork
class ConsortiumOnRealPeersTest {
    private static final MeterLimits LIMITS = new MeterLimits(1_000_000, 10_000, 500_000);
    private static final List<LedgerConnection> CONNECTIONS = new ArrayList<>();

    private final NetworkDescription network;
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    ConsortiumOnRealPeersTest(final NetworkDescription network) {
        this.network = network;
    }

    @AfterAll
    static void close() {
        CONNECTIONS.forEach(LedgerConnection::close);
    }

    @Test
    void each_peer_org_submits_through_its_own_gateway_and_the_postal_authority_reads_the_result() throws Exception {
        final ClientIdentity operator = ClientIdentities.enrol(network, "DataCenter", "operator-" + run);
        final ClientIdentity meterA = ClientIdentities.enrol(network, "MailerA", "meter-A-" + run);
        final ClientIdentity meterB = ClientIdentities.enrol(network, "MailerB", "meter-B-" + run);
        final ClientIdentity auditor = ClientIdentities.enrol(network, "PostalAuthority", "auditor-" + run);
        final String a = meterA.name();
        final String b = meterB.name();

        // DataCenter, through the DataCenter peer: registers both meters with their CA-issued certificates, refills A.
        final DataCenterClient dataCenter = DataCenterClient.of(connect("DataCenter", operator));
        for (ClientIdentity meter : List.of(meterA, meterB)) {
            dataCenter.register(RequestId.random(), MeterRegistration.builder().meterId(meter.name())
                    .ownerMsp(meter.mspId()).certificate(certificate(meter)).model("PM-2000").limits(LIMITS).build());
        }
        dataCenter.refill(RequestId.random(), a, 10_000);

        // MailerA, through the MailerA peer: meter A offers 30.00 to meter B (escrow; endorsed by DataCenter and MailerA).
        final MeterClient donor = meter("MailerA", meterA);
        final TransferChange offer = donor.offer(RequestId.random(), b, 3_000, Instant.now().plus(1, ChronoUnit.DAYS));
        assertThat(offer.transfer().state()).isEqualTo(TransferState.OFFERED);

        // MailerB, through the MailerB peer: meter B acknowledges; the escrow pays it.
        final MeterClient recipient = meter("MailerB", meterB);
        final TransferChange acknowledged = recipient.acknowledge(RequestId.random(), offer.transfer().transferId());
        assertThat(acknowledged.transfer().state()).isEqualTo(TransferState.ACKNOWLEDGED);

        // Meter A prints a piece; PostalAuthority, through its own peer, records a sighting of it (a submit of its
        // own), then reads every committed result back.
        final PrintedPostage printed = donor.printPostage(RequestId.random(), new Postage(85, "10115", "DE", "LETTER-STD"));
        final AuditorClient postalAuthority = AuditorClient.of(connect("PostalAuthority", auditor));
        final IndiciumCheck scanned = postalAuthority.scanIndicium(RequestId.random(), printed.record().indicium());
        assertThat(scanned.scanReceipt()).isPresent();
        assertThat(scanned.verdict()).isEqualTo(IndiciumVerdict.GENUINE);
        assertThat(postalAuthority.meter(a).registers().availableMinorUnits()).isEqualTo(7_000 - 85);
        assertThat(postalAuthority.meter(b).registers().availableMinorUnits()).isEqualTo(3_000);
        assertThat(postalAuthority.meter(a).registers().controlSumHolds()).isTrue();
        assertThat(postalAuthority.transfer(offer.transfer().transferId()).transfer().state())
                .isEqualTo(acknowledged.transfer().state());
        final AuditReport audit = postalAuthority.audit(progress -> { });
        assertThat(audit.passed()).as("conservation audit on the real ledger: %s", audit.checks()).isTrue();
    }

    private LedgerConnection connect(final String organisation, final ClientIdentity identity)
            throws IOException, GeneralSecurityException {
        final NetworkDescription.Organisation org = network.organisation(organisation);
        final NetworkDescription.Peer peer = org.requirePeer();
        final LedgerConnection connection = LedgerConnection.builder()
                .peerEndpoint(peer.endpoint()).serverName(peer.serverName()).tlsRootCertificate(org.tlsRootCertificate())
                .channel(network.channel()).chaincode(network.chaincodeName())
                .identity(new X509Identity(identity.mspId(), certificate(identity)))
                .signer(Signers.newPrivateKeySigner(privateKey(identity.privateKey())))
                .connect();
        CONNECTIONS.add(connection);
        return connection;
    }

    private MeterClient meter(final String organisation, final ClientIdentity meter) throws IOException, GeneralSecurityException {
        return MeterClient.builder().ledger(connect(organisation, meter)).meterId(meter.name())
                .psdSigner(Signers.newPrivateKeySigner(privateKey(meter.privateKey()))).clock(Clock.systemUTC()).build();
    }

    private static X509Certificate certificate(final ClientIdentity identity) throws IOException {
        try (Reader reader = Files.newBufferedReader(identity.certificate())) {
            return Identities.readX509Certificate(reader);
        } catch (java.security.cert.CertificateException e) {
            throw new IOException(e);
        }
    }

    private static java.security.PrivateKey privateKey(final Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file)) {
            return Identities.readPrivateKey(reader);
        } catch (java.security.InvalidKeyException e) {
            throw new IOException(e);
        }
    }
}
