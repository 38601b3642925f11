package org.postalfunds.client.ledger;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.protobuf.ByteString;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.hyperledger.fabric.client.Checkpoint;
import org.hyperledger.fabric.client.identity.Identities;
import org.hyperledger.fabric.client.identity.Signer;
import org.hyperledger.fabric.contract.InProcessRouter;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.msp.SerializedIdentity;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.hyperledger.fabric.shim.Chaincode;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.chaincode.fake.FakeLedger;
import org.postalfunds.chaincode.fake.FakeStub;
import org.postalfunds.chaincode.fake.TestIdentity;

/**
 * The postal contract running in this JVM on the chaincode's in-memory ledger, reached like a peer
 * reaches it (the shim's router, string arguments, the caller's certificate as the creator) and committed
 * like a peer commits (MVCC and key-level endorsement validation). Each submit becomes a real block of its
 * own: an envelope signed by the caller's signer, endorsed and signed by each organisation's peer identity,
 * the validation code in the block metadata, header hashes chained as Fabric chains them. Its event is
 * replayed to followers with its block number and transaction id, so checkpoints work as they do against
 * the peer's event service.
 */
public final class InProcessNetwork {
    public static final Instant START = Instant.parse("2026-03-02T10:00:00Z");
    /** Every organisation endorses, as the channel's endorsement policy and the key-level policies require. */
    public static final Set<String> ALL_ORGS = org.postalfunds.chaincode.access.Organisations.CONSORTIUM;

    private final FakeLedger ledger = new FakeLedger();
    private final MutableClock clock = new MutableClock(START);
    private final SecureRandom random = new SecureRandom();
    private final List<LedgerEvent> events = new ArrayList<>();
    private final List<Runnable> beforeNextCommit = new ArrayList<>();
    private final AtomicInteger submits = new AtomicInteger();
    private final List<String> submittedRequestIds = new ArrayList<>();
    private final List<Block> blocks = new ArrayList<>();
    private final Map<String, TestIdentity> peers = new TreeMap<>();
    private Set<String> nextEndorsers;

    public InProcessNetwork() {
        for (String msp : ALL_ORGS) {
            peers.put(msp, TestIdentity.p256(msp, "peer0." + msp));
        }
        blocks.add(BlockBuilder.genesis());
        // The channel's private data collections, as network/collections_config.json defines them.
        org.postalfunds.chaincode.fake.NetworkCollections.defineIn(ledger);
        // As test-network/deploy.sh does once the definition is committed: the consortium record, before any call.
        TestIdentity deployer = TestIdentity.p256(org.postalfunds.chaincode.access.Organisations.DATA_CENTER, "dc-admin");
        try {
            connect(deployer.mspId(), org.postalfunds.client.Consortium.certificate(deployer),
                    org.postalfunds.client.Consortium.signer(deployer))
                    .submit(org.postalfunds.client.ledger.LedgerCall.transaction(
                            org.postalfunds.api.LedgerFunction.INIT_CONSORTIUM, "consortium-init",
                            org.postalfunds.chaincode.access.Organisations.RECORD_JSON));
        } catch (LedgerException e) {
            throw new IllegalStateException("the in-process network could not write its consortium record", e);
        }
    }

    public MutableClock clock() {
        return clock;
    }

    public FakeLedger fakeLedger() {
        return ledger;
    }

    /** A ledger connection for one identity; the signer must belong to the certificate, as peers check. */
    public Ledger connect(final String mspId, final X509Certificate certificate, final Signer signer) {
        return connect(mspId, certificate, signer, RetryPolicy.DEFAULT);
    }

    /** As {@link #connect(String, X509Certificate, Signer)}, retrying as {@code retryPolicy} says (NONE: never). */
    public Ledger connect(final String mspId, final X509Certificate certificate, final Signer signer,
            final RetryPolicy retryPolicy) {
        byte[] creator = SerializedIdentity.newBuilder().setMspid(mspId)
                .setIdBytes(ByteString.copyFromUtf8(Identities.toPemString(certificate))).build().toByteArray();
        return new InProcessLedger(this, creator, certificate, signer, retryPolicy);
    }

    /**
     * An organisation joins the channel with its own peer (as a configuration update and a peer join do on a real
     * network): from now on its peer endorses too. Its meters need the ledger's admission (admitMeterOwner) as well.
     */
    public synchronized void joinChannel(final String mspId) {
        peers.putIfAbsent(mspId, TestIdentity.p256(mspId, "peer0." + mspId));
    }

    /** Runs {@code action} once, between the endorsement and the commit of the next submit (a concurrent writer). */
    public synchronized void beforeNextCommit(final Runnable action) {
        beforeNextCommit.add(action);
    }

    /** Every request id submitted, once per attempt, in order. */
    public synchronized List<String> submittedRequestIds() {
        return List.copyOf(submittedRequestIds);
    }

    public synchronized List<LedgerEvent> events() {
        return List.copyOf(events);
    }

    public synchronized long height() {
        return blocks.size();
    }

    public synchronized List<Block> blocks() {
        return List.copyOf(blocks);
    }

    /** The next submit is endorsed by these organisations' peers only (default: every organisation). */
    public synchronized void endorseNextWith(final Set<String> msps) {
        nextEndorsers = Set.copyOf(msps);
    }

    // ---- what InProcessLedger calls --------------------------------------------------------------------------------

    synchronized byte[] submitOnce(final byte[] creator, final X509Certificate certificate, final Signer signer,
            final LedgerCall call) throws Attempts.AttemptFailure {
        submits.incrementAndGet();
        call.requestId().ifPresent(submittedRequestIds::add);
        requireSignerMatches(certificate, signer, call);
        byte[] nonce = new byte[24];
        random.nextBytes(nonce);
        FakeStub stub = newStub(creator, nonce, call);
        Chaincode.Response response = InProcessRouter.invoke(stub);
        if (response.getStatus() != Chaincode.Response.Status.SUCCESS) {
            throw refused(stub.getTxId(), response);
        }
        // Like the gateway: the call's own choice of endorsing organisations first, then the test's, else every peer.
        Set<String> endorsers = !call.endorsingOrganizations().isEmpty() ? call.endorsingOrganizations()
                : nextEndorsers == null ? Set.copyOf(peers.keySet()) : nextEndorsers;
        nextEndorsers = null;
        requireTrustedEndorsersForTransientData(call, stub, endorsers);
        List<Runnable> interleaved = List.copyOf(beforeNextCommit);
        beforeNextCommit.clear();
        interleaved.forEach(Runnable::run);
        FakeLedger.Validation validation = ledger.commit(stub, endorsers);
        // Like a peer, the block holds the transaction whether or not it turned out valid.
        List<TestIdentity> endorsingPeers = endorsers.stream().sorted().map(peers::get).toList();
        ByteString envelope = BlockBuilder.envelope(stub, nonce, creator, signer, response, endorsingPeers);
        Block previous = blocks.get(blocks.size() - 1);
        blocks.add(BlockBuilder.block(blocks.size(), previous.getHeader(), envelope, validationCode(validation)));
        if (validation != FakeLedger.Validation.VALID) {
            FailureKind kind = validation == FakeLedger.Validation.MVCC_READ_CONFLICT
                    || validation == FakeLedger.Validation.PHANTOM_READ_CONFLICT ? FailureKind.READ_CONFLICT
                            : FailureKind.INVALIDATED;
            throw new Attempts.AttemptFailure(kind, "transaction " + stub.getTxId() + " was invalidated: " + validation,
                    stub.getTxId(), null, null);
        }
        long block = blocks.size() - 1;
        if (stub.eventName() != null) {
            events.add(new LedgerEvent(block, stub.getTxId(), stub.eventName(), new String(stub.eventPayload(), UTF_8)));
            notifyAll();
        }
        return response.getPayload();
    }

    synchronized byte[] evaluateOnce(final byte[] creator, final X509Certificate certificate, final Signer signer,
            final LedgerCall call) throws Attempts.AttemptFailure {
        requireSignerMatches(certificate, signer, call);
        byte[] nonce = new byte[24];
        random.nextBytes(nonce);
        FakeStub stub = newStub(creator, nonce, call);
        Chaincode.Response response = InProcessRouter.invoke(stub);
        if (response.getStatus() != Chaincode.Response.Status.SUCCESS) {
            throw refused(stub.getTxId(), response);
        }
        if (!stub.writes().isEmpty()) {
            throw new AssertionError(call.function() + " is a query but wrote " + stub.writes().keySet());
        }
        return response.getPayload();
    }

    /** Index of the first event a follower from this checkpoint sees. */
    synchronized int startOf(final Checkpoint after) {
        if (after.getBlockNumber().isEmpty()) {
            return events.size(); // from the next block on
        }
        long block = after.getBlockNumber().getAsLong();
        Optional<String> transaction = after.getTransactionId();
        int index = 0;
        while (index < events.size() && events.get(index).blockNumber() < block) {
            index++;
        }
        if (transaction.isPresent()) {
            for (int i = index; i < events.size() && events.get(i).blockNumber() == block; i++) {
                if (events.get(i).transactionId().equals(transaction.get())) {
                    return i + 1;
                }
            }
        }
        return index;
    }

    /** The event at {@code index}, waiting up to {@code wait} for it to be committed. */
    synchronized Optional<LedgerEvent> eventAt(final int index, final Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (index >= events.size()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return Optional.of(events.get(index));
    }

    synchronized int eventCount() {
        return events.size();
    }

    /** The transaction id is what Fabric makes it: SHA-256 of the nonce and the creator, in hex. */
    private FakeStub newStub(final byte[] creator, final byte[] nonce, final LedgerCall call) {
        FakeStub stub = ledger.newTransaction(HexFormat.of().formatHex(sha256(nonce, creator)), clock.instant(), creator);
        List<byte[]> arguments = new ArrayList<>();
        arguments.add(call.function().getBytes(UTF_8));
        call.arguments().forEach(argument -> arguments.add(argument.getBytes(UTF_8)));
        stub.setArgs(arguments);
        // A client talks to its own organisation's gateway peer; the proposal's transient map goes with it.
        stub.withTransient(call.transientData()).onPeerOf(peers.containsKey(creatorMsp(creator)) ? creatorMsp(creator)
                : "DataCenterMSP");
        return stub;
    }

    private static String creatorMsp(final byte[] creator) {
        try {
            return org.hyperledger.fabric.protos.msp.SerializedIdentity.parseFrom(creator).getMspid();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException("creator is not a serialised identity", e);
        }
    }

    private static TxValidationCode validationCode(final FakeLedger.Validation validation) {
        return switch (validation) {
            case VALID -> TxValidationCode.VALID;
            case MVCC_READ_CONFLICT -> TxValidationCode.MVCC_READ_CONFLICT;
            case PHANTOM_READ_CONFLICT -> TxValidationCode.PHANTOM_READ_CONFLICT;
            case ENDORSEMENT_POLICY_FAILURE -> TxValidationCode.ENDORSEMENT_POLICY_FAILURE;
        };
    }

    static byte[] sha256(final byte[]... parts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (byte[] part : parts) {
                digest.update(part);
            }
            return digest.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * As a real gateway (found on real peers): when it picks the endorsers itself, it refuses to send transient data to
     * an organisation outside the distribution policy of a collection the proposal writes, FAILED_PRECONDITION
     * "... retry specifying trusted endorsing organizations to protect transient data". A call that names its
     * endorsing organisations takes that responsibility and passes.
     */
    private static void requireTrustedEndorsersForTransientData(final LedgerCall call, final FakeStub stub,
            final Set<String> endorsers) throws Attempts.AttemptFailure {
        if (call.transientData().isEmpty() || !call.endorsingOrganizations().isEmpty()) {
            return;
        }
        for (String collection : stub.privateWrites().keySet()) {
            Set<String> members = org.postalfunds.chaincode.fake.NetworkCollections.read().stream()
                    .filter(c -> c.name().equals(collection)).findFirst().orElseThrow().memberMsps();
            if (!members.containsAll(endorsers)) {
                throw new Attempts.AttemptFailure(FailureKind.REFUSED, "not endorsed or ordered (FAILED_PRECONDITION): "
                        + "requires endorsement from organisation(s) that are not in the distribution policy of the "
                        + "private data collection(s): [" + collection + "]; retry specifying trusted endorsing "
                        + "organizations to protect transient data", stub.getTxId(), null, null);
            }
        }
    }

    private static Attempts.AttemptFailure refused(final String transactionId, final Chaincode.Response response) {
        String message = response.getMessage();
        String code = ErrorCode.ofMessage(message).map(Enum::name).orElse(null);
        return new Attempts.AttemptFailure(FailureKind.REFUSED, message, transactionId, code, null);
    }

    /** A peer verifies the proposal's signature against the creator's certificate; so does this network. */
    private static void requireSignerMatches(final X509Certificate certificate, final Signer signer, final LedgerCall call) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(call.toString().getBytes(UTF_8));
            byte[] signature = signer.sign(digest);
            Signature verifier = Signature.getInstance("NONEwithECDSA");
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(digest);
            if (!verifier.verify(signature)) {
                throw new IllegalStateException("the signer does not belong to the identity's certificate "
                        + certificate.getSubjectX500Principal() + ": a peer would reject every proposal");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing the proposal failed: " + e.getMessage(), e);
        }
    }
}
