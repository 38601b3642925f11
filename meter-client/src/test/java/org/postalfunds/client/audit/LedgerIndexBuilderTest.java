package org.postalfunds.client.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postalfunds.client.Consortium;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.ledger.EventFeed;
import org.postalfunds.client.ledger.LedgerEvent;
import org.postalfunds.client.model.Postage;

/** The incremental index: event by event it is the same index a replay builds. */
class LedgerIndexBuilderTest {
    private final Consortium consortium = new Consortium();

    private Instant inHours(final long hours) {
        return consortium.clock().instant().plus(Duration.ofHours(hours));
    }

    @Test
    void applying_events_one_by_one_gives_the_index_build_gives_over_the_same_events() throws Exception {
        MeterClient a1 = consortium.fundedMeter("meter-A1", Consortium.MAILER_A, 5_000);
        MeterClient b1 = consortium.fundedMeter("meter-B1", Consortium.MAILER_B, 20_000);
        MeterClient c1 = consortium.registerMeter("meter-C1", Consortium.MAILER_A);
        a1.printPostage(RequestId.random(), new Postage(85, "10115", "DE", "LETTER-STD"));
        b1.authoriseRequester(RequestId.random(), "meter-A1");
        String pull = a1.request(RequestId.random(), "meter-B1", 1_000, inHours(1)).transferId();
        b1.grant(RequestId.random(), pull, inHours(2));
        a1.accept(RequestId.random(), pull);
        b1.authoriseRequester(RequestId.random(), "meter-C1");
        b1.fundAllotment(RequestId.random(), "meter-C1", 3_000);
        String open = c1.request(RequestId.random(), "meter-B1", 400, inHours(1)).transferId();
        List<LedgerEvent> events = consortium.network.events();

        LedgerIndex built;
        try (EventFeed replay = consortium.connect(consortium.auditorIdentity).replay()) {
            built = LedgerIndex.build(replay, LedgerIndex.Progress.NONE);
        }
        LedgerIndex.Builder builder = LedgerIndex.builder();
        List<LedgerIndex> along = new ArrayList<>();
        for (LedgerEvent event : events) {
            builder.apply(event);
            along.add(builder.snapshot());
        }
        LedgerIndex incremental = builder.build();

        assertThat(incremental.meterIds()).isEqualTo(built.meterIds()).containsExactly("meter-A1", "meter-B1", "meter-C1");
        assertThat(incremental.transfers()).isEqualTo(built.transfers()).containsKeys(pull, open);
        assertThat(incremental.allotments()).isEqualTo(built.allotments()).hasSize(1);
        assertThat(incremental.events()).isEqualTo(built.events()).isEqualTo(events.size());
        assertThat(incremental.lastBlock()).isEqualTo(built.lastBlock()).isEqualTo(events.get(events.size() - 1).blockNumber());
        // Each snapshot is a copy: later events did not change it.
        // Event 0 is the consortium record the deployment wrote; event 1 registered meter-A1.
        assertThat(along.get(0).events()).isEqualTo(1);
        assertThat(along.get(0).meterIds()).isEmpty();
        assertThat(along.get(1).events()).isEqualTo(2);
        assertThat(along.get(1).meterIds()).containsExactly("meter-A1");
        assertThat(along.get(1).transfers()).isEmpty();
        assertThat(LedgerIndex.builder().build().lastBlock()).isEqualTo(-1);
    }
}
