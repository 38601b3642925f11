package org.postalfunds.client.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.RequestId;
import org.postalfunds.testnetwork.ClientIdentities.ClientIdentity;
import org.postalfunds.testnetwork.NetworkScripts;
import org.postalfunds.testnetwork.containers.ContainerConsortium;

/**
 * Three Raft orderers in containers: the leader is cut off the network (podman network disconnect) while a meter keeps
 * offering; the other two elect a new leader and the offers go on; healed, the old leader catches up to the others'
 * height; every offer is acknowledged, the audit passes and every peer holds the same chain. Three orderers make the
 * bring-up longer, so this runs only with {@code -Dcontainers.raft=true} (the default run has
 * {@link ConsortiumInContainersTest}).
 */
@Tag("containers")
@EnabledIfSystemProperty(named = "containers.raft", matches = "true")
class RaftLeaderPartitionInContainersTest {
    private static ContainerConsortium consortium;
    private static RealPeers peers;

    @BeforeAll
    static void start() {
        final Path root = NetworkScripts.forThisProject().projectRoot();
        final Path state = Path.of(System.getProperty("postal.containers.state", root.resolve(".containers/run").toString()) + "-raft");
        final long started = System.nanoTime();
        consortium = ContainerConsortium.start(root, state, 3);
        System.err.printf("[containers] bring-up with 3 orderers %.1f s, phases (ms) %s%n", (System.nanoTime() - started) / 1e9,
                consortium.timings());
        peers = new RealPeers(consortium.description());
    }

    @AfterAll
    static void nothing_of_the_run_is_left_behind() {
        if (peers != null) {
            peers.close();
        }
        if (consortium != null) {
            consortium.close();
            assertThat(consortium.leftovers()).isEmpty();
        }
    }

    @Test
    void the_raft_leader_cut_off_during_transfers_is_replaced_the_transfers_go_on_and_once_healed_it_catches_up() throws Exception {
        final ClientIdentity donorMeter = peers.registeredMeter("MailerA", "raft-A", 10_000);
        final ClientIdentity recipientMeter = peers.registeredMeter("MailerB", "raft-B", 0);
        final MeterClient donor = peers.meter("MailerA", donorMeter);
        await("a Raft leader", Duration.ofSeconds(60), () -> consortium.raftLeader().isPresent());
        final String leader = consortium.raftLeader().orElseThrow();

        // Offers one after another for the whole test, each with the default retries (an election is an outage).
        final List<String> offered = new CopyOnWriteArrayList<>();
        final List<Throwable> failures = new CopyOnWriteArrayList<>();
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread offers = new Thread(() -> {
            while (!stop.get()) {
                try {
                    offered.add(donor.offer(RequestId.random(), recipientMeter.name(), 100,
                            Instant.now().plus(1, ChronoUnit.HOURS)).transfer().transferId());
                } catch (Exception e) {
                    failures.add(e);
                    return;
                }
            }
        }, "offers");
        offers.start();
        final String newLeader;
        try {
            await("two offers before the cut", Duration.ofSeconds(60), () -> offered.size() >= 2);
            consortium.disconnect(leader);
            final long cutAt = System.nanoTime();
            try {
                await("a new leader among the other two", Duration.ofSeconds(90),
                        () -> consortium.raftLeader().filter(l -> !l.equals(leader)).isPresent());
                System.err.printf("[containers] Raft leader %s cut off; %s elected after %.1f s%n", leader,
                        consortium.raftLeader().orElse("?"), (System.nanoTime() - cutAt) / 1e9);
                final int atElection = offered.size();
                await("three offers with the new leader", Duration.ofSeconds(90), () -> offered.size() >= atElection + 3);
            } finally {
                consortium.reconnect(leader);
            }
            newLeader = consortium.raftLeader().orElseThrow();
        } finally {
            stop.set(true);
            offers.join(Duration.ofSeconds(120).toMillis());
        }
        assertThat(failures).as("offers during the cut").isEmpty();
        System.err.printf("[containers] %d offers committed across the cut and the election%n", offered.size());

        // Healed: the old leader gets the blocks it missed from the others.
        await("the old leader caught up", Duration.ofSeconds(120),
                () -> consortium.ordererHeight(leader) >= consortium.ordererHeight(newLeader));
        final MeterClient recipient = peers.meter("MailerB", recipientMeter);
        for (String transferId : offered) {
            assertThat(recipient.acknowledge(RequestId.random(), transferId).transfer().state()).isEqualTo(TransferState.ACKNOWLEDGED);
        }
        assertThat(peers.auditor().meter(donorMeter.name()).registers().availableMinorUnits()).isEqualTo(10_000 - 100L * offered.size());
        assertThat(peers.auditor().meter(recipientMeter.name()).registers().availableMinorUnits()).isEqualTo(100L * offered.size());
        peers.auditPasses();
        await("every peer on the same chain", Duration.ofSeconds(60), () -> {
            final List<ContainerConsortium.ChainInfo> chains = new ArrayList<>();
            consortium.peerOrganisations().forEach(org -> chains.add(consortium.chainInfo("peer0-" + org)));
            return new HashSet<>(chains).size() == 1;
        });
        final long tip = consortium.ordererHeight(newLeader);
        for (String orderer : consortium.ordererNodes()) {
            assertThat(consortium.ordererHeight(orderer)).as("height on %s", orderer).isGreaterThanOrEqualTo(tip);
        }
    }

    /** Waits until CONDITION holds; fails naming WHAT when it does not within LIMIT. */
    private static void await(final String what, final Duration limit, final BooleanSupplier condition) throws InterruptedException {
        final long giveUp = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > giveUp) {
                throw new AssertionError("not within " + limit.toSeconds() + " s: " + what);
            }
            Thread.sleep(500);
        }
    }
}
