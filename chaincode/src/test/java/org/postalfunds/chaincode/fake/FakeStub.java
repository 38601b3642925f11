package org.postalfunds.chaincode.fake;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.hyperledger.fabric.protos.peer.ChaincodeEvent;
import org.hyperledger.fabric.protos.peer.QueryResponseMetadata;
import org.hyperledger.fabric.protos.peer.SignedProposal;
import org.hyperledger.fabric.shim.Chaincode;
import org.hyperledger.fabric.shim.ChaincodeStub;
import org.hyperledger.fabric.shim.ledger.CompositeKey;
import org.hyperledger.fabric.shim.ledger.KeyModification;
import org.hyperledger.fabric.shim.ledger.KeyValue;
import org.hyperledger.fabric.shim.ledger.QueryResultsIterator;
import org.hyperledger.fabric.shim.ledger.QueryResultsIteratorWithMetadata;

/**
 * One transaction's view of a {@link FakeLedger}: reads see committed state only and are recorded with their
 * versions; writes, key-level policies and the event are buffered until the ledger commits the transaction.
 */
public final class FakeStub implements ChaincodeStub {
    private static final String MAX_UNICODE_RUNE = "\udbff\udfff";

    record RangeRead(String start, String end, Map<String, Long> seen) {}

    private final FakeLedger ledger;
    private final String txId;
    private final Instant timestamp;
    private final byte[] creator;
    private final Map<String, Long> readVersions = new LinkedHashMap<>();
    private final List<RangeRead> rangeReads = new ArrayList<>();
    private final Map<String, byte[]> writes = new TreeMap<>();
    private final Map<String, byte[]> validationParameterWrites = new TreeMap<>();
    private final List<String> putOrder = new ArrayList<>();
    private final Map<String, Long> privateReadVersions = new LinkedHashMap<>();
    private final Map<String, Map<String, byte[]>> privateWrites = new TreeMap<>();
    private final java.util.Set<String> privatePurges = new java.util.TreeSet<>();
    private Map<String, byte[]> transientData = Map.of();
    private String peerMsp = "DataCenterMSP";
    private List<byte[]> args = List.of();
    private String eventName;
    private byte[] eventPayload;

    FakeStub(final FakeLedger ledger, final String txId, final Instant timestamp, final byte[] creator) {
        this.ledger = ledger;
        this.txId = txId;
        this.timestamp = timestamp;
        this.creator = creator.clone();
    }

    // ---- what the transaction did, for tests and for the ledger's validation ------------------------------------

    /** Distinct keys read (the read set's size, as a peer's read-write set would carry it). */
    public int readCount() {
        return readVersions.size();
    }

    /** Keys read with getState (the read set's keys), in first-read order. */
    public java.util.Set<String> readKeys() {
        return Collections.unmodifiableSet(readVersions.keySet());
    }

    /** Range and partial-composite-key scans, and the keys they saw (each key re-checked at validation). */
    public int rangeScanCount() {
        return rangeReads.size();
    }

    public int keysSeenByScans() {
        return rangeReads.stream().mapToInt(range -> range.seen().size()).sum();
    }

    public int privateReadCount() {
        return privateReadVersions.size();
    }

    /** Keys written (value) or deleted (null), in key order. */
    public Map<String, byte[]> writes() {
        return Collections.unmodifiableMap(writes);
    }

    /** Every putState/delState call in call order, including repeats. */
    public List<String> putOrder() {
        return List.copyOf(putOrder);
    }

    public Map<String, byte[]> validationParameterWrites() {
        return Collections.unmodifiableMap(validationParameterWrites);
    }

    public String eventName() {
        return eventName;
    }

    public byte[] eventPayload() {
        return eventPayload == null ? null : eventPayload.clone();
    }

    Map<String, Long> readVersions() {
        return readVersions;
    }

    List<RangeRead> rangeReads() {
        return rangeReads;
    }

    /** The proposal's transient map (never part of the transaction that is ordered and stored). */
    public FakeStub withTransient(final Map<String, byte[]> transientMap) {
        final Map<String, byte[]> copy = new TreeMap<>();
        transientMap.forEach((key, value) -> copy.put(key, value.clone()));
        this.transientData = Collections.unmodifiableMap(copy);
        return this;
    }

    /** The organisation of the peer that runs this proposal (default DataCenterMSP). */
    public FakeStub onPeerOf(final String mspId) {
        this.peerMsp = mspId;
        return this;
    }

    /** Private writes per collection: key -> value, null for a delete or purge. */
    public Map<String, Map<String, byte[]>> privateWrites() {
        return Collections.unmodifiableMap(privateWrites);
    }

    /** "collection\u0001key" of every purgePrivateData call. */
    public java.util.Set<String> privatePurges() {
        return Collections.unmodifiableSet(privatePurges);
    }

    Map<String, Long> privateReadVersions() {
        return privateReadVersions;
    }

    public void setArgs(final List<byte[]> arguments) {
        this.args = List.copyOf(arguments);
    }

    // ---- ChaincodeStub ---------------------------------------------------------------------------------------------

    @Override
    public byte[] getState(final String key) {
        readVersions.putIfAbsent(key, ledger.versionOf(key));
        return ledger.value(key).map(byte[]::clone).orElse(null);
    }

    @Override
    public void putState(final String key, final byte[] value) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("key must not be empty");
        }
        // Fabric treats an empty value as a delete; the contract must never rely on that.
        if (value == null || value.length == 0) {
            throw new IllegalArgumentException("empty value written to " + key);
        }
        writes.put(key, value.clone());
        putOrder.add(key);
    }

    @Override
    public void delState(final String key) {
        writes.put(key, null);
        putOrder.add(key);
    }

    @Override
    public byte[] getStateValidationParameter(final String key) {
        return ledger.validationParameter(key);
    }

    @Override
    public void setStateValidationParameter(final String key, final byte[] value) {
        validationParameterWrites.put(key, value.clone());
    }

    @Override
    public QueryResultsIterator<KeyValue> getStateByRange(final String startKey, final String endKey) {
        return iterator(scan(startKey, endKey, Integer.MAX_VALUE, true));
    }

    @Override
    public QueryResultsIteratorWithMetadata<KeyValue> getStateByRangeWithPagination(
            final String startKey, final String endKey, final int pageSize, final String bookmark) {
        return paged(bookmark == null || bookmark.isEmpty() ? startKey : bookmark, endKey, pageSize);
    }

    @Override
    public QueryResultsIterator<KeyValue> getStateByPartialCompositeKey(final String compositeKey) {
        final CompositeKey key = compositeKey.startsWith(CompositeKey.NAMESPACE)
                ? CompositeKey.parseCompositeKey(compositeKey) : new CompositeKey(compositeKey);
        return getStateByPartialCompositeKey(key);
    }

    @Override
    public QueryResultsIterator<KeyValue> getStateByPartialCompositeKey(
            final String objectType, final String... attributes) {
        return getStateByPartialCompositeKey(new CompositeKey(objectType, attributes));
    }

    @Override
    public QueryResultsIterator<KeyValue> getStateByPartialCompositeKey(final CompositeKey compositeKey) {
        final String start = compositeKey.toString();
        return iterator(scan(start, start + MAX_UNICODE_RUNE, Integer.MAX_VALUE, true));
    }

    @Override
    public QueryResultsIteratorWithMetadata<KeyValue> getStateByPartialCompositeKeyWithPagination(
            final CompositeKey compositeKey, final int pageSize, final String bookmark) {
        final String start = compositeKey.toString();
        return paged(bookmark == null || bookmark.isEmpty() ? start : bookmark, start + MAX_UNICODE_RUNE, pageSize);
    }

    @Override
    public CompositeKey createCompositeKey(final String objectType, final String... attributes) {
        return new CompositeKey(objectType, attributes);
    }

    @Override
    public CompositeKey splitCompositeKey(final String compositeKey) {
        return CompositeKey.parseCompositeKey(compositeKey);
    }

    @Override
    public QueryResultsIterator<KeyModification> getHistoryForKey(final String key) {
        final List<KeyModification> newestFirst = new ArrayList<>();
        for (final FakeLedger.HistoryEntry entry : ledger.historyOf(key)) {
            newestFirst.add(0, new Modification(entry.txId(), entry.timestamp(), entry.value()));
        }
        return iterator(newestFirst);
    }

    @Override
    public void setEvent(final String name, final byte[] payload) {
        this.eventName = name;
        this.eventPayload = payload.clone();
    }

    @Override
    public String getTxId() {
        return txId;
    }

    @Override
    public Instant getTxTimestamp() {
        return timestamp;
    }

    @Override
    public byte[] getCreator() {
        return creator.clone();
    }

    @Override
    public String getChannelId() {
        return "postal";
    }

    @Override
    public String getMspId() {
        return peerMsp;
    }

    @Override
    public List<byte[]> getArgs() {
        return args;
    }

    @Override
    public List<String> getStringArgs() {
        final List<String> strings = new ArrayList<>();
        args.forEach(arg -> strings.add(new String(arg, java.nio.charset.StandardCharsets.UTF_8)));
        return strings;
    }

    @Override
    public String getFunction() {
        return getStringArgs().isEmpty() ? null : getStringArgs().get(0);
    }

    @Override
    public List<String> getParameters() {
        final List<String> strings = getStringArgs();
        return strings.isEmpty() ? List.of() : strings.subList(1, strings.size());
    }

    @Override
    public Map<String, byte[]> getTransient() {
        return transientData;
    }

    // ---- private data, as a peer of {@link #onPeerOf} sees it --------------------------------------------------------

    /**
     * Fabric's checks, in its order: the collection must exist; with memberOnlyRead the client (creator) must belong
     * to a member organisation; and the peer must be a member, since only member peers receive the data.
     */
    @Override
    public byte[] getPrivateData(final String collection, final String key) {
        final FakeLedger.CollectionDefinition definition = requireCollection(collection);
        if (definition.memberOnlyRead() && !definition.memberMsps().contains(creatorMsp())) {
            throw new IllegalStateException("tx creator does not have read access permission on privatedata in "
                    + "chaincodeName:postal-ledger collectionName: " + collection);
        }
        if (!definition.memberMsps().contains(peerMsp)) {
            throw new IllegalStateException("private data matching public hash version is not available on a peer of "
                    + peerMsp + " (not a member of " + collection + ")");
        }
        privateReadVersions.putIfAbsent(collection + "\u0001" + key, ledger.privateVersionOf(collection, key));
        return ledger.privateValue(collection, key).orElse(null);
    }

    /** Every peer of the channel holds the hashes, so this works on any peer; null when there is no value. */
    @Override
    public byte[] getPrivateDataHash(final String collection, final String key) {
        requireCollection(collection);
        privateReadVersions.putIfAbsent(collection + "\u0001" + key, ledger.privateVersionOf(collection, key));
        return ledger.privateValue(collection, key).map(FakeStub::sha256).orElse(null);
    }

    @Override
    public void putPrivateData(final String collection, final String key, final byte[] value) {
        requireWritable(collection);
        if (key == null || key.isEmpty() || value == null || value.length == 0) {
            throw new IllegalArgumentException("private data needs a key and a non-empty value");
        }
        privateWrites.computeIfAbsent(collection, unused -> new TreeMap<>()).put(key, value.clone());
        putOrder.add(collection + "/" + key);
    }

    @Override
    public void delPrivateData(final String collection, final String key) {
        requireWritable(collection);
        privateWrites.computeIfAbsent(collection, unused -> new TreeMap<>()).put(key, null);
        putOrder.add(collection + "/" + key);
    }

    @Override
    public void purgePrivateData(final String collection, final String key) {
        requireWritable(collection);
        privateWrites.computeIfAbsent(collection, unused -> new TreeMap<>()).put(key, null);
        privatePurges.add(collection + "\u0001" + key);
        putOrder.add(collection + "/" + key);
    }

    private FakeLedger.CollectionDefinition requireCollection(final String collection) {
        return ledger.collection(collection).orElseThrow(() -> new IllegalStateException(
                "collection " + collection + " could not be found for chaincode postal-ledger"));
    }

    private void requireWritable(final String collection) {
        final FakeLedger.CollectionDefinition definition = requireCollection(collection);
        if (definition.memberOnlyWrite() && !definition.memberMsps().contains(creatorMsp())) {
            throw new IllegalStateException("tx creator does not have write access permission on privatedata in "
                    + "chaincodeName:postal-ledger collectionName: " + collection);
        }
    }

    private String creatorMsp() {
        try {
            return org.hyperledger.fabric.protos.msp.SerializedIdentity.parseFrom(creator).getMspid();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException("creator is not a serialised identity", e);
        }
    }

    private static byte[] sha256(final byte[] value) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(value);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- not used by this chaincode ------------------------------------------------------------------------------

    @Override
    public Chaincode.Response invokeChaincode(final String name, final List<byte[]> arguments, final String channel) {
        throw unsupported();
    }

    @Override
    public QueryResultsIterator<KeyValue> getQueryResult(final String query) {
        throw unsupported();
    }

    @Override
    public QueryResultsIteratorWithMetadata<KeyValue> getQueryResultWithPagination(
            final String query, final int pageSize, final String bookmark) {
        throw unsupported();
    }



    @Override
    public byte[] getPrivateDataValidationParameter(final String collection, final String key) {
        throw unsupported();
    }


    @Override
    public void setPrivateDataValidationParameter(final String collection, final String key, final byte[] value) {
        throw unsupported();
    }



    @Override
    public QueryResultsIterator<KeyValue> getPrivateDataByRange(
            final String collection, final String startKey, final String endKey) {
        throw unsupported();
    }

    @Override
    public QueryResultsIterator<KeyValue> getPrivateDataByPartialCompositeKey(
            final String collection, final String compositeKey) {
        throw unsupported();
    }

    @Override
    public QueryResultsIterator<KeyValue> getPrivateDataByPartialCompositeKey(
            final String collection, final CompositeKey compositeKey) {
        throw unsupported();
    }

    @Override
    public QueryResultsIterator<KeyValue> getPrivateDataByPartialCompositeKey(
            final String collection, final String objectType, final String... attributes) {
        throw unsupported();
    }

    @Override
    public QueryResultsIterator<KeyValue> getPrivateDataQueryResult(final String collection, final String query) {
        throw unsupported();
    }

    @Override
    public ChaincodeEvent getEvent() {
        return eventName == null ? null : ChaincodeEvent.newBuilder().setEventName(eventName)
                .setPayload(com.google.protobuf.ByteString.copyFrom(eventPayload)).setTxId(txId).build();
    }

    @Override
    public SignedProposal getSignedProposal() {
        throw unsupported();
    }

    @Override
    public byte[] getBinding() {
        throw unsupported();
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    /** Reads a key range of committed state and records it for the phantom check. */
    private List<KeyValue> scan(final String start, final String end, final int limit, final boolean recordRange) {
        final List<KeyValue> found = new ArrayList<>();
        final Map<String, Long> seen = new TreeMap<>();
        for (final Map.Entry<String, FakeLedger.Versioned> entry : ledger.range(start, end).entrySet()) {
            if (found.size() == limit) {
                break;
            }
            found.add(new Entry(entry.getKey(), entry.getValue().value().clone()));
            seen.put(entry.getKey(), entry.getValue().version());
        }
        if (recordRange) {
            rangeReads.add(new RangeRead(start, end, seen));
        }
        return found;
    }

    private QueryResultsIteratorWithMetadata<KeyValue> paged(final String start, final String end, final int pageSize) {
        final List<KeyValue> page = scan(start, end, pageSize + 1, false);
        final String bookmark = page.size() > pageSize ? page.get(pageSize).getKey() : "";
        final List<KeyValue> entries = page.size() > pageSize ? page.subList(0, pageSize) : page;
        final QueryResponseMetadata metadata = QueryResponseMetadata.newBuilder()
                .setFetchedRecordsCount(entries.size()).setBookmark(bookmark).build();
        return new QueryResultsIteratorWithMetadata<>() {
            @Override
            public QueryResponseMetadata getMetadata() {
                return metadata;
            }

            @Override
            public void close() {}

            @Override
            public Iterator<KeyValue> iterator() {
                return entries.iterator();
            }
        };
    }

    private static <T> QueryResultsIterator<T> iterator(final List<T> items) {
        return new QueryResultsIterator<>() {
            @Override
            public void close() {}

            @Override
            public Iterator<T> iterator() {
                return items.iterator();
            }
        };
    }

    private static UnsupportedOperationException unsupported() {
        return new UnsupportedOperationException("not used by the postal ledger chaincode");
    }

    private record Entry(String key, byte[] value) implements KeyValue {
        @Override
        public String getKey() {
            return key;
        }

        @Override
        public byte[] getValue() {
            return value.clone();
        }

        @Override
        public String getStringValue() {
            return new String(value, java.nio.charset.StandardCharsets.UTF_8);
        }

        @Override
        public boolean equals(final Object other) {
            return other instanceof Entry entry && entry.key.equals(key) && Arrays.equals(entry.value, value);
        }

        @Override
        public int hashCode() {
            return key.hashCode() * 31 + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return key;
        }
    }

    private record Modification(String txId, Instant timestamp, byte[] value) implements KeyModification {
        @Override
        public String getTxId() {
            return txId;
        }

        @Override
        public byte[] getValue() {
            return value == null ? new byte[0] : value.clone();
        }

        @Override
        public String getStringValue() {
            return new String(getValue(), java.nio.charset.StandardCharsets.UTF_8);
        }

        @Override
        public Instant getTimestamp() {
            return timestamp;
        }

        @Override
        public boolean isDeleted() {
            return value == null;
        }

        @Override
        public boolean equals(final Object other) {
            return other instanceof Modification modification && modification.txId.equals(txId)
                    && Arrays.equals(modification.value, value);
        }

        @Override
        public int hashCode() {
            return txId.hashCode();
        }
    }
}
