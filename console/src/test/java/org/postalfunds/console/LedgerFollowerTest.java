package org.postalfunds.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postalfunds.client.Consortium;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.audit.LedgerIndex;
import org.postalfunds.client.ledger.LedgerEvent;
import org.postalfunds.client.model.Postage;

/** The follower against the in-process contract: one replay, then the events that follow, through stream failures. */
class LedgerFollowerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final Consortium consortium = new Consortium();

    private Instant inHours(final long hours) {
        return consortium.clock().instant().plus(Duration.ofHours(hours));
    }

    private long lastBlock() {
        List<LedgerEvent> events = consortium.network.events();
        return events.get(events.size() - 1).blockNumber();
    }

    @Test
    void a_failed_follow_stream_resumes_from_its_checkpoint_without_losing_or_repeating_events() throws Exception {
        MeterClient a1 = consortium.fundedMeter("meter-A1", Consortium.MAILER_A, 5_000);
        MeterClient b1 = consortium.fundedMeter("meter-B1", Consortium.MAILER_B, 20_000);
        CountingLedger ledger = new CountingLedger(consortium.connect(consortium.auditorIdentity), 3);
        try (LedgerFollower follower = LedgerFollower.start("test", ledger, Duration.ofMillis(50), Duration.ofSeconds(1))) {
            LedgerSnapshot first = follower.snapshot(WAIT);
            assertThat(first.index().meterIds()).containsExactly("meter-A1", "meter-B1");
            assertThat(follower.snapshot(WAIT).index()).as("nothing changed: no copy").isSameAs(first.index());

            // After start: the first follow stream hands out 3 of these events, then breaks.
            a1.printPostage(RequestId.random(), new Postage(85, "10115", "DE", "LETTER-STD"));
            b1.authoriseRequester(RequestId.random(), "meter-A1");
            String pull = a1.request(RequestId.random(), "meter-B1", 1_000, inHours(1)).transferId();
            b1.grant(RequestId.random(), pull, inHours(2));
            a1.accept(RequestId.random(), pull);
            a1.printPostage(RequestId.random(), new Postage(40, "10115", "DE", "LETTER-STD"));
            MeterClient a3 = consortium.fundedMeter("meter-A3", Consortium.MAILER_A, 700);

            assertThat(follower.awaitBlock(lastBlock(), WAIT)).isTrue();
            LedgerSnapshot caughtUp = follower.snapshot(WAIT);
            LedgerSnapshot replayed = LedgerSnapshot.read(consortium.connect(consortium.auditorIdentity));

            assertThat(ledger.replays.get()).isEqualTo(1);
            assertThat(ledger.follows.get()).as("the broken stream was reopened").isGreaterThanOrEqualTo(2);
            assertThat(caughtUp.index().events()).isEqualTo(consortium.network.events().size())
                    .isEqualTo(replayed.index().events());
            assertThat(caughtUp.index().meterIds()).isEqualTo(replayed.index().meterIds())
                    .containsExactly("meter-A1", "meter-A3", "meter-B1");
            assertThat(caughtUp.index().transfers()).isEqualTo(replayed.index().transfers()).containsKey(pull);
            assertThat(caughtUp.index().transfers().get(pull).state().name()).isEqualTo("ACCEPTED");
            assertThat(caughtUp.postagePerDay()).isEqualTo(replayed.postagePerDay());
            assertThat(caughtUp.postagePerDay().get("meter-A1").values()).containsExactly(125L);
            assertThat(caughtUp.owner("meter-A3")).hasValue(Consortium.MAILER_A);
            assertThat(caughtUp.lastBlock()).isEqualTo(lastBlock());
            assertThat(first.index().meterIds()).as("an earlier snapshot stays as it was").hasSize(2);
            assertThat(a3).isNotNull();
        }
    }

    @Test
    void the_builder_and_the_replay_agree_and_a_new_ledger_is_followed_from_block_0() throws Exception {
        CountingLedger ledger = new CountingLedger(consortium.connect(consortium.dataCenterIdentity));
        try (LedgerFollower follower = LedgerFollower.start("new", ledger)) {
            // A new ledger holds only the consortium record its deployment wrote: no meter yet.
            long consortiumBlock = consortium.network.events().get(0).blockNumber();
            assertThat(follower.awaitBlock(consortiumBlock, WAIT)).isTrue();
            LedgerSnapshot fresh = follower.snapshot(WAIT);
            assertThat(fresh.lastBlock()).isEqualTo(consortiumBlock);
            assertThat(fresh.index().meterIds()).isEmpty();
            consortium.fundedMeter("meter-A1", Consortium.MAILER_A, 5_000);
            assertThat(follower.awaitBlock(lastBlock(), WAIT)).isTrue();
            LedgerSnapshot snapshot = follower.snapshot(WAIT);
            assertThat(snapshot.index().meterIds()).containsExactly("meter-A1");
            assertThat(snapshot.index().events()).isEqualTo(consortium.network.events().size());
            assertThat(snapshot.status().state()).isIn(LedgerSnapshot.State.LIVE, LedgerSnapshot.State.CATCHING_UP);
            assertThat(ledger.replays.get()).isEqualTo(1);
        }
        assertThat(LedgerIndex.MAX_METERS).isPositive();
    }
}
