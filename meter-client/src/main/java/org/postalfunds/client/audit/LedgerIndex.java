package org.postalfunds.client.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.postalfunds.api.model.Refund;
import org.postalfunds.api.model.Transfer;
import org.postalfunds.client.ledger.EventFeed;
import org.postalfunds.client.ledger.LedgerEvent;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.model.Json;

/**
 * What exists on the ledger, learnt from its events: every meter ever registered, every transfer with the
 * last state an event reported, every allotment. The contract has no "list all meters" query; its events
 * are a complete log instead (every committed submit emits exactly one, carrying its result), so an
 * auditor replays them.
 */
public final class LedgerIndex {
    /** Bounds the replay, as the contract bounds its own audit scan. */
    public static final int MAX_METERS = 100_000;
    public static final int MAX_TRANSFERS = 1_000_000;
    public static final int MAX_ALLOTMENTS = 100_000;
    public static final int MAX_REFUNDS = 1_000_000;
    /** How long a replay may go without receiving anything before it is declared stalled. */
    public static final Duration MAX_SILENCE = Duration.ofSeconds(60);

    /** Told how far a long read has got (events replayed, blocks verified), e.g. every thousand. */
    @FunctionalInterface
    public interface Progress {
        void read(long count);

        Progress NONE = count -> {
        };
    }

    /** One allotment: distributor and recipient. */
    public record AllotmentKey(String distributorMeterId, String recipientMeterId) implements Comparable<AllotmentKey> {
        @Override
        public int compareTo(final AllotmentKey other) {
            int byDistributor = distributorMeterId.compareTo(other.distributorMeterId);
            return byDistributor != 0 ? byDistributor : recipientMeterId.compareTo(other.recipientMeterId);
        }
    }

    /** One refund: the printing meter and the piece (its key on the ledger), in meter and piece order. */
    public record RefundKey(String meterId, long pieceNumber) implements Comparable<RefundKey> {
        @Override
        public int compareTo(final RefundKey other) {
            int byMeter = meterId.compareTo(other.meterId);
            return byMeter != 0 ? byMeter : Long.compare(pieceNumber, other.pieceNumber);
        }
    }

    private final NavigableSet<String> meterIds;
    private final SortedMap<String, Transfer> transfers;
    private final NavigableSet<AllotmentKey> allotments;
    private final SortedMap<RefundKey, Refund> refunds;
    private final long events;
    private final long lastBlock;

    private LedgerIndex(final NavigableSet<String> meterIds, final SortedMap<String, Transfer> transfers,
            final NavigableSet<AllotmentKey> allotments, final SortedMap<RefundKey, Refund> refunds, final long events,
            final long lastBlock) {
        this.meterIds = Collections.unmodifiableNavigableSet(meterIds);
        this.transfers = Collections.unmodifiableSortedMap(transfers);
        this.allotments = Collections.unmodifiableNavigableSet(allotments);
        this.refunds = Collections.unmodifiableSortedMap(refunds);
        this.events = events;
        this.lastBlock = lastBlock;
    }

    /** Reads the feed to its end. */
    public static LedgerIndex build(final EventFeed feed, final Progress progress)
            throws LedgerException, InterruptedException {
        Objects.requireNonNull(progress, "progress");
        Builder builder = new Builder();
        long silentSince = System.nanoTime();
        while (!feed.ended()) {
            var next = feed.next(Duration.ofSeconds(1));
            if (next.isEmpty()) {
                if (!feed.ended() && System.nanoTime() - silentSince > MAX_SILENCE.toNanos()) {
                    throw LedgerException.transientFailure("replay", "no event for " + MAX_SILENCE.toSeconds()
                            + " seconds after " + builder.events() + " events; check the peer and run the audit again");
                }
                continue;
            }
            silentSince = System.nanoTime();
            builder.apply(next.get());
            if (builder.events() % 1_000 == 0) {
                progress.read(builder.events());
            }
        }
        progress.read(builder.events());
        return builder.build();
    }

    /** A builder that has seen no event yet: feed it events in commit order with {@link Builder#apply}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The index built one event at a time, e.g. by a reader that keeps following the ledger after a replay: the
     * same indexing and the same bounds as {@link #build}. Not thread-safe: one owner applies events and takes
     * snapshots.
     */
    public static final class Builder {
        private final NavigableSet<String> meterIds = new TreeSet<>();
        private final SortedMap<String, Transfer> transfers = new TreeMap<>();
        private final NavigableSet<AllotmentKey> allotments = new TreeSet<>();
        private final SortedMap<RefundKey, Refund> refunds = new TreeMap<>();
        private long events;
        private long lastBlock = -1;

        public Builder() {
        }

        /**
         * Indexes one event, the next in commit order.
         *
         * @throws IllegalStateException when the ledger holds more meters, transfers or allotments than the bounds
         */
        public Builder apply(final LedgerEvent event) {
            Objects.requireNonNull(event, "event");
            index(event, meterIds, transfers, allotments, refunds);
            events++;
            lastBlock = event.blockNumber();
            return this;
        }

        /** Events applied so far. */
        public long events() {
            return events;
        }

        /** The block of the last event applied; -1 when there was none. */
        public long lastBlock() {
            return lastBlock;
        }

        /** An immutable index of the events applied so far (a copy: later events do not change it). */
        public LedgerIndex build() {
            return new LedgerIndex(new TreeSet<>(meterIds), new TreeMap<>(transfers), new TreeSet<>(allotments),
                    new TreeMap<>(refunds), events, lastBlock);
        }

        /** The same as {@link #build()}. */
        public LedgerIndex snapshot() {
            return build();
        }
    }

    private static void index(final LedgerEvent event, final NavigableSet<String> meterIds,
            final Map<String, Transfer> transfers, final NavigableSet<AllotmentKey> allotments,
            final Map<RefundKey, Refund> refunds) {
        JsonNode payload = Json.treeFromLedger(event.payloadJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        // Every result that concerns a meter, transfer or allotment carries it whole under a fixed name.
        JsonNode meter = payload.path("meter").path("meterId");
        if (meter.isTextual()) {
            meterIds.add(meter.asText());
            requireBound(meterIds.size(), MAX_METERS, "meters");
        }
        JsonNode transfer = payload.get("transfer");
        if (transfer != null && transfer.isObject()) {
            Transfer snapshot = Json.convert(transfer, Transfer.class);
            transfers.put(snapshot.transferId(), snapshot);
            requireBound(transfers.size(), MAX_TRANSFERS, "transfers");
        }
        JsonNode allotment = payload.get("allotment");
        if (allotment != null && allotment.isObject()) {
            allotments.add(new AllotmentKey(allotment.path("distributorMeterId").asText(),
                    allotment.path("recipientMeterId").asText()));
            requireBound(allotments.size(), MAX_ALLOTMENTS, "allotments");
        }
        JsonNode refund = payload.get("refund");
        if (refund != null && refund.isObject()) {
            Refund snapshot = Json.convert(refund, Refund.class);
            refunds.put(new RefundKey(snapshot.meterId(), snapshot.pieceNumber()), snapshot);
            requireBound(refunds.size(), MAX_REFUNDS, "refunds");
        }
    }

    private static void requireBound(final int size, final int max, final String what) {
        if (size > max) {
            throw new IllegalStateException("the ledger holds more than " + max + " " + what
                    + ", more than this client audits in one run");
        }
    }

    public NavigableSet<String> meterIds() {
        return meterIds;
    }

    /** Each transfer as the last event about it reported it. */
    public SortedMap<String, Transfer> transfers() {
        return transfers;
    }

    public NavigableSet<AllotmentKey> allotments() {
        return allotments;
    }

    /** Each refund of a spoiled piece as the last event about it reported it. */
    public SortedMap<RefundKey, Refund> refunds() {
        return refunds;
    }

    public long events() {
        return events;
    }

    /** The block of the last event read; -1 when there was none. */
    public long lastBlock() {
        return lastBlock;
    }
}
