package org.postalfunds.client.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.hyperledger.fabric.client.InMemoryCheckpointer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.ledger.EventFeed;
import org.postalfunds.client.ledger.LedgerConnection;
import org.postalfunds.client.ledger.LedgerEvent;
import org.postalfunds.testnetwork.ClientIdentities.ClientIdentity;
import org.postalfunds.testnetwork.NetworkDescription;
import org.postalfunds.testnetwork.PostalNetwork;

/**
 * The contract's events from a real peer's event service ({@code LedgerConnection.follow}): the postal authority,
 * through its own peer, sees a pull transfer's events in commit order; its stream is dropped after the grant, the
 * acceptance commits meanwhile, and a new stream from the checkpoint (block and transaction of the last event
 * handled) delivers exactly the events after it: nothing lost, nothing twice.
 */
@PostalNetwork
class EventsOnRealPeersTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static RealPeers peers;

    @BeforeAll
    static void start(final NetworkDescription network) {
        peers = new RealPeers(network);
    }

    @AfterAll
    static void close() {
        peers.close();
    }

    @Test
    void a_transfers_events_arrive_in_order_and_a_reconnect_resumes_from_the_checkpoint_without_duplicates()
            throws Exception {
        final ClientIdentity a = peers.registeredMeter("MailerA", "ev-A", 10_000);
        final ClientIdentity b = peers.registeredMeter("MailerB", "ev-B", 0);
        final MeterClient donor = peers.meter("MailerA", a);
        final MeterClient recipient = peers.meter("MailerB", b);
        donor.authoriseRequester(RequestId.random(), b.name());
        final LedgerConnection watcher = peers.connect("PostalAuthority", peers.enrol("PostalAuthority", "watcher"));

        final InMemoryCheckpointer checkpoint = new InMemoryCheckpointer();
        checkpoint.checkpointBlock(watcher.blockHeight() - 1); // resume at the next block
        final List<LedgerEvent> seen = new ArrayList<>();
        final String transferId;
        try (EventFeed feed = watcher.follow(checkpoint)) {
            transferId = recipient.request(RequestId.random(), a.name(), 2_500, Instant.now().plus(1, ChronoUnit.HOURS))
                    .transfer().transferId();
            donor.grant(RequestId.random(), transferId, Instant.now().plus(1, ChronoUnit.HOURS));
            seen.add(awaitEvent(feed, checkpoint, e -> e.name().equals("TransferRequested")));
            seen.add(awaitEvent(feed, checkpoint, e -> e.name().equals("TransferGranted")));
        }
        // Disconnected: the acceptance and a refill commit while nobody listens.
        recipient.accept(RequestId.random(), transferId);
        peers.dataCenter().refill(RequestId.random(), a.name(), 100);

        final List<LedgerEvent> resumed = new ArrayList<>();
        try (EventFeed feed = watcher.follow(checkpoint)) {
            resumed.add(awaitEvent(feed, checkpoint, e -> true));
            resumed.add(awaitEvent(feed, checkpoint, e -> true));
        }

        assertThat(seen).allSatisfy(event -> assertThat(event.payloadJson()).contains(transferId));
        assertThat(resumed).extracting(LedgerEvent::name).containsExactly("TransferAccepted", "Refilled");
        assertThat(resumed.get(0).payloadJson()).contains(transferId);
        final List<LedgerEvent> all = new ArrayList<>(seen);
        all.addAll(resumed);
        assertThat(all).extracting(LedgerEvent::transactionId).doesNotHaveDuplicates();
        assertThat(all).extracting(LedgerEvent::blockNumber).isSorted();
        assertThat(checkpoint.getTransactionId()).hasValue(resumed.get(1).transactionId());
    }

    /** The first event matching {@code wanted}; every event read (matching or not) moves the checkpoint past it. */
    private static LedgerEvent awaitEvent(final EventFeed feed, final InMemoryCheckpointer checkpoint,
            final Predicate<LedgerEvent> wanted) throws Exception {
        final Instant giveUp = Instant.now().plus(WAIT);
        while (Instant.now().isBefore(giveUp)) {
            final Optional<LedgerEvent> next = feed.next(Duration.ofSeconds(1));
            if (next.isPresent()) {
                checkpoint.checkpointTransaction(next.get().blockNumber(), next.get().transactionId());
                if (wanted.test(next.get())) {
                    return next.get();
                }
            }
        }
        throw new AssertionError("no matching event within " + WAIT);
    }
}
