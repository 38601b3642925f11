package org.postalfunds.client.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.ledger.FailureKind;
import org.postalfunds.client.model.TransferChange;
import org.postalfunds.testnetwork.ClientIdentities.ClientIdentity;
import org.postalfunds.testnetwork.NetworkDescription;
import org.postalfunds.testnetwork.PostalNetwork;

/**
 * Concurrency on real peers. Concurrent spends of one meter are endorsed against the same version of its account key,
 * so all but one of those in a block fail validation with MVCC_READ_CONFLICT; the client retries them with the same
 * request id and each moves its funds exactly once. Concurrent pull transfers between meters of MailerA and MailerB,
 * each step submitted right after the previous one committed on the submitter's own peer, meet endorsers of the other
 * organisation that are still a block behind (UNKNOWN_TRANSFER, ILLEGAL_TRANSITION, endorsers that disagree); the
 * client retries those too, and every transfer completes.
 */
@PostalNetwork
class ConcurrencyOnRealPeersTest {
    private static RealPeers peers;
    private static ExecutorService pool;

    @BeforeAll
    static void start(final NetworkDescription network) {
        peers = new RealPeers(network);
        pool = Executors.newFixedThreadPool(16);
    }

    @AfterAll
    static void close() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        peers.close();
    }

    @Test
    void concurrent_spends_of_one_meter_conflict_for_real_are_retried_with_their_request_ids_and_move_funds_once()
            throws Exception {
        final int perRound = 6;
        final long amount = 1_000;
        final long funds = 3 * perRound * amount;
        final ClientIdentity meterA = peers.registeredMeter("MailerA", "mvcc-A", funds);
        final ClientIdentity meterB = peers.registeredMeter("MailerB", "mvcc-B", 0);
        final MeterClient donor = peers.meter("MailerA", meterA);
        final Instant deadline = Instant.now().plus(1, ChronoUnit.DAYS);

        final List<TransferChange> offers = new ArrayList<>();
        final List<RequestId> ids = new ArrayList<>();
        // A round of offers released together lands in one block; at most three rounds until Fabric reports a conflict.
        for (int round = 0; round < 3 && peers.retriesOf(FailureKind.READ_CONFLICT) == 0; round++) {
            final CyclicBarrier together = new CyclicBarrier(perRound);
            final List<Future<TransferChange>> inFlight = new ArrayList<>();
            for (int i = 0; i < perRound; i++) {
                final RequestId id = RequestId.random();
                ids.add(id);
                inFlight.add(pool.submit(() -> {
                    together.await(30, TimeUnit.SECONDS);
                    return donor.offer(id, meterB.name(), amount, deadline);
                }));
            }
            for (Future<TransferChange> offer : inFlight) {
                offers.add(offer.get(2, TimeUnit.MINUTES));
            }
        }

        System.out.printf("[real peers] %d concurrent offers from one meter: retries %s%n", offers.size(), peers.retries);
        assertThat(peers.retriesOf(FailureKind.READ_CONFLICT)).as("MVCC_READ_CONFLICT commit statuses retried").isPositive();
        assertThat(offers).allSatisfy(offer -> assertThat(offer.transfer().state()).isEqualTo(TransferState.OFFERED));
        final Set<String> transferIds = new HashSet<>();
        offers.forEach(offer -> transferIds.add(offer.transfer().transferId()));
        assertThat(transferIds).hasSize(offers.size());
        assertThat(peers.auditor().meter(meterA.name()).registers().availableMinorUnits())
                .isEqualTo(funds - offers.size() * amount);
        // Any of them again: the first outcome, nothing moves.
        final TransferChange again = donor.offer(ids.get(0), meterB.name(), amount, deadline);
        assertThat(again.receipt().txId()).isEqualTo(offers.get(0).receipt().txId());
        assertThat(peers.auditor().meter(meterA.name()).registers().availableMinorUnits())
                .isEqualTo(funds - offers.size() * amount);
        peers.auditPasses();
    }

    @Test
    void sixteen_concurrent_pull_transfers_between_mailers_complete_against_lagging_endorsers() throws Exception {
        final int pairs = 8;
        final int transfers = 16;
        final long amount = 250;
        final long funds = 10_000;
        final List<ClientIdentity> donors = new ArrayList<>();
        final List<ClientIdentity> recipients = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            donors.add(peers.enrol("MailerA", "load-A" + i));
            recipients.add(peers.enrol("MailerB", "load-B" + i));
        }
        final List<Callable<Void>> setUp = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            final ClientIdentity donor = donors.get(i);
            final ClientIdentity recipient = recipients.get(i);
            setUp.add(() -> {
                register(donor, funds);
                register(recipient, 0);
                peers.meter("MailerA", donor).authoriseRequester(RequestId.random(), recipient.name());
                return null;
            });
        }
        for (Future<Void> done : pool.invokeAll(setUp, 2, TimeUnit.MINUTES)) {
            done.get();
        }
        final List<MeterClient> donorClients = new ArrayList<>();
        final List<MeterClient> recipientClients = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            donorClients.add(peers.meter("MailerA", donors.get(i)));
            recipientClients.add(peers.meter("MailerB", recipients.get(i)));
        }
        // The lag under test is the flows' own: a first request must not meet the set-up's last authorisation still
        // missing on an endorser (REQUESTER_NOT_AUTHORISED is final, not a lag-sensitive code).
        peers.awaitPeersInStep(java.time.Duration.ofSeconds(15));
        final long retriesBefore = peers.retries.values().stream().mapToLong(java.util.concurrent.atomic.AtomicLong::get).sum();
        peers.retries.clear();

        final long started = System.nanoTime();
        final CyclicBarrier together = new CyclicBarrier(transfers);
        final List<Future<TransferChange>> flows = new ArrayList<>();
        for (int t = 0; t < transfers; t++) {
            final MeterClient donor = donorClients.get(t % pairs);
            final MeterClient recipient = recipientClients.get(t % pairs);
            flows.add(pool.submit(() -> {
                together.await(30, TimeUnit.SECONDS);
                // Recipient (MailerB's peer) requests; donor (MailerA's peer) grants at once; recipient accepts at once.
                final String transferId = recipient.request(RequestId.random(), donor.meterId(), amount,
                        Instant.now().plus(1, ChronoUnit.HOURS)).transfer().transferId();
                donor.grant(RequestId.random(), transferId, Instant.now().plus(1, ChronoUnit.HOURS));
                return recipient.accept(RequestId.random(), transferId);
            }));
        }
        final List<TransferChange> accepted = new ArrayList<>();
        for (Future<TransferChange> flow : flows) {
            accepted.add(flow.get(3, TimeUnit.MINUTES));
        }
        final Duration took = Duration.ofNanos(System.nanoTime() - started);

        System.out.printf("[real peers] %d concurrent pull transfers (request -> grant -> accept) in %d ms; retries: %s"
                + " (before: %d)%n", transfers, took.toMillis(), peers.retries, retriesBefore);
        assertThat(accepted).hasSize(transfers)
                .allSatisfy(change -> assertThat(change.transfer().state()).isEqualTo(TransferState.ACCEPTED));
        for (int i = 0; i < pairs; i++) {
            final long moved = amount * (transfers / pairs);
            assertThat(peers.auditor().meter(donors.get(i).name()).registers().availableMinorUnits()).isEqualTo(funds - moved);
            assertThat(peers.auditor().meter(recipients.get(i).name()).registers().availableMinorUnits()).isEqualTo(moved);
        }
        peers.auditPasses();
    }

    /**
     * Issue 17: a meter's own grant (a debit of its registers) and an accept into it (a credit, to its inflow key) are
     * both endorsed against the same state, then submitted together, and both commit valid. Before credits had their own
     * key, the second of the pair to commit always failed MVCC_READ_CONFLICT on the meter's registers, in one block or
     * two. A round whose two transactions land in different blocks proves the same; up to five rounds look for one
     * where they share a block.
     */
    @Test
    void a_meters_own_grant_and_an_accept_into_it_endorsed_on_the_same_state_both_commit() throws Exception {
        final ClientIdentity middle = peers.registeredMeter("MailerA", "ring-M", 10_000);
        final ClientIdentity upstream = peers.registeredMeter("MailerB", "ring-U", 10_000);
        final ClientIdentity downstream = peers.registeredMeter("MailerB", "ring-D", 0);
        final MeterClient m = peers.meter("MailerA", middle);
        final MeterClient u = peers.meter("MailerB", upstream);
        final MeterClient d = peers.meter("MailerB", downstream);
        u.authoriseRequester(RequestId.random(), middle.name());
        m.authoriseRequester(RequestId.random(), downstream.name());
        final org.postalfunds.client.ledger.LedgerConnection raw = peers.connect("MailerA", middle);
        final org.hyperledger.fabric.client.Contract contract = raw.network().getContract(raw.chaincodeName());
        final List<String> rounds = new ArrayList<>();
        boolean sameBlock = false;
        for (int round = 0; round < 5 && !sameBlock; round++) {
            final Instant deadline = Instant.now().plus(1, ChronoUnit.HOURS);
            final String intoM = m.request(RequestId.random(), upstream.name(), 100, deadline).transferId();
            u.grant(RequestId.random(), intoM, deadline);
            final String fromM = d.request(RequestId.random(), middle.name(), 60, deadline).transferId();
            // Both endorsed before either is ordered: each read the meter's keys at the same versions.
            final org.hyperledger.fabric.client.Transaction accept = endorsed(contract.newProposal("acceptTransfer")
                    .addArguments(RequestId.random().value(), intoM).build());
            final org.hyperledger.fabric.client.Transaction grant = endorsed(contract.newProposal("grantTransfer")
                    .addArguments(RequestId.random().value(), fromM, Long.toString(deadline.getEpochSecond())).build());
            final org.hyperledger.fabric.client.SubmittedTransaction grantSent = grant.submitAsync();
            final org.hyperledger.fabric.client.SubmittedTransaction acceptSent = accept.submitAsync();
            final org.hyperledger.fabric.client.Status grantStatus = grantSent.getStatus();
            final org.hyperledger.fabric.client.Status acceptStatus = acceptSent.getStatus();
            rounds.add("grant " + grantStatus.getCode() + " in block " + grantStatus.getBlockNumber() + ", accept "
                    + acceptStatus.getCode() + " in block " + acceptStatus.getBlockNumber());
            assertThat(grantStatus.isSuccessful()).as("the meter's grant, round %d: %s", round, rounds).isTrue();
            assertThat(acceptStatus.isSuccessful()).as("the accept into the meter, round %d: %s", round, rounds).isTrue();
            sameBlock = grantStatus.getBlockNumber() == acceptStatus.getBlockNumber();
        }
        System.out.printf("[real peers] a meter's grant and an accept into it, endorsed on the same state: %s%n", rounds);
        assertThat(sameBlock).as("a round where both landed in one block: %s", rounds).isTrue();
        assertThat(peers.auditor().meter(middle.name()).registers().availableMinorUnits())
                .isEqualTo(10_000 + rounds.size() * (100 - 60L));
        peers.auditPasses();
    }

    /** Endorsed, retrying a few times while another organisation's peer has not yet seen the previous block. */
    private static org.hyperledger.fabric.client.Transaction endorsed(final org.hyperledger.fabric.client.Proposal proposal)
            throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return proposal.endorse();
            } catch (org.hyperledger.fabric.client.EndorseException behind) {
                if (attempt == 5) {
                    throw behind;
                }
                Thread.sleep(300);
            }
        }
    }

    private static void register(final ClientIdentity meter, final long funds) throws Exception {
        peers.dataCenter().register(RequestId.random(), org.postalfunds.api.model.MeterRegistration.builder()
                .meterId(meter.name()).ownerMsp(meter.mspId()).certificate(RealPeers.certificate(meter)).model("PM-2000")
                .limits(RealPeers.LIMITS).build());
        if (funds > 0) {
            peers.dataCenter().refill(RequestId.random(), meter.name(), funds);
        }
    }
}
