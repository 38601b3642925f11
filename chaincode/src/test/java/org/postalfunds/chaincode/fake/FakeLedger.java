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

    private final NavigableMap<String, Versioned> state = new TreeMap<>();
    private final Map<String, byte[]> validationParameters = new HashMap<>();
    private final Map<String, List<HistoryEntry>> history = new HashMap<>();
    private final List<Event> events = new ArrayList<>();
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
        copy.nextVersion = nextVersion;
        return copy;
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
        if (tx.eventName() != null) {
            events.add(new Event(tx.getTxId(), tx.eventName(), tx.eventPayload()));
        }
    }
}
