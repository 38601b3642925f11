package org.postalfunds.console;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.postalfunds.api.model.Indicium;
import org.postalfunds.api.model.IndiciumRecord;
import org.postalfunds.api.model.Meter;
import org.postalfunds.client.audit.LedgerIndex;
import org.postalfunds.client.ledger.EventFeed;
import org.postalfunds.client.ledger.Ledger;
import org.postalfunds.client.ledger.LedgerEvent;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.model.Json;

/**
 * What the ledger's events say, as of one event: the meter client's {@link LedgerIndex} (every meter, transfer and
 * allotment) and, from the same events, each meter's owner (for the per-organisation filter), the postage printed
 * per meter and mailing day and the funds refilled per meter and day (for the charts and the flows). Immutable; a {@link LedgerFollower} keeps one up to date per
 * organisation connection, and {@link #status()} says how far behind the ledger it may be.
 */
public final class LedgerSnapshot {
    /** Bounds the postage and refill aggregates (one entry per meter and day), as LedgerIndex bounds its sets. */
    public static final int MAX_POSTAGE_DAYS = 1_000_000;

    /** How current a snapshot is: the follower's state when the snapshot was taken. */
    public enum State {
        /** read by one replay, nothing followed */
        REPLAYED,
        /** the follower is reading events it has not seen yet */
        CATCHING_UP,
        /** the follower has read everything the peer has sent and waits for new events */
        LIVE,
        /** the follow stream failed; the follower reconnects from its checkpoint */
        RECONNECTING,
        /** the follower stopped (closed, or an event it could not index) */
        STOPPED
    }

    /** The follower's state and, when it failed, why. */
    public record Status(State state, String problem) {
        public static final Status REPLAYED = new Status(State.REPLAYED, null);
    }

    private final LedgerIndex index;
    private final Map<String, String> owners;
    private final Map<String, SortedMap<LocalDate, Long>> postage;
    private final Map<String, SortedMap<LocalDate, Long>> refills;
    private final Status status;

    private LedgerSnapshot(final LedgerIndex index, final Map<String, String> owners,
            final Map<String, SortedMap<LocalDate, Long>> postage, final Map<String, SortedMap<LocalDate, Long>> refills,
            final Status status) {
        this.index = index;
        this.owners = owners;
        this.postage = postage;
        this.refills = refills;
        this.status = status;
    }

    /** Replays the contract's events through this identity's connection (once; the console follows thereafter). */
    public static LedgerSnapshot read(final Ledger ledger) throws LedgerException, InterruptedException {
        Accumulator accumulator = new Accumulator();
        try (EventFeed replay = ledger.replay()) {
            while (!replay.ended()) {
                replay.next(Duration.ofSeconds(1)).ifPresent(accumulator::apply);
            }
        }
        return accumulator.snapshot(Status.REPLAYED);
    }

    /**
     * The events applied one at a time, in commit order. Not thread-safe: one owner applies events and takes
     * snapshots (the {@link LedgerFollower} under its lock).
     */
    static final class Accumulator {
        private final LedgerIndex.Builder index = LedgerIndex.builder();
        private final Map<String, String> owners = new HashMap<>();
        private final Map<String, SortedMap<LocalDate, Long>> postage = new HashMap<>();
        private final Map<String, SortedMap<LocalDate, Long>> refills = new HashMap<>();
        private int postageDays;

        /** Indexes one event; throws IllegalStateException past a bound, or on an event it cannot read. */
        void apply(final LedgerEvent event) {
            index.apply(event);
            JsonNode payload = Json.treeFromLedger(event.payloadJson().getBytes(StandardCharsets.UTF_8));
            JsonNode meter = payload.get("meter");
            if (meter != null && meter.isObject() && meter.path("meterId").isTextual()) {
                Meter parsed = Json.convert(meter, Meter.class);
                owners.put(parsed.meterId(), parsed.ownerMsp());
                // A refill is data center contact: the meter it returns carries the transaction's time.
                if ("Refilled".equals(event.name()) && payload.path("amountMinorUnits").canConvertToLong()) {
                    LocalDate day = LocalDate.ofInstant(java.time.Instant.ofEpochSecond(
                            parsed.lastDataCenterContactEpochSeconds()), java.time.ZoneOffset.UTC);
                    add(refills, parsed.meterId(), day, payload.path("amountMinorUnits").asLong());
                }
            }
            JsonNode indicium = payload.get("indicium");
            if ("PostagePrinted".equals(event.name()) && indicium != null && indicium.isObject()) {
                Indicium printed = Json.convert(indicium, IndiciumRecord.class).indicium();
                add(postage, printed.meterId(), printed.mailingDay(), printed.amountMinorUnits());
            }
        }

        private void add(final Map<String, SortedMap<LocalDate, Long>> perMeter, final String meterId,
                final LocalDate day, final long minorUnits) {
            SortedMap<LocalDate, Long> days = perMeter.computeIfAbsent(meterId, id -> new TreeMap<>());
            if (!days.containsKey(day) && ++postageDays > MAX_POSTAGE_DAYS) {
                throw new IllegalStateException("the ledger holds postage and refills of more than " + MAX_POSTAGE_DAYS
                        + " meter-days, more than this console charts");
            }
            days.merge(day, minorUnits, Long::sum);
        }

        long events() {
            return index.events();
        }

        long lastBlock() {
            return index.lastBlock();
        }

        /** An immutable copy of what was applied so far. */
        LedgerSnapshot snapshot(final Status status) {
            return new LedgerSnapshot(index.build(), Collections.unmodifiableMap(new HashMap<>(owners)), copy(postage),
                    copy(refills), status);
        }

        private static Map<String, SortedMap<LocalDate, Long>> copy(final Map<String, SortedMap<LocalDate, Long>> perMeter) {
            Map<String, SortedMap<LocalDate, Long>> copy = new HashMap<>();
            perMeter.forEach((meterId, days) -> copy.put(meterId, Collections.unmodifiableSortedMap(new TreeMap<>(days))));
            return Collections.unmodifiableMap(copy);
        }
    }

    /** The same events with another follower status (nothing copied). */
    LedgerSnapshot withStatus(final Status value) {
        return value.equals(status) ? this : new LedgerSnapshot(index, owners, postage, refills, value);
    }

    public LedgerIndex index() {
        return index;
    }

    /** The owner MSP of a meter the events registered, if any. */
    public Optional<String> owner(final String meterId) {
        return Optional.ofNullable(owners.get(meterId));
    }

    /** Postage printed per meter and mailing day (UTC date of the indicium), in minor units. */
    public Map<String, SortedMap<LocalDate, Long>> postagePerDay() {
        return postage;
    }

    /** Funds refilled per meter and UTC day of the refill, in minor units. */
    public Map<String, SortedMap<LocalDate, Long>> refillsPerDay() {
        return refills;
    }

    /** The block of the last event applied; -1 when there was none. */
    public long lastBlock() {
        return index.lastBlock();
    }

    public Status status() {
        return status;
    }

    /**
     * The block a live feed starts from: the block of the last event read, again, since a snapshot may have been
     * taken part-way through it. Its events are sent twice then, which the page absorbs: an update sets a
     * transfer's row to the state it carries, in ledger order.
     */
    public long liveFromBlock() {
        return Math.max(0, index.lastBlock());
    }
}
