package org.postalfunds.chaincode.state;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.hyperledger.fabric.shim.ChaincodeStub;
import org.hyperledger.fabric.shim.ext.sbe.StateBasedEndorsement;
import org.hyperledger.fabric.shim.ext.sbe.impl.StateBasedEndorsementFactory;
import org.hyperledger.fabric.shim.ledger.CompositeKey;
import org.hyperledger.fabric.shim.ledger.KeyValue;
import org.hyperledger.fabric.shim.ledger.QueryResultsIterator;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Invariants;
import org.postalfunds.api.model.ControlSummed;
import org.postalfunds.chaincode.support.Json;

/**
 * One transaction's unit of work over the world state. Reads are cached (Fabric does not show a transaction its own
 * writes, the cache does); writes, endorsement policies and the event are buffered and reach the stub only in
 * {@link #commit()}. So a handler that throws, for any reason, has written nothing: bad input changes nothing.
 */
public final class LedgerTx {
    private static final Object ABSENT = new Object();

    private final ChaincodeStub stub;
    private final Map<String, Object> cache = new HashMap<>();
    private final SortedMap<String, Optional<byte[]>> writes = new TreeMap<>();
    private final SortedMap<String, SortedSet<String>> endorsers = new TreeMap<>();
    /** key -> a key-level policy copied byte for byte from another key. */
    private final SortedMap<String, byte[]> copiedPolicies = new TreeMap<>();
    /** collection -> key -> value to put, or empty for a purge. */
    private final SortedMap<String, SortedMap<String, Optional<byte[]>>> privateWrites = new TreeMap<>();
    private String eventName;
    private byte[] eventPayload;
    private boolean committed;

    public LedgerTx(final ChaincodeStub stub) {
        this.stub = stub;
    }

    public Instant now() {
        return stub.getTxTimestamp();
    }

    public long nowEpochSeconds() {
        return now().getEpochSecond();
    }

    public String txId() {
        return stub.getTxId();
    }

    public <T> Optional<T> read(final String key, final Class<T> type) {
        final Object cached = cache.get(key);
        if (cached == ABSENT) {
            return Optional.empty();
        }
        if (cached != null) {
            Invariants.check(type.isInstance(cached), "key " + Json.printable(key) + " read as two types");
            return Optional.of(type.cast(cached));
        }
        final byte[] stored = stub.getState(key);
        if (stored == null || stored.length == 0) {
            cache.put(key, ABSENT);
            return Optional.empty();
        }
        final T value = Json.stored(stored, type, key);
        cache.put(key, value);
        return Optional.of(value);
    }

    public boolean exists(final String key) {
        final Object cached = cache.get(key);
        if (cached != null) {
            return cached != ABSENT;
        }
        final byte[] stored = stub.getState(key);
        return stored != null && stored.length > 0;
    }

    public void write(final String key, final Object value) {
        requireOpen();
        Invariants.check(value != null, "null written to " + Json.printable(key));
        if (value instanceof ControlSummed registers) {
            registers.requireControlSum();
        }
        cache.put(key, value);
        writes.put(key, Optional.of(Json.bytes(value)));
    }

    public void delete(final String key) {
        requireOpen();
        cache.put(key, ABSENT);
        writes.put(key, Optional.empty());
    }

    /** Buffers a private data write (the value reaches only the collection's member peers). */
    public void writePrivate(final String collection, final String key, final byte[] value) {
        requireOpen();
        Invariants.check(value != null && value.length > 0, "empty private value for " + Json.printable(key));
        privateWrites.computeIfAbsent(collection, unused -> new TreeMap<>()).put(key, Optional.of(value.clone()));
    }

    /** Buffers a purge: the private value and all its past versions leave every member peer's private store. */
    public void purgePrivate(final String collection, final String key) {
        requireOpen();
        privateWrites.computeIfAbsent(collection, unused -> new TreeMap<>()).put(key, Optional.empty());
    }

    /**
     * SHA-256 of the committed private value, or empty when there is none. Every peer of the channel has the hashes,
     * members or not, so any endorser can check a private value against the public record without seeing it.
     */
    public Optional<byte[]> privateHash(final String collection, final String key) {
        final byte[] hash = stub.getPrivateDataHash(collection, key);
        return hash == null || hash.length == 0 ? Optional.empty() : Optional.of(hash);
    }

    /**
     * Key-level endorsement: from now on the key changes only with endorsements from peers of every listed
     * organisation (an AND policy), whatever the chaincode-level policy says.
     */
    public void requireEndorsement(final String key, final List<String> mspIds) {
        requireOpen();
        endorsers.put(key, new TreeSet<>(mspIds));
    }

    /**
     * Gives {@code key} the key-level policy {@code from} has now (nothing when {@code from} has none): a key created
     * on behalf of another, e.g. a meter's inflow key next to its account key, is protected exactly like it.
     */
    public void copyEndorsement(final String from, final String key) {
        requireOpen();
        final byte[] policy = stub.getStateValidationParameter(from);
        if (policy != null && policy.length > 0) {
            copiedPolicies.put(key, policy.clone());
        }
    }

    /** The transaction's one event. Fabric keeps only the last one set, so a second call is a bug. */
    public void emit(final String name, final byte[] payload) {
        requireOpen();
        Invariants.check(eventName == null, "a second event " + name + " after " + eventName);
        eventName = name;
        eventPayload = payload.clone();
    }

    /** Values under a partial composite key, in key order, at most {@code limit} (more is an error). */
    public List<KeyValue> list(final String objectType, final int limit, final String... attributes) {
        final List<KeyValue> found = new ArrayList<>();
        try (QueryResultsIterator<KeyValue> results =
                stub.getStateByPartialCompositeKey(new CompositeKey(objectType, attributes))) {
            for (final KeyValue keyValue : results) {
                if (found.size() == limit) {
                    throw ErrorCode.LIMIT_EXCEEDED.exception(
                            "more than " + limit + " entries under " + objectType + " " + String.join("/", attributes));
                }
                found.add(keyValue);
            }
        } catch (RuntimeException failure) {
            throw failure;
        } catch (Exception closing) {
            throw new IllegalStateException("closing a range query failed", closing);
        }
        return found;
    }

    /**
     * At most {@code limit} values under a partial composite key, in key order: the first ones, not an error when
     * there are more (bounded work in an update transaction, where paginated queries are not allowed).
     */
    public List<KeyValue> first(final String objectType, final int limit, final String... attributes) {
        final List<KeyValue> found = new ArrayList<>();
        if (limit <= 0) {
            return found;
        }
        try (QueryResultsIterator<KeyValue> results =
                stub.getStateByPartialCompositeKey(new CompositeKey(objectType, attributes))) {
            for (final KeyValue keyValue : results) {
                found.add(keyValue);
                if (found.size() == limit) {
                    break;
                }
            }
        } catch (RuntimeException failure) {
            throw failure;
        } catch (Exception closing) {
            throw new IllegalStateException("closing a range query failed", closing);
        }
        return found;
    }

    /** The first key under a partial composite key, if any; reads no further than that one entry. */
    public java.util.Optional<String> firstKey(final String objectType, final String... attributes) {
        try (QueryResultsIterator<KeyValue> results =
                stub.getStateByPartialCompositeKey(new CompositeKey(objectType, attributes))) {
            for (final KeyValue keyValue : results) {
                return java.util.Optional.of(keyValue.getKey());
            }
            return java.util.Optional.empty();
        } catch (RuntimeException failure) {
            throw failure;
        } catch (Exception closing) {
            throw new IllegalStateException("closing a range query failed", closing);
        }
    }

    public ChaincodeStub stub() {
        return stub;
    }

    /** Writes everything buffered, in key order so every endorser produces the same write set. */
    public void commit() {
        requireOpen();
        committed = true;
        writes.forEach((key, value) -> {
            if (value.isPresent()) {
                stub.putState(key, value.get());
            } else {
                stub.delState(key);
            }
        });
        endorsers.forEach((key, mspIds) -> {
            final StateBasedEndorsement policy =
                    StateBasedEndorsementFactory.getInstance().newStateBasedEndorsement(null);
            policy.addOrgs(StateBasedEndorsement.RoleType.RoleTypePeer, mspIds.toArray(new String[0]));
            stub.setStateValidationParameter(key, policy.policy());
        });
        copiedPolicies.forEach(stub::setStateValidationParameter);
        privateWrites.forEach((collection, values) -> values.forEach((key, value) -> {
            if (value.isPresent()) {
                stub.putPrivateData(collection, key, value.get());
            } else {
                stub.purgePrivateData(collection, key);
            }
        }));
        if (eventName != null) {
            stub.setEvent(eventName, eventPayload);
        }
    }

    private void requireOpen() {
        Invariants.check(!committed, "ledger transaction used after commit");
    }
}
