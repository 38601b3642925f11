package org.postalfunds.client.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.hyperledger.fabric.client.Checkpoint;
import org.hyperledger.fabric.client.FileCheckpointer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postalfunds.api.model.Transfer;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.client.Consortium;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.Money;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.ledger.BlockFeed;
import org.postalfunds.client.ledger.EventFeed;
import org.postalfunds.client.ledger.Ledger;
import org.postalfunds.client.ledger.LedgerCall;
import org.postalfunds.client.ledger.LedgerException;

/** The watching meter: automatic grants (Fig. 4), accepts and acknowledgements, exactly once across crashes. */
class WatcherTest {
    private static final Duration IDLE = Duration.ofMillis(400);
    private final Consortium consortium = new Consortium();
    private final List<Reaction> reactions = new ArrayList<>();
    @TempDir
    Path directory;
    private MeterClient distributor;

    private final WatchListener recording = new WatchListener() {
        @Override
        public void handled(final Reaction reaction) {
            reactions.add(reaction);
        }

        @Override
        public void caughtUp(final long eventsHandled) {
        }
    };

    @BeforeEach
    void aDistributorWithThreeAuthorisedRecipients() throws LedgerException {
        distributor = consortium.fundedMeter("meter-D", Consortium.MAILER_B, 500_000);
        for (String recipient : List.of("meter-R1", "meter-R2", "meter-R3")) {
            consortium.registerMeter(recipient, Consortium.MAILER_A);
            distributor.authoriseRequester(RequestId.random(), recipient);
        }
    }

    private static WatchPolicy distributorPolicy(final String recipients, final String maxPerDay, final boolean deny) {
        return WatchPolicy.parse("{\"meterId\":\"meter-D\",\"distributor\":{\"recipients\":[" + recipients
                + "],\"maxPerDay\":\"" + maxPerDay + "\",\"escrowHours\":24,\"denyOverLimit\":" + deny + "}}", Money.CENTS);
    }

    private static String recipient(final String meterId, final String maxPerRequest, final String maxPerDay) {
        return "{\"meterId\":\"" + meterId + "\",\"maxPerRequest\":\"" + maxPerRequest + "\",\"maxPerDay\":\"" + maxPerDay + "\"}";
    }

    /** A checkpoint at the ledger's current height, so the watcher sees everything committed from now on. */
    private FileCheckpointer checkpointFromNow(final String name) throws Exception {
        FileCheckpointer checkpointer = new FileCheckpointer(directory.resolve(name));
        checkpointer.checkpointBlock(consortium.network.height() - 1);
        return checkpointer;
    }

    private long runWatcher(final MeterClient meter, final WatchPolicy policy, final FileCheckpointer checkpointer)
            throws Exception {
        return Watcher.builder().meter(meter).policy(policy).checkpointer(checkpointer)
                .grantBook(GrantBook.open(directory.resolve("grants.json"))).listener(recording).stopWhenIdle(IDLE)
                .build().run();
    }

    private String request(final String recipient, final long minorUnits) throws LedgerException {
        return consortium.meter(recipient).request(RequestId.random(), "meter-D", minorUnits,
                consortium.clock().instant().plus(Duration.ofHours(12))).transferId();
    }

    private TransferState stateOf(final String transferId) throws LedgerException {
        return distributor.transfer(transferId).transfer().state();
    }

    @Test
    void a_distributor_grants_listed_recipients_within_their_limits_and_leaves_the_rest() throws Exception {
        FileCheckpointer checkpointer = checkpointFromNow("watch.checkpoint");
        String small = request("meter-R1", 4_000);
        String tooLarge = request("meter-R1", 6_000);
        String unlisted = request("meter-R3", 100);

        runWatcher(distributor, distributorPolicy(recipient("meter-R1", "50.00", "200.00"), "1000.00", false), checkpointer);

        assertThat(stateOf(small)).isEqualTo(TransferState.GRANTED);
        assertThat(stateOf(tooLarge)).isEqualTo(TransferState.REQUESTED);
        assertThat(stateOf(unlisted)).isEqualTo(TransferState.REQUESTED);
        assertThat(reactions).filteredOn(r -> r.transferId().equals(tooLarge)).singleElement()
                .satisfies(r -> {
                    assertThat(r.action()).isEqualTo(Reaction.Action.OVER_LIMIT);
                    assertThat(r.detail()).contains("60.00").contains("limit per request of 50.00");
                });
        Transfer granted = distributor.transfer(small).transfer();
        assertThat(granted.deadlineEpochSeconds()).isEqualTo(granted.createdAtEpochSeconds() + 24 * 3600);
        assertThat(consortium.network.submittedRequestIds()).contains(RequestId.derived("watch-grant", small).value());
    }

    @Test
    void daily_limits_count_the_days_of_the_requests_transaction_timestamps() throws Exception {
        FileCheckpointer checkpointer = checkpointFromNow("watch.checkpoint");
        WatchPolicy policy = distributorPolicy(recipient("meter-R1", "50.00", "80.00") + ","
                + recipient("meter-R2", "50.00", "80.00"), "100.00", true);
        consortium.clock().set(Instant.parse("2026-03-02T23:00:00Z"));
        String first = request("meter-R1", 5_000);
        String second = request("meter-R1", 5_000);   // R1 would reach 100.00 > 80.00 that day: denied
        String third = request("meter-R2", 5_000);    // all grants would reach 100.00 <= 100.00: granted
        String fourth = request("meter-R2", 100);     // all grants would exceed 100.00: denied
        consortium.clock().set(Instant.parse("2026-03-03T00:30:00Z"));
        String nextDay = request("meter-R1", 5_000);  // a new UTC day of the transaction timestamp

        // The watcher runs days later: only the requests' own timestamps decide the day.
        consortium.clock().set(Instant.parse("2026-03-03T09:00:00Z"));
        runWatcher(distributor, policy, checkpointer);

        assertThat(stateOf(first)).isEqualTo(TransferState.GRANTED);
        assertThat(stateOf(second)).isEqualTo(TransferState.DENIED);
        assertThat(stateOf(third)).isEqualTo(TransferState.GRANTED);
        assertThat(stateOf(fourth)).isEqualTo(TransferState.DENIED);
        assertThat(stateOf(nextDay)).isEqualTo(TransferState.GRANTED);
        assertThat(distributor.transfer(second).transfer().reason()).isEqualTo("OVER_LIMIT: over the distributor's automatic limit");
    }

    @Test
    void a_distributor_out_of_funds_denies_on_the_ledger_with_a_reason_code_when_its_policy_denies() throws Exception {
        // Most of the distributor's 5,000.00 sits in escrow for another meter: 40.00 are left.
        distributor.offer(RequestId.random(), "meter-R3", 496_000, consortium.clock().instant().plus(Duration.ofHours(1)));
        FileCheckpointer checkpointer = checkpointFromNow("watch.checkpoint");
        String tooMuch = request("meter-R1", 5_000);
        String affordable = request("meter-R2", 1_000);

        runWatcher(distributor, distributorPolicy(recipient("meter-R1", "50.00", "200.00") + ","
                + recipient("meter-R2", "50.00", "200.00"), "1000.00", true), checkpointer);

        assertThat(stateOf(tooMuch)).isEqualTo(TransferState.DENIED);
        assertThat(distributor.transfer(tooMuch).transfer().reason()).startsWith("INSUFFICIENT_FUNDS: ");
        assertThat(reactions).filteredOn(r -> r.transferId().equals(tooMuch) && r.acted()).singleElement()
                .satisfies(r -> assertThat(r.action()).isEqualTo(Reaction.Action.DENIED));
        assertThat(stateOf(affordable)).isEqualTo(TransferState.GRANTED);
        assertThat(consortium.network.submittedRequestIds()).contains(RequestId.derived("watch-deny", tooMuch).value());
    }

    @Test
    void a_distributor_out_of_funds_without_deny_leaves_the_request_for_the_operator() throws Exception {
        distributor.offer(RequestId.random(), "meter-R3", 496_000, consortium.clock().instant().plus(Duration.ofHours(1)));
        FileCheckpointer checkpointer = checkpointFromNow("watch.checkpoint");
        String tooMuch = request("meter-R1", 5_000);

        runWatcher(distributor, distributorPolicy(recipient("meter-R1", "50.00", "200.00"), "1000.00", false),
                checkpointer);

        assertThat(stateOf(tooMuch)).isEqualTo(TransferState.REQUESTED);
        assertThat(reactions).filteredOn(r -> r.transferId().equals(tooMuch)
                && r.event().name().equals("TransferRequested")).singleElement()
                .satisfies(r -> {
                    assertThat(r.action()).isEqualTo(Reaction.Action.REFUSED);
                    assertThat(r.detail()).startsWith("INSUFFICIENT_FUNDS: ");
                });
    }

    @Test
    void a_recipient_accepts_grants_and_acknowledges_offers_from_listed_donors_only() throws Exception {
        MeterClient recipient = consortium.meter("meter-R1");
        MeterClient stranger = consortium.fundedMeter("meter-S", Consortium.MAILER_B, 10_000);
        FileCheckpointer checkpointer = checkpointFromNow("r1.checkpoint");
        Instant soon = consortium.clock().instant().plus(Duration.ofHours(3));
        String pulled = request("meter-R1", 1_000);
        distributor.grant(RequestId.random(), pulled, soon);
        String pushed = distributor.offer(RequestId.random(), "meter-R1", 2_000, soon).transferId();
        String fromStranger = stranger.offer(RequestId.random(), "meter-R1", 300, soon).transferId();
        WatchPolicy policy = WatchPolicy.parse("{\"meterId\":\"meter-R1\",\"recipient\":{\"donors\":[\"meter-D\"]}}",
                Money.CENTS);

        runWatcher(recipient, policy, checkpointer);

        assertThat(stateOf(pulled)).isEqualTo(TransferState.ACCEPTED);
        assertThat(stateOf(pushed)).isEqualTo(TransferState.ACKNOWLEDGED);
        assertThat(stranger.transfer(fromStranger).transfer().state()).isEqualTo(TransferState.OFFERED);
        assertThat(consortium.available("meter-R1")).isEqualTo(3_000);
        assertThat(reactions).filteredOn(Reaction::acted).extracting(Reaction::action)
                .containsExactly(Reaction.Action.ACCEPTED, Reaction.Action.ACKNOWLEDGED);
    }

    @Test
    void a_watcher_killed_mid_stream_and_restarted_from_its_checkpoint_handles_every_request_exactly_once()
            throws Exception {
        Path checkpointFile = directory.resolve("watch.checkpoint");
        try (FileCheckpointer fresh = new FileCheckpointer(checkpointFile)) {
            fresh.checkpointBlock(consortium.network.height() - 1);
        }
        List<String> requested = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < 12; i++) {
            long amount = 1_000 + 100L * i;
            requested.add(request(List.of("meter-R1", "meter-R2", "meter-R3").get(i % 3), amount));
            total += amount;
        }
        WatchPolicy policy = distributorPolicy(recipient("meter-R1", "100.00", "1000.00") + ","
                + recipient("meter-R2", "100.00", "1000.00") + "," + recipient("meter-R3", "100.00", "1000.00"),
                "5000.00", false);

        // The first watcher dies right after its fifth grant has committed, before it can checkpoint it.
        MeterClient crashing = MeterClient.builder().ledger(new CrashingLedger(distributor.ledger(), 5))
                .meterId("meter-D").psdSigner(Consortium.signer(consortium.meterKey("meter-D")))
                .clock(consortium.clock()).build();
        try (FileCheckpointer checkpointer = new FileCheckpointer(checkpointFile)) {
            assertThatThrownBy(() -> runWatcher(crashing, policy, checkpointer)).isInstanceOf(SimulatedCrash.class);
        }
        assertThat(requested.subList(0, 5)).allSatisfy(id -> assertThat(stateOf(id)).isEqualTo(TransferState.GRANTED));
        assertThat(stateOf(requested.get(5))).isEqualTo(TransferState.REQUESTED);
        reactions.clear();

        // A new process: new client, checkpoint and grant book read back from their files.
        try (FileCheckpointer checkpointer = new FileCheckpointer(checkpointFile)) {
            runWatcher(consortium.meter("meter-D"), policy, checkpointer);
        }

        assertThat(reactions.get(0).transferId()).as("the restart resumes at the unfinished request")
                .isEqualTo(requested.get(4));
        assertThat(requested).allSatisfy(id -> assertThat(stateOf(id)).isEqualTo(TransferState.GRANTED));
        List<String> grantSubmits = consortium.network.submittedRequestIds().stream()
                .filter(id -> id.startsWith("watch-grant-")).toList();
        assertThat(grantSubmits).as("the fifth grant was submitted again after the restart").hasSize(13);
        assertThat(grantSubmits).filteredOn(RequestId.derived("watch-grant", requested.get(4)).value()::equals).hasSize(2);
        assertThat(new java.util.HashSet<>(grantSubmits)).hasSize(12);
        assertThat(consortium.network.events()).filteredOn(e -> e.name().equals("TransferGranted")).hasSize(12);
        assertThat(distributor.balance().registers().transferredOutMinorUnits()).as("funds moved once per request")
                .isEqualTo(total);
    }

    /** Fails the watcher's process right after the n-th submit has committed. */
    static final class SimulatedCrash extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SimulatedCrash() {
            super("simulated crash after a committed submit");
        }
    }

    private static final class CrashingLedger implements Ledger {
        private final Ledger delegate;
        private final int crashAfter;
        private final AtomicInteger committed = new AtomicInteger();

        CrashingLedger(final Ledger delegate, final int crashAfter) {
            this.delegate = delegate;
            this.crashAfter = crashAfter;
        }

        @Override
        public byte[] submit(final LedgerCall call) throws LedgerException {
            byte[] result = delegate.submit(call);
            if (committed.incrementAndGet() == crashAfter) {
                throw new SimulatedCrash();
            }
            return result;
        }

        @Override
        public byte[] evaluate(final LedgerCall call) throws LedgerException {
            return delegate.evaluate(call);
        }

        @Override
        public EventFeed follow(final Checkpoint after) throws LedgerException {
            return delegate.follow(after);
        }

        @Override
        public EventFeed replay() throws LedgerException {
            return delegate.replay();
        }

        @Override
        public BlockFeed blocks() throws LedgerException {
            return delegate.blocks();
        }
    }
}
