package org.postalfunds.client.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.model.TransferState;
import org.postalfunds.testnetwork.ClientIdentities.ClientIdentity;
import org.postalfunds.testnetwork.NetworkScripts;
import org.postalfunds.testnetwork.containers.ContainerConsortium;

/**
 * The consortium in containers (podman through Testcontainers), started from the per-org bundles: each org's CA,
 * the orderer, four peers and the chaincode service, one container each with its own address on one container
 * network. A pull transfer crosses three orgs' containers (DataCenter registers and refills, MailerA's meter grants,
 * MailerB's meter requests and accepts, PostalAuthority reads and audits); afterwards nothing of the run is left.
 */
@Tag("containers")
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
