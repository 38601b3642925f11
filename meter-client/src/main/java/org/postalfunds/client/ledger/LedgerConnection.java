package org.postalfunds.client.ledger;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hyperledger.fabric.client.ChaincodeEvent;
import org.hyperledger.fabric.client.ChaincodeEventsRequest;
import org.hyperledger.fabric.client.Checkpoint;
import org.hyperledger.fabric.client.CloseableIterator;
import org.hyperledger.fabric.client.CommitStatusException;
import org.hyperledger.fabric.client.Contract;
import org.hyperledger.fabric.client.EndorseException;
import org.hyperledger.fabric.client.Gateway;
import org.hyperledger.fabric.client.GatewayException;
import org.hyperledger.fabric.client.Hash;
import org.hyperledger.fabric.client.Network;
import org.hyperledger.fabric.client.Proposal;
import org.hyperledger.fabric.client.Status;
import org.hyperledger.fabric.client.SubmitException;
import org.hyperledger.fabric.client.SubmittedTransaction;
import org.hyperledger.fabric.client.identity.Identity;
import org.hyperledger.fabric.client.identity.Signer;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.BlockchainInfo;
import org.hyperledger.fabric.protos.gateway.ErrorDetail;
import org.postalfunds.api.ErrorCode;

/**
 * A connection to the postal ledger through one organisation's peer gateway, over TLS, as one
 * identity. Submits wait for the commit status and are retried (same arguments, same request id) on
 * read conflicts and on timeouts; refusals by the chaincode come back at once with its error code.
 *
 * <pre>{@code
 * try (LedgerConnection ledger = LedgerConnection.builder()
 *         .peerEndpoint("127.0.0.1:7070").tlsRootCertificate(caPem).serverName("peer0.mailer-a.postal.example")
 *         .identity(identity).signer(bridgeSigner).connect()) {
 *     byte[] outcome = ledger.submit(LedgerCall.transaction(LedgerFunction.REQUEST_TRANSFER, requestId, ...));
 * }
 * }</pre>
 */
public final class LedgerConnection implements Ledger, AutoCloseable {
    /** The peer's query system chaincode, asked for the block height before a replay. */
    private static final String QUERY_SYSTEM_CHAINCODE = "qscc";

    /** Matches the peer's wording when the chaincode itself answered with an error. */
    private static final Pattern CHAINCODE_RESPONSE = Pattern.compile("chaincode response (\\d+), (.*)", Pattern.DOTALL);
    /** The gateway's error detail when two endorsers' proposal responses differ. */
    private static final String PAYLOADS_DO_NOT_MATCH = "ProposalResponsePayloads do not match";
    private static final Pattern ERROR_CODE = Pattern.compile("\\b([A-Z][A-Z0-9_]{2,})\\b");

    private final ManagedChannel channel;
    private final Gateway gateway;
    private final Network network;
    private final Contract contract;
    private final RetryPolicy retryPolicy;
    private final String channelName;
    private final Duration queryTimeout;
    private final RetryListener retryListener;
    private final Duration commitTimeout;
    private final java.util.concurrent.ConcurrentMap<String, java.util.concurrent.atomic.AtomicLong> commitLookups =
            new java.util.concurrent.ConcurrentHashMap<>();

    private LedgerConnection(final Builder builder) {
        this.channel = openChannel(builder);
        boolean connected = false;
        try {
            this.gateway = Gateway.newInstance()
                    .identity(builder.identity)
                    .signer(builder.signer)
                    .hash(Hash.SHA256)
                    .connection(channel)
                    .evaluateOptions(options -> options.withDeadlineAfter(builder.queryTimeout.toMillis(), TimeUnit.MILLISECONDS))
                    .endorseOptions(options -> options.withDeadlineAfter(builder.endorseTimeout.toMillis(), TimeUnit.MILLISECONDS))
                    .submitOptions(options -> options.withDeadlineAfter(builder.submitTimeout.toMillis(), TimeUnit.MILLISECONDS))
                    .commitStatusOptions(options -> options.withDeadlineAfter(builder.commitTimeout.toMillis(), TimeUnit.MILLISECONDS))
                    .connect();
            this.network = gateway.getNetwork(builder.channelName);
            this.contract = network.getContract(builder.chaincodeName);
            connected = true;
        } finally {
            if (!connected) {
                channel.shutdownNow();
            }
        }
        this.retryPolicy = builder.retryPolicy;
        this.channelName = builder.channelName;
        this.queryTimeout = builder.queryTimeout;
        this.retryListener = builder.retryListener;
        this.commitTimeout = builder.commitTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Endorses, orders and waits for the commit of a transaction; retried as the policy allows. */
    @Override
    public byte[] submit(final LedgerCall call) throws LedgerException {
        if (call.requestId().isEmpty()) {
            throw new IllegalArgumentException("a submitted call needs a request id so that a retry cannot move funds twice");
        }
        return Attempts.run(call, retryPolicy, duration -> Thread.sleep(duration.toMillis()), retryListener,
                attempt -> submitOnce(call));
    }

    /** Evaluates a query on the gateway peer (never ordered); retried on transient failures only. */
    @Override
    public byte[] evaluate(final LedgerCall call) throws LedgerException {
        return Attempts.run(call, retryPolicy, duration -> Thread.sleep(duration.toMillis()), retryListener, attempt -> {
            Proposal proposal = proposal(call);
            try {
                return proposal.evaluate();
            } catch (GatewayException e) {
                throw classify(e, proposal.getTransactionId(), false);
            } catch (java.security.ProviderException e) {
                throw signerFailed(e, proposal.getTransactionId());
            }
        });
    }

    /** The channel, for event listening (chaincode events with checkpoints). */
    public Network network() {
        return network;
    }

    /** Chaincode events through the peer's event service, resuming from the checkpoint. */
    @Override
    public EventFeed follow(final Checkpoint after) throws LedgerException {
        ChaincodeEventsRequest.Builder request = network.newChaincodeEventsRequest(contract.getChaincodeName());
        if (after.getBlockNumber().isPresent()) {
            request.checkpoint(after);
        }
        CloseableIterator<ChaincodeEvent> events = request.build().getEvents();
        return new PumpedFeed.Events<>("follow", events,
                event -> List.of(new LedgerEvent(event.getBlockNumber(), event.getTransactionId(), event.getEventName(),
                        new String(event.getPayload(), StandardCharsets.UTF_8))),
                event -> false);
    }

    /**
     * Full blocks from block 0 up to the height read just before, so the replay knows where "now" is even
     * when the last blocks carry no event of this chaincode.
     */
    @Override
    public EventFeed replay() throws LedgerException {
        long lastBlock = blockHeight() - 1;
        String chaincode = contract.getChaincodeName();
        CloseableIterator<Block> blocks = network.newBlockEventsRequest().startBlock(0).build().getEvents();
        return new PumpedFeed.Events<>("replay", blocks, block -> BlockEvents.chaincodeEvents(block, chaincode),
                block -> block.getHeader().getNumber() >= lastBlock);
    }

    /** Whole blocks from block 0 to the height read just before: what the auditor's chain verification reads. */
    @Override
    public BlockFeed blocks() throws LedgerException {
        long lastBlock = blockHeight() - 1;
        return new PumpedFeed.Blocks(network.newBlockEventsRequest().startBlock(0).build().getEvents(), lastBlock);
    }

    /** The channel's block height from the peer's query system chaincode. */
    public long blockHeight() throws LedgerException {
        LedgerCall call = LedgerCall.systemQuery("GetChainInfo", channelName);
        byte[] info = Attempts.run(call, retryPolicy, duration -> Thread.sleep(duration.toMillis()), attempt -> {
            Proposal proposal = network.getContract(QUERY_SYSTEM_CHAINCODE).newProposal("GetChainInfo")
                    .addArguments(channelName).build();
            try {
                return proposal.evaluate(options -> options.withDeadlineAfter(queryTimeout.toMillis(), TimeUnit.MILLISECONDS));
            } catch (GatewayException e) {
                throw classify(e, proposal.getTransactionId(), false);
            }
        });
        try {
            return BlockchainInfo.parseFrom(info).getHeight();
        } catch (InvalidProtocolBufferException e) {
            throw new LedgerException("GetChainInfo answered something that is not a BlockchainInfo", "GetChainInfo",
                    null, null, null, FailureKind.REFUSED, 1, e);
        }
    }

    public String chaincodeName() {
        return contract.getChaincodeName();
    }

    private byte[] submitOnce(final LedgerCall call) throws Attempts.AttemptFailure {
        Proposal proposal = proposal(call);
        String transactionId = proposal.getTransactionId();
        try {
            SubmittedTransaction submitted = proposal.endorse().submitAsync();
            Status status;
            try {
                status = submitted.getStatus();
            } catch (CommitStatusException e) {
                if (e.getStatus().getCode() == io.grpc.Status.Code.DEADLINE_EXCEEDED) {
                    throw commitNotSeen(call, transactionId, e);
                }
                throw e;
            }
            if (status.isSuccessful()) {
                return submitted.getResult();
            }
            throw new Attempts.AttemptFailure(FailureKind.of(status.getCode()),
                    "transaction " + transactionId + " was invalidated in block " + status.getBlockNumber() + ": " + status.getCode(),
                    transactionId, null, null);
        } catch (EndorseException | SubmitException | CommitStatusException e) {
            throw classify(e, transactionId, true);
        } catch (java.security.ProviderException e) {
            throw signerFailed(e, transactionId);
        }
    }

    /** The signer (the HSM bridge) failed while signing the proposal, the transaction or the commit status request. */
    private static Attempts.AttemptFailure signerFailed(final java.security.ProviderException e, final String transactionId) {
        return new Attempts.AttemptFailure(FailureKind.ofSigner(e), "signing failed: " + e.getMessage(), transactionId,
                null, e);
    }

    /**
     * The commit wait ran out: asks the peer's ledger whether the transaction is there ({@code qscc
     * GetTransactionByID}) instead of waiting longer. Committed valid: the same request id again returns its first
     * result; committed invalid: classified by its validation code; not there: lost by the orderer, or still on its
     * way, and either way a resubmission with the same request id is safe (COMMIT_UNSEEN).
     */
    private Attempts.AttemptFailure commitNotSeen(final LedgerCall call, final String transactionId,
            final CommitStatusException waited) {
        try {
            Proposal lookup = network.getContract(QUERY_SYSTEM_CHAINCODE).newProposal("GetTransactionByID")
                    .addArguments(channelName, transactionId).build();
            byte[] found = lookup.evaluate(options -> options.withDeadlineAfter(queryTimeout.toMillis(), TimeUnit.MILLISECONDS));
            org.hyperledger.fabric.protos.peer.ProcessedTransaction processed =
                    org.hyperledger.fabric.protos.peer.ProcessedTransaction.parseFrom(found);
            org.hyperledger.fabric.protos.peer.TxValidationCode code =
                    org.hyperledger.fabric.protos.peer.TxValidationCode.forNumber(processed.getValidationCode());
            commitLookups.computeIfAbsent(code == null ? "UNKNOWN" : code.name(), k -> new java.util.concurrent.atomic.AtomicLong())
                    .incrementAndGet();
            if (code == org.hyperledger.fabric.protos.peer.TxValidationCode.VALID) {
                return new Attempts.AttemptFailure(FailureKind.COMMIT_UNSEEN, "transaction " + transactionId
                        + " committed but its status came after the commit wait (" + commitTimeout.toMillis()
                        + " ms); the same request id again returns its result", transactionId, null, waited);
            }
            FailureKind kind = code == null ? FailureKind.INVALIDATED : FailureKind.of(code);
            return new Attempts.AttemptFailure(kind, "transaction " + transactionId + " was invalidated: " + code,
                    transactionId, null, waited);
        } catch (GatewayException e) {
            String text = String.valueOf(e.getStatus().getDescription()) + " " + details(e);
            if (text.contains("Failed to get transaction with id") || text.contains("not found")) {
                commitLookups.computeIfAbsent("NOT_FOUND", k -> new java.util.concurrent.atomic.AtomicLong()).incrementAndGet();
                return new Attempts.AttemptFailure(FailureKind.COMMIT_UNSEEN, "transaction " + transactionId
                        + " not committed within the commit wait (" + commitTimeout.toMillis() + " ms) and not on the peer's"
                        + " ledger (lost by the orderer?); resubmitting " + call.function() + " with the same request id",
                        transactionId, null, waited);
            }
            return classify(e, transactionId, true);
        } catch (InvalidProtocolBufferException e) {
            return new Attempts.AttemptFailure(FailureKind.TIMEOUT, "commit status of " + transactionId
                    + " unknown and the peer's answer unreadable", transactionId, null, waited);
        }
    }

    /**
     * What the commit-wait look-ups found so far ({@code NOT_FOUND}, {@code VALID}, {@code MVCC_READ_CONFLICT}, ...):
     * how often a commit status came too late, and why.
     */
    public java.util.Map<String, Long> commitLookups() {
        java.util.Map<String, Long> copy = new java.util.TreeMap<>();
        commitLookups.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    private Proposal proposal(final LedgerCall call) {
        Proposal.Builder builder = contract.newProposal(call.function())
                .addArguments(call.arguments().toArray(new String[0]))
                .putAllTransient(call.transientData());
        if (!call.endorsingOrganizations().isEmpty()) {
            builder.setEndorsingOrganizations(call.endorsingOrganizations().toArray(new String[0]));
        }
        return builder.build();
    }

    private Attempts.AttemptFailure classify(final GatewayException e, final String transactionId, final boolean submitting) {
        String chaincodeMessage = null;
        for (ErrorDetail detail : e.getDetails()) {
            Matcher m = CHAINCODE_RESPONSE.matcher(detail.getMessage());
            if (m.find()) {
                chaincodeMessage = m.group(2);
                break;
            }
        }
        if (chaincodeMessage == null) {
            Matcher m = CHAINCODE_RESPONSE.matcher(String.valueOf(e.getStatus().getDescription()));
            if (m.find()) {
                chaincodeMessage = m.group(2);
            }
        }
        if (chaincodeMessage != null) {
            // The chaincode answered: its refusal is final, whatever gRPC status carried it, unless it is one that an
            // endorser still behind the latest block would give (then it is retried, bounded by the policy).
            String code = errorCodeIn(chaincodeMessage);
            FailureKind kind = submitting && code != null
                    && FailureKind.LAG_SENSITIVE_CODES.contains(ErrorCode.valueOf(code))
                    ? FailureKind.ENDORSER_BEHIND : FailureKind.REFUSED;
            return new Attempts.AttemptFailure(kind, chaincodeMessage, transactionId, code, e);
        }
        if (e.getDetails().stream().anyMatch(detail -> detail.getMessage().contains(PAYLOADS_DO_NOT_MATCH))) {
            return new Attempts.AttemptFailure(FailureKind.ENDORSEMENT_MISMATCH, "endorsers disagreed ("
                    + e.getStatus().getCode() + ", " + PAYLOADS_DO_NOT_MATCH + "): " + details(e), transactionId, null, e);
        }
        FailureKind kind = FailureKind.classify(e.getStatus().getCode(), e.getStatus().getDescription(), details(e));
        String stage = e instanceof CommitStatusException ? "commit status unknown" : submitting ? "not endorsed or ordered" : "query failed";
        return new Attempts.AttemptFailure(kind, stage + " (" + e.getStatus().getCode() + "): " + e.getStatus().getDescription()
                + (e.getDetails().isEmpty() ? "" : "; " + details(e)), transactionId, null, e);
    }

    private static String details(final GatewayException e) {
        StringBuilder text = new StringBuilder();
        for (ErrorDetail detail : e.getDetails()) {
            text.append(text.length() == 0 ? "" : "; ").append(detail.getMspId()).append(" ").append(detail.getAddress())
                    .append(": ").append(detail.getMessage());
        }
        return text.toString();
    }

    private String errorCodeIn(final String message) {
        Matcher m = ERROR_CODE.matcher(message);
        while (m.find()) {
            if (ErrorCode.named(m.group(1)).isPresent()) {
                return m.group(1);
            }
        }
        return null;
    }

    private static ManagedChannel openChannel(final Builder builder) {
        ChannelCredentials credentials;
        try {
            credentials = TlsChannelCredentials.newBuilder().trustManager(builder.tlsRootCertificate.toFile()).build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the peer's TLS root certificate " + builder.tlsRootCertificate, e);
        }
        var channelBuilder = Grpc.newChannelBuilder(builder.peerEndpoint, credentials);
        if (builder.serverName != null) {
            channelBuilder.overrideAuthority(builder.serverName);
        }
        return channelBuilder.build();
    }

    @Override
    public void close() {
        gateway.close();
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Builds a {@link LedgerConnection}; every setting but the timeouts and names is required. */
    public static final class Builder {
        private String peerEndpoint;
        private Path tlsRootCertificate;
        private String serverName;
        private Identity identity;
        private Signer signer;
        private String channelName = "postal";
        private String chaincodeName = "postal-ledger";
        private RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
        private Duration queryTimeout = Duration.ofSeconds(5);
        private Duration endorseTimeout = Duration.ofSeconds(15);
        private Duration submitTimeout = Duration.ofSeconds(5);
        /**
         * How long a submit waits for its commit status before asking the peer's ledger whether the transaction is
         * there (then resubmitting with the same request id). Was a minute: a transaction an orderer acknowledged and
         * then lost (killed -9 before cutting its block) held the client that long. Blocks are cut every 100 ms.
         */
        private Duration commitTimeout = Duration.ofSeconds(10);
        private RetryListener retryListener = RetryListener.NONE;

        private Builder() {
        }

        /** Told of every attempt about to be retried (figures, logs); default: nobody. */
        public Builder retryListener(final RetryListener listener) {
            this.retryListener = Objects.requireNonNull(listener);
            return this;
        }

        /** host:port of the organisation's peer gateway. */
        public Builder peerEndpoint(final String hostAndPort) {
            this.peerEndpoint = Objects.requireNonNull(hostAndPort);
            return this;
        }

        /** PEM file of the CA that issued the peer's TLS certificate. */
        public Builder tlsRootCertificate(final Path pem) {
            this.tlsRootCertificate = Objects.requireNonNull(pem);
            return this;
        }

        /** The name in the peer's TLS certificate, when it differs from the endpoint's host. */
        public Builder serverName(final String name) {
            this.serverName = name;
            return this;
        }

        public Builder identity(final Identity identity) {
            this.identity = Objects.requireNonNull(identity);
            return this;
        }

        /** Signs proposals and transactions: for a meter, the HSM bridge's signer for its PSD key. */
        public Builder signer(final Signer signer) {
            this.signer = Objects.requireNonNull(signer);
            return this;
        }

        public Builder channel(final String name) {
            this.channelName = Objects.requireNonNull(name);
            return this;
        }

        public Builder chaincode(final String name) {
            this.chaincodeName = Objects.requireNonNull(name);
            return this;
        }

        public Builder retryPolicy(final RetryPolicy policy) {
            this.retryPolicy = Objects.requireNonNull(policy);
            return this;
        }

        public Builder timeouts(final Duration query, final Duration endorse, final Duration submit, final Duration commit) {
            this.queryTimeout = Objects.requireNonNull(query);
            this.endorseTimeout = Objects.requireNonNull(endorse);
            this.submitTimeout = Objects.requireNonNull(submit);
            this.commitTimeout = Objects.requireNonNull(commit);
            return this;
        }

        public LedgerConnection connect() {
            Objects.requireNonNull(peerEndpoint, "peerEndpoint");
            Objects.requireNonNull(tlsRootCertificate, "tlsRootCertificate");
            Objects.requireNonNull(identity, "identity");
            Objects.requireNonNull(signer, "signer");
            return new LedgerConnection(this);
        }
    }
}
