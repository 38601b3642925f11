package org.postalfunds.client.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
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
import org.postalfunds.testnetwork.ClientIdentities.ClientIdentity;
import org.postalfunds.testnetwork.NetworkScripts;
import org.postalfunds.testnetwork.containers.ContainerConsortium;

/**
 * The consortium in containers (podman through Testcontainers), started from the per-org bundles: each org's CA,
 * the orderer, four peers and the chaincode service, one container each with its own address on one container
 * network. A pull transfer crosses three orgs' containers (DataCenter registers and refills, MailerA's meter grants,
 * MailerB's meter requests and accepts, PostalAuthority reads and audits); MailerB's peer cut off the network
 * (podman network disconnect) misses a block and catches up once healed; afterwards nothing of the run is left.
 */
@Tag("containers")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsortiumInContainersTest {
    private static ContainerConsortium consortium;
    private static RealPeers peers;
    private static OptionalLong podmanService = OptionalLong.empty();
    private static String prefix;

    @BeforeAll
    static void start() {
        final Path root = NetworkScripts.forThisProject().projectRoot();
        final Path state = Path.of(System.getProperty("postal.containers.state", root.resolve(".containers/run").toString()));
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
}
