package org.postalfunds.chaincode.fake;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.hyperledger.fabric.shim.ext.sbe.impl.StateBasedEndorsementFactory;

/**
 * An in-memory Fabric world state: committed values with versions, key history, key-level endorsement policies and
 * committed events. Transactions run on a {@link FakeStub} against this state (no read-your-own-writes, as in
 * Fabric) and are validated at commit like a peer does: MVCC read versions, phantom reads of range queries, and
 * key-level endorsement policies against the organisations that endorsed.
 */
public final class FakeLedger {
    /** Why a transaction was not applied at commit; VALID means it was. */
    public enum Validation { VALID, MVCC_READ_CONFLICT, PHANTOM_READ_CONFLICT, ENDORSEMENT_POLICY_FAILURE }

    record Versioned(byte[] value, long version) {}

    record HistoryEntry(String txId, Instant timestamp, byte[] value) {}

    public record Event(String txId, String name, byte[] payload) {}

    /**
     * A private data collection as the channel defines it (network/collections_config.json): its member
     * organisations (whose peers hold the data), whether only members' clients may read or write it, and the
     * organisations whose peers must endorse a write to it (its endorsementPolicy, an AND here).
     */
    public record CollectionDefinition(String name, Set<String> memberMsps, boolean memberOnlyRead,
            boolean memberOnlyWrite, Set<String> endorsingMsps) {
        public CollectionDefinition {
            memberMsps = Set.copyOf(memberMsps);
            endorsingMsps = Set.copyOf(endorsingMsps);
        }
    }

    private final NavigableMap<String, Versioned> state = new TreeMap<>();
    private final Map<String, byte[]> validationParameters = new HashMap<>();
    private final Map<String, List<HistoryEntry>> history = new HashMap<>();
    private final List<Event> events = new ArrayList<>();
    private final Map<String, CollectionDefinition> collections = new TreeMap<>();
    /** collection -> key -> value; on a real network only member peers hold it, {@link FakeStub} enforces that. */
    private final Map<String, NavigableMap<String, Versioned>> privateState = new TreeMap<>();
    /** collection -> key -> every committed private value (null for a delete); a purge empties it. */
    private final Map<String, Map<String, List<byte[]>>> privateHistory = new TreeMap<>();
    private long nextVersion = 1;

    /**
     * An independent copy of everything committed (values with their versions, history, key-level policies, events),
     * so a test can build a ledger once and run many alternatives from the same state.
     */
    public FakeLedger copy() {
        final FakeLedger copy = new FakeLedger();
        state.forEach((key, versioned) ->
                copy.state.put(key, new Versioned(versioned.value().clone(), versioned.version())));
        validationParameters.forEach((key, policy) -> copy.validationParameters.put(key, policy.clone()));
        history.forEach((key, entries) -> {
            final List<HistoryEntry> copied = new ArrayList<>();
            entries.forEach(entry -> copied.add(new HistoryEntry(entry.txId(), entry.timestamp(),
                    entry.value() == null ? null : entry.value().clone())));
            copy.history.put(key, copied);
        });
        events.forEach(event -> copy.events.add(new Event(event.txId(), event.name(), event.payload().clone())));
        copy.collections.putAll(collections);
        privateState.forEach((collection, values) -> {
            final NavigableMap<String, Versioned> copied = new TreeMap<>();
            values.forEach((key, versioned) -> copied.put(key, new Versioned(versioned.value().clone(), versioned.version())));
            copy.privateState.put(collection, copied);
        });
        privateHistory.forEach((collection, keys) -> {
            final Map<String, List<byte[]>> copied = new TreeMap<>();
            keys.forEach((key, values) -> copied.put(key, new ArrayList<>(values)));
            copy.privateHistory.put(collection, copied);
        });
        copy.nextVersion = nextVersion;
        return copy;
    }

    public void defineCollection(final CollectionDefinition collection) {
        collections.put(collection.name(), collection);
    }

    public Optional<CollectionDefinition> collection(final String name) {
        return Optional.ofNullable(collections.get(name));
    }

    /** The committed private value, as a member peer holds it (tests only: the stub gates access by organisation). */
    public Optional<byte[]> privateValue(final String collection, final String key) {
        return Optional.ofNullable(privateState.getOrDefault(collection, new TreeMap<>()).get(key))
                .map(versioned -> versioned.value().clone());
    }

    /** The keys that hold a committed private value in the collection (tests only). */
    public java.util.Set<String> privateKeys(final String collection) {
        return java.util.Set.copyOf(privateState.getOrDefault(collection, new TreeMap<>()).keySet());
    }

    /** The names of the defined collections. */
    public java.util.Set<String> collectionNames() {
        return java.util.Set.copyOf(collections.keySet());
    }

    /** Every private value ever committed under the key and still kept; a purge leaves nothing, a delete keeps the past. */
    public List<byte[]> privateHistory(final String collection, final String key) {
        return List.copyOf(privateHistory.getOrDefault(collection, Map.of()).getOrDefault(key, List.of()).stream()
                .filter(java.util.Objects::nonNull).toList());
    }

    long privateVersionOf(final String collection, final String key) {
        final Versioned versioned = privateState.getOrDefault(collection, new TreeMap<>()).get(key);
        return versioned == null ? 0 : versioned.version();
    }

    public FakeStub newTransaction(final String txId, final Instant timestamp, final byte[] creator) {
        return new FakeStub(this, txId, timestamp, creator);
    }

    /** Validates and applies one transaction as a block of its own. */
    public Validation commit(final FakeStub tx, final Set<String> endorsingMsps) {
        return commitBlock(List.of(tx), List.of(endorsingMsps)).get(0);
    }

    /**
     * Validates and applies transactions in order, as the peer does for one block: each is checked against the
     * state left by the valid ones before it.
     */
    public List<Validation> commitBlock(final List<FakeStub> block, final List<Set<String>> endorsingMsps) {
        final List<Validation> results = new ArrayList<>();
        for (int i = 0; i < block.size(); i++) {
            final FakeStub tx = block.get(i);
            final Validation validation = validate(tx, endorsingMsps.get(i));
            if (validation == Validation.VALID) {
                apply(tx);
            }
            results.add(validation);
        }
        return results;
    }

    public Optional<byte[]> value(final String key) {
        return Optional.ofNullable(state.get(key)).map(Versioned::value);
    }

    /** Committed keys and values in key order (composite keys included). */
    public NavigableMap<String, byte[]> snapshot() {
        final NavigableMap<String, byte[]> copy = new TreeMap<>();
        state.forEach((key, versioned) -> copy.put(key, versioned.value()));
        return copy;
    }

    public byte[] validationParameter(final String key) {
        return validationParameters.get(key);
    }

    public List<Event> events() {
        return List.copyOf(events);
    }

    long versionOf(final String key) {
        final Versioned versioned = state.get(key);
        return versioned == null ? 0 : versioned.version();
    }

    NavigableMap<String, Versioned> range(final String startInclusive, final String endExclusive) {
        return state.subMap(startInclusive, true, endExclusive, false);
    }

    List<HistoryEntry> historyOf(final String key) {
        return history.getOrDefault(key, List.of());
    }

    private Validation validate(final FakeStub tx, final Set<String> endorsingMsps) {
        for (final Map.Entry<String, Long> read : tx.readVersions().entrySet()) {
            if (versionOf(read.getKey()) != read.getValue()) {
                return Validation.MVCC_READ_CONFLICT;
            }
        }
        for (final FakeStub.RangeRead rangeRead : tx.rangeReads()) {
            final Map<String, Long> now = new TreeMap<>();
            range(rangeRead.start(), rangeRead.end()).forEach((key, versioned) -> now.put(key, versioned.version()));
            if (!now.equals(rangeRead.seen())) {
                return Validation.PHANTOM_READ_CONFLICT;
            }
        }
        for (final String key : tx.writes().keySet()) {
            final byte[] policy = validationParameters.get(key);
            if (policy != null && !endorsingMsps.containsAll(orgsOf(policy))) {
                return Validation.ENDORSEMENT_POLICY_FAILURE;
            }
        }
        for (final Map.Entry<String, Long> read : tx.privateReadVersions().entrySet()) {
            final String[] collectionAndKey = read.getKey().split("\u0001", 2);
            if (privateVersionOf(collectionAndKey[0], collectionAndKey[1]) != read.getValue()) {
                return Validation.MVCC_READ_CONFLICT;
            }
        }
        // A write to a collection is validated against the collection's endorsement policy, as Fabric does.
        for (final String collection : tx.privateWrites().keySet()) {
            if (!endorsingMsps.containsAll(collections.get(collection).endorsingMsps())) {
                return Validation.ENDORSEMENT_POLICY_FAILURE;
            }
        }
        return Validation.VALID;
    }

    /**
     * The keys {@code tx} read whose committed version has changed since: after a block, why a transaction was
     * invalidated (MVCC_READ_CONFLICT), for reports.
     */
    public List<String> staleReads(final FakeStub tx) {
        final List<String> stale = new ArrayList<>();
        tx.readVersions().forEach((key, version) -> {
            if (versionOf(key) != version) {
                stale.add(key);
            }
        });
        return stale;
    }

    /** The organisations a key-level policy (an AND of peers, as the shim builds it) requires. */
    public static Collection<String> orgsOf(final byte[] policy) {
        return StateBasedEndorsementFactory.getInstance().newStateBasedEndorsement(policy).listOrgs();
    }

    private void apply(final FakeStub tx) {
        final long version = nextVersion++;
        tx.writes().forEach((key, value) -> {
            if (value == null) {
                state.remove(key);
            } else {
                state.put(key, new Versioned(value.clone(), version));
            }
            history.computeIfAbsent(key, unused -> new ArrayList<>())
                    .add(new HistoryEntry(tx.getTxId(), tx.getTxTimestamp(), value == null ? null : value.clone()));
        });
        validationParameters.putAll(tx.validationParameterWrites());
        tx.privateWrites().forEach((collection, values) -> values.forEach((key, value) -> {
            final NavigableMap<String, Versioned> held = privateState.computeIfAbsent(collection, unused -> new TreeMap<>());
            final List<byte[]> past = privateHistory.computeIfAbsent(collection, unused -> new TreeMap<>())
                    .computeIfAbsent(key, unused -> new ArrayList<>());
            if (value == null) {
                held.remove(key);
            } else {
                held.put(key, new Versioned(value.clone(), version));
            }
            past.add(value == null ? null : value.clone());
            if (tx.privatePurges().contains(collection + "\u0001" + key)) {
                // purgePrivateData: the current value and every earlier version leave the peers' private store.
                past.clear();
            }
        }));
        if (tx.eventName() != null) {
            events.add(new Event(tx.getTxId(), tx.eventName(), tx.eventPayload()));
        }
    }
}
