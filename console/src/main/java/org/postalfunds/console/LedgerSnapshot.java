package org.postalfunds.console;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.postalfunds.client.audit.LedgerIndex;
import org.postalfunds.client.ledger.EventFeed;
import org.postalfunds.client.ledger.Ledger;
import org.postalfunds.client.ledger.LedgerEvent;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.model.IndiciumRecord;
import org.postalfunds.client.model.Json;
import org.postalfunds.client.model.Meter;

/**
 * What the ledger's events say, read once for a page: the meter client's {@link LedgerIndex} (every meter,
 * transfer and allotment) and, from the same replay, each meter's owner and every printed piece (for the
 * per-organisation filter and the charts).
 */
public final class LedgerSnapshot {
    private final LedgerIndex index;
    private final Map<String, String> owners;
    private final List<IndiciumRecord> printed;

    private LedgerSnapshot(final LedgerIndex index, final Map<String, String> owners, final List<IndiciumRecord> printed) {
        this.index = index;
        this.owners = Collections.unmodifiableMap(owners);
        this.printed = List.copyOf(printed);
    }

    /** Replays the contract's events through this identity's connection. */
    public static LedgerSnapshot read(final Ledger ledger) throws LedgerException, InterruptedException {
        Map<String, String> owners = new TreeMap<>();
        List<IndiciumRecord> printed = new ArrayList<>();
        try (EventFeed replay = ledger.replay()) {
            EventFeed tee = new EventFeed() {
                @Override
                public Optional<LedgerEvent> next(final Duration wait) throws LedgerException, InterruptedException {
                    Optional<LedgerEvent> event = replay.next(wait);
                    event.ifPresent(e -> collect(e, owners, printed));
                    return event;
                }

                @Override
                public boolean ended() {
                    return replay.ended();
                }

                @Override
                public void close() {
                    // the replay itself is closed by the enclosing try
                }
            };
            LedgerIndex index = LedgerIndex.build(tee, LedgerIndex.Progress.NONE);
            return new LedgerSnapshot(index, owners, printed);
        }
    }

    private static void collect(final LedgerEvent event, final Map<String, String> owners,
            final List<IndiciumRecord> printed) {
        JsonNode payload = Json.treeFromLedger(event.payloadJson().getBytes(StandardCharsets.UTF_8));
        JsonNode meter = payload.get("meter");
        if (meter != null && meter.isObject() && meter.path("meterId").isTextual()) {
            Meter parsed = Json.convert(meter, Meter.class);
            owners.put(parsed.meterId(), parsed.ownerMsp());
        }
        JsonNode indicium = payload.get("indicium");
        if ("PostagePrinted".equals(event.name()) && indicium != null && indicium.isObject()) {
            printed.add(Json.convert(indicium, IndiciumRecord.class));
        }
    }

    public LedgerIndex index() {
        return index;
    }

    /** The owner MSP of a meter the events registered, if any. */
    public Optional<String> owner(final String meterId) {
        return Optional.ofNullable(owners.get(meterId));
    }

    public List<IndiciumRecord> printed() {
        return printed;
    }

    /** The checkpoint block a live feed continues from: the one after the last event read. */
    public long nextBlock() {
        return index.lastBlock() + 1;
    }
}
