package org.postalfunds.client.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hyperledger.fabric.client.identity.Signers;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.ledger.FailureKind;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.ledger.RetryPolicy;
import org.postalfunds.hsm.client.PsdBridgeClient;
import org.postalfunds.hsm.enrol.EnrolledMeter;
import org.postalfunds.hsm.testing.BridgeFixture;
import org.postalfunds.hsm.testing.TestPki;
import org.postalfunds.testnetwork.ClientIdentities.ClientIdentity;
import org.postalfunds.testnetwork.NetworkScripts;
import org.postalfunds.testnetwork.containers.ContainerConsortium;

/**
 * The consortium in containers (podman through Testcontainers), started from the per-org bundles: each org's CA,
 * the orderer, four peers and the chaincode service, one container each with its own address on one container
 * network. A pull transfer crosses three orgs' containers (DataCenter registers and refills, MailerA's meter grants,
 * MailerB's meter requests and accepts, PostalAuthority reads and audits); MailerB's peer cut off the network
 * (podman network disconnect) misses a block and catches up once healed; MailerC joins the running channel (config
 * update signed by the members' admins, its peer joined, the next chaincode definition committed, admitted as a meter
 * owner) and transfers with MailerA; the DataCenter's peer cut off stops every submission until healed, then the
 * ledger converges; a MailerA meter signs through the HSM bridge in its own container (a SoftHSM2 token made
 * inside it); afterwards nothing of the run is left.
 */
@Tag("containers")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsortiumInContainersTest {
    private static ContainerConsortium consortium;
    private static RealPeers peers;
    /** The fixture on the description after MailerC joined (it has MailerC's CA and peer). */
    private static RealPeers joined;
    private static OptionalLong podmanService = OptionalLong.empty();
    private static String prefix;
    private static Path state;

    @BeforeAll
    static void start() {
        final Path root = NetworkScripts.forThisProject().projectRoot();
        state = Path.of(System.getProperty("postal.containers.state", root.resolve(".containers/run").toString()));
        final long started = System.nanoTime();
        consortium = ContainerConsortium.start(root, state, 1);
        System.err.printf("[containers] bring-up %.1f s, phases (ms) %s%n", (System.nanoTime() - started) / 1e9,
                consortium.timings());
        prefix = consortium.prefix();
        podmanService = consortium.podmanServicePid();
        peers = new RealPeers(consortium.description());
    }

    @AfterAll
    static void nothing_of_the_run_is_left_behind() {
        if (peers != null) {
            peers.close();
        }
        if (joined != null) {
            joined.close();
        }
        if (consortium == null) {
            return;
        }
        consortium.close();
        assertThat(consortium.leftovers()).as("containers, network and volumes of %s", prefix).isEmpty();
        podmanService.ifPresent(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
                .as("the podman service started for the run").isEmpty());
    }

    @Test
    @Order(2)
    void a_mailer_org_cut_off_falls_behind_and_once_healed_catches_up_and_completes_its_transfer() throws Exception {
        final ClientIdentity donorMeter = peers.registeredMeter("MailerA", "cut-A", 10_000);
        final ClientIdentity recipientMeter = peers.registeredMeter("MailerB", "cut-B", 0);
        final MeterClient donor = peers.meter("MailerA", donorMeter);
        final String transferId;
        consortium.disconnect("peer0-MailerB");
        try {
            // MailerB's peer is unreachable: an offer writes only the donor's and the escrow's keys (DataCenter and
            // MailerA endorse), so it commits while MailerB's peer misses the block.
            transferId = donor.offer(RequestId.random(), recipientMeter.name(), 1_000,
                    Instant.now().plus(1, ChronoUnit.HOURS)).transfer().transferId();
            assertThat(consortium.height("peer0-MailerB")).isLessThan(consortium.height("peer0-MailerA"));
        } finally {
            consortium.reconnect("peer0-MailerB");
        }
        // Healed: MailerB's peer pulls the missed blocks from the orderer, then its meter acknowledges (MailerB's
        // peer must endorse the write to its own account) through the DataCenter's gateway.
        final long target = consortium.height("peer0-MailerA");
        final long giveUp = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (consortium.height("peer0-MailerB") < target && System.nanoTime() < giveUp) {
            Thread.sleep(500);
        }
        assertThat(consortium.height("peer0-MailerB")).as("MailerB's peer after the heal").isGreaterThanOrEqualTo(target);
        final MeterClient recipient = peers.meter("DataCenter", recipientMeter);
        assertThat(recipient.acknowledge(RequestId.random(), transferId).transfer().state())
                .isEqualTo(TransferState.ACKNOWLEDGED);
        assertThat(peers.auditor().meter(donorMeter.name()).registers().availableMinorUnits()).isEqualTo(9_000);
        assertThat(peers.auditor().meter(recipientMeter.name()).registers().availableMinorUnits()).isEqualTo(1_000);
        peers.auditPasses();
        final long height = consortium.height("peer0-DataCenter");
        for (String org : new String[] {"MailerA", "MailerB", "PostalAuthority"}) {
            final long giveUpPeer = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (consortium.height("peer0-" + org) < height && System.nanoTime() < giveUpPeer) {
                Thread.sleep(250);
            }
            assertThat(consortium.height("peer0-" + org)).as("height on %s's peer", org).isGreaterThanOrEqualTo(height);
        }
    }

    @Test
    @Order(1)
    void a_pull_transfer_crosses_three_orgs_containers_and_the_postal_authority_audits_it() throws Exception {
        final ClientIdentity donorMeter = peers.registeredMeter("MailerA", "ct-A", 10_000);
        final ClientIdentity recipientMeter = peers.registeredMeter("MailerB", "ct-B", 0);
        final MeterClient donor = peers.meter("MailerA", donorMeter);
        final MeterClient recipient = peers.meter("MailerB", recipientMeter);
        donor.authoriseRequester(RequestId.random(), recipientMeter.name());

        final String transferId = recipient.request(RequestId.random(), donorMeter.name(), 2_500,
                Instant.now().plus(1, ChronoUnit.HOURS)).transfer().transferId();
        assertThat(donor.grant(RequestId.random(), transferId, Instant.now().plus(1, ChronoUnit.HOURS)).transfer().state())
                .isEqualTo(TransferState.GRANTED);
        assertThat(recipient.accept(RequestId.random(), transferId).transfer().state()).isEqualTo(TransferState.ACCEPTED);

        // Read back through a fourth org's peer container: the gateway there sees the committed blocks.
        assertThat(peers.auditor().meter(donorMeter.name()).registers().availableMinorUnits()).isEqualTo(7_500);
        assertThat(peers.auditor().meter(recipientMeter.name()).registers().availableMinorUnits()).isEqualTo(2_500);
        assertThat(peers.auditor().transfer(transferId).transfer().state()).isEqualTo(TransferState.ACCEPTED);
        peers.auditPasses();

        final Map<String, Long> rss = consortium.residentKilobytes();
        System.err.println("[containers] RSS (kB) per container's main process: " + rss);
        assertThat(rss).allSatisfy((node, kb) -> assertThat(kb).as(node).isPositive());
        assertThat(Files.isRegularFile(consortium.description().organisation("MailerA").admin().certificate())).isTrue();
    }

    @Test
    @Order(3)
    void a_mailer_org_joins_the_running_channel_and_settles_a_pull_transfer_with_another() throws Exception {
        final long started = System.nanoTime();
        joined = new RealPeers(consortium.join("MailerC"));
        System.err.printf("[containers] MailerC joined in %.1f s, phases (ms) %s%n", (System.nanoTime() - started) / 1e9,
                consortium.timings());
        assertThat(consortium.peerOrganisations()).endsWith("MailerC");
        // On the channel is not yet in the consortium: the data center admits it, every member's peer endorsing.
        assertThat(joined.dataCenter().admitMeterOwner(RequestId.random(), "MailerCMSP").consortium().meterOwnerMsps())
                .contains("MailerAMSP", "MailerBMSP", "MailerCMSP");

        final ClientIdentity donorMeter = joined.registeredMeter("MailerA", "join-A", 10_000);
        final ClientIdentity recipientMeter = joined.registeredMeter("MailerC", "join-C", 0);
        assertThat(recipientMeter.mspId()).isEqualTo("MailerCMSP");
        final MeterClient donor = joined.meter("MailerA", donorMeter);
        // MailerC's meter through MailerC's own peer: its gateway finds the other orgs' peers for the endorsements.
        final MeterClient recipient = joined.meter("MailerC", recipientMeter);
        donor.authoriseRequester(RequestId.random(), recipientMeter.name());
        final String transferId = recipient.request(RequestId.random(), donorMeter.name(), 3_000,
                Instant.now().plus(1, ChronoUnit.HOURS)).transfer().transferId();
        assertThat(donor.grant(RequestId.random(), transferId, Instant.now().plus(1, ChronoUnit.HOURS)).transfer().state())
                .isEqualTo(TransferState.GRANTED);
        assertThat(recipient.accept(RequestId.random(), transferId).transfer().state()).isEqualTo(TransferState.ACCEPTED);

        assertThat(joined.auditor().meter(donorMeter.name()).registers().availableMinorUnits()).isEqualTo(7_000);
        assertThat(joined.auditor().meter(recipientMeter.name()).registers().availableMinorUnits()).isEqualTo(3_000);
        joined.auditPasses();
        converged();
    }

    @Test
    @Order(4)
    void the_data_center_cut_off_stops_every_submission_and_once_healed_the_transfers_in_flight_complete() throws Exception {
        final RealPeers p = joined != null ? joined : peers;
        final ClientIdentity donorMeter = p.registeredMeter("MailerA", "dc-A", 10_000);
        final ClientIdentity recipientMeter = p.registeredMeter("MailerB", "dc-B", 0);
        final MeterClient donor = p.meter("MailerA", donorMeter);
        // In flight across the cut: offered before it, acknowledged after the heal.
        final String offeredBefore = donor.offer(RequestId.random(), recipientMeter.name(), 1_000,
                Instant.now().plus(1, ChronoUnit.HOURS)).transfer().transferId();
        // One attempt, so the refusal is seen as it is (the default policy would wait out the outage).
        final MeterClient impatient = MeterClient.builder().ledger(p.connect("MailerA", donorMeter, RetryPolicy.NONE))
                .meterId(donorMeter.name()).psdSigner(Signers.newPrivateKeySigner(RealPeers.privateKey(donorMeter)))
                .clock(Clock.systemUTC()).build();
        final RequestId duringCut = RequestId.random();
        final long heightBefore = consortium.height("peer0-DataCenter");
        consortium.disconnect("peer0-DataCenter");
        try {
            // Every write needs the data center's endorsement: nothing can commit without its peer.
            assertThatThrownBy(() -> impatient.offer(duringCut, recipientMeter.name(), 500, Instant.now().plus(1, ChronoUnit.HOURS)))
                    .isInstanceOfSatisfying(LedgerException.class, e -> {
                        System.err.println("[containers] an offer with the DataCenter's peer cut off: " + e.kind() + ": " + e.getMessage());
                        // The gateway names the endorser that did not answer; nothing was endorsed, so nothing ordered.
                        assertThat(e.kind()).isEqualTo(FailureKind.ENDORSERS_UNAVAILABLE);
                        assertThat(e.getMessage()).contains("not endorsed or ordered", "DataCenterMSP");
                    });
            assertThat(consortium.height("peer0-DataCenter")).isEqualTo(heightBefore);
        } finally {
            consortium.reconnect("peer0-DataCenter");
        }
        // Healed: the offer that failed goes through with the same request id (once), the one in flight is acknowledged.
        final String offeredAfter = donor.offer(duringCut, recipientMeter.name(), 500, Instant.now().plus(1, ChronoUnit.HOURS))
                .transfer().transferId();
        final MeterClient recipient = p.meter("MailerA", recipientMeter);
        for (String transferId : List.of(offeredBefore, offeredAfter)) {
            assertThat(recipient.acknowledge(RequestId.random(), transferId).transfer().state()).isEqualTo(TransferState.ACKNOWLEDGED);
        }
        assertThat(p.auditor().meter(donorMeter.name()).registers().availableMinorUnits()).isEqualTo(8_500);
        assertThat(p.auditor().meter(recipientMeter.name()).registers().availableMinorUnits()).isEqualTo(1_500);
        p.auditPasses();
        converged();
    }

    @Test
    @Order(5)
    void a_meter_signs_through_the_hsm_bridge_in_its_own_container_on_a_softhsm2_token() throws Exception {
        final RealPeers p = joined != null ? joined : peers;
        // The bridge's TLS (server, operator and meter client certificates) from the dev TLS authority of hsm-bridge's
        // tests; the token's PINs only in the container's environment, new for each run.
        final Path folder = Files.createDirectories(state.resolve("hsm-bridge-MailerA"));
        final TestPki pki = new TestPki(folder);
        pki.writeServerFiles();
        Files.writeString(folder.resolve("bridge.properties"), String.join("\n",
                "bridge.host=0.0.0.0", "bridge.port=" + ContainerConsortium.HSM_BRIDGE_PORT,
                "tls.certificateFile=/bridge/bridge.pem", "tls.privateKeyFile=/bridge/bridge-key.pem", "tls.clientCaFile=/bridge/ca.pem",
                "token.library=/usr/lib/softhsm/libsofthsm2.so", "token.label=psd-MailerA", "token.pinEnvironmentVariable=PSD_TOKEN_PIN",
                "access.operatorCommonNames=" + BridgeFixture.OPERATOR_CN, "audit.file=/bridge/audit.log", ""));
        final int port = consortium.startHsmBridge("MailerA", folder, Map.of("PSD_TOKEN_LABEL", "psd-MailerA",
                "PSD_TOKEN_SO_PIN", RequestId.random().value(), "PSD_TOKEN_PIN", RequestId.random().value()));
        final TestPki.ClientCredentials operatorTls = pki.client(BridgeFixture.OPERATOR_CN, "operator");
        try (PsdBridgeClient operator = PsdBridgeClient.newBuilder().target("127.0.0.1", port)
                .trustedCertificates(List.of(pki.caCertificate()))
                .clientCertificate(operatorTls.certificate(), operatorTls.privateKey()).build()) {
            final EnrolledMeter bridged = p.bridgedMeter("MailerA", "hsm-A", 5_000, operator);
            final TestPki.ClientCredentials meterTls = pki.client(bridged.meterId(), "client");
            try (PsdBridgeClient meterBridge = PsdBridgeClient.newBuilder().target("127.0.0.1", port)
                    .trustedCertificates(List.of(pki.caCertificate()))
                    .clientCertificate(meterTls.certificate(), meterTls.privateKey()).build()) {
                final MeterClient donor = p.bridgedMeter("MailerA", bridged, meterBridge);
                final ClientIdentity recipientMeter = p.registeredMeter("MailerB", "hsm-B", 0);
                final String transferId = donor.offer(RequestId.random(), recipientMeter.name(), 700,
                        Instant.now().plus(1, ChronoUnit.HOURS)).transfer().transferId();
                assertThat(p.meter("MailerA", recipientMeter).acknowledge(RequestId.random(), transferId).transfer().state())
                        .isEqualTo(TransferState.ACKNOWLEDGED);
                assertThat(p.auditor().meter(bridged.meterId()).registers().availableMinorUnits()).isEqualTo(4_300);
                // The token signed it: the bridge's audit trail names the meter's signatures.
                assertThat(Files.readString(folder.resolve("audit.log"))).contains("meter=" + bridged.meterId());
                System.err.println("[containers] RSS (kB) of the HSM bridge's container: "
                        + consortium.residentKilobytes().get("hsm-bridge-MailerA"));
            }
        }
        p.auditPasses();
    }

    /** Every peer of the channel reaches the same height with the same last block. */
    private static void converged() throws InterruptedException {
        final long giveUp = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Map<String, ContainerConsortium.ChainInfo> seen = Map.of();
        while (System.nanoTime() < giveUp) {
            final Map<String, ContainerConsortium.ChainInfo> now = new java.util.LinkedHashMap<>();
            for (String org : consortium.peerOrganisations()) {
                now.put(org, consortium.chainInfo("peer0-" + org));
            }
            seen = now;
            if (new HashSet<>(now.values()).size() == 1) {
                return;
            }
            Thread.sleep(500);
        }
        assertThat(Set.copyOf(seen.values())).as("height and last block on every peer: %s", seen).hasSize(1);
    }
}
