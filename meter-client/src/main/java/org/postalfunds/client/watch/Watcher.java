package org.postalfunds.client.watch;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.hyperledger.fabric.client.Checkpoint;
import org.hyperledger.fabric.client.Checkpointer;
import org.postalfunds.api.model.Transfer;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.Money;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.ledger.EventFeed;
import org.postalfunds.client.ledger.FailureKind;
import org.postalfunds.client.ledger.LedgerEvent;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.model.Json;
import org.postalfunds.client.model.TransferChange;

/**
 * A meter's automatic side (the patent's control logic unit): follows the ledger's events from a saved
 * checkpoint and applies the meter's {@link WatchPolicy}.
 *
 * <p>Exactly once, across crashes: every reaction's request id is derived from the transfer it reacts to
 * ({@code watch-grant-<transfer>}, ...), and the checkpoint moves only after the reaction has committed.
 * A watcher that dies between the two handles the event again after a restart, submits the same request
 * id with the same content, and the contract answers with the first result without moving anything. The
 * grant deadline is derived from the request's own timestamp for the same reason: a recomputed reaction
 * must be byte-identical to the first one.
 *
 * <pre>{@code
 * try (FileCheckpointer checkpoint = new FileCheckpointer(Path.of("watch.checkpoint"))) {
 *     Watcher.builder().meter(meter).policy(policy).checkpointer(checkpoint)
 *             .grantBook(GrantBook.open(Path.of("watch.grants.json"))).build().run();
 * }
 * }</pre>
 */
public final class Watcher {
    /** How long one wait for an event lasts; also the granularity of idle detection and of {@link #stop()}. */
    static final Duration POLL = Duration.ofMillis(200);

    private final MeterClient meter;
    private final WatchPolicy policy;
    private final Checkpointer checkpointer;
    private final GrantBook grantBook;
    private final WatchListener listener;
    private final Duration stopWhenIdle;
    private final Duration caughtUpAfter;
    private final Money money;
    private final Long startBlock;
    private volatile boolean stopped;

    private Watcher(final Builder builder) {
        this.meter = builder.meter;
        this.policy = builder.policy;
        this.checkpointer = builder.checkpointer;
        this.grantBook = builder.grantBook;
        this.listener = builder.listener;
        this.stopWhenIdle = builder.stopWhenIdle;
        this.caughtUpAfter = builder.caughtUpAfter;
        this.money = builder.money;
        this.startBlock = builder.startBlock;
        if (!policy.meterId().equals(meter.meterId())) {
            throw new IllegalArgumentException("the policy is for meter " + policy.meterId() + ", this client is meter "
                    + meter.meterId());
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Asks a running watcher to return after the event it is handling. */
    public void stop() {
        stopped = true;
    }

    /**
     * Follows events until {@link #stop()}, until idle for the configured time, or until a failure.
     *
     * @return how many events were handled
     * @throws LedgerException when the ledger stayed unreachable through every retry: the event being handled
     *     is not checkpointed, so a restarted watcher handles it again
     */
    public long run() throws LedgerException, InterruptedException, IOException {
        long handled = 0;
        boolean toldCaughtUp = false;
        long idleNanos = 0;
        try (EventFeed feed = meter.ledger().follow(startPosition())) {
            while (!stopped) {
                Optional<LedgerEvent> next = feed.next(POLL);
                if (next.isEmpty()) {
                    idleNanos += POLL.toNanos();
                    if (!toldCaughtUp && idleNanos >= caughtUpAfter.toNanos()) {
                        listener.caughtUp(handled);
                        toldCaughtUp = true;
                    }
                    if (stopWhenIdle != null && idleNanos >= stopWhenIdle.toNanos()) {
                        break;
                    }
                    continue;
                }
                idleNanos = 0;
                toldCaughtUp = false;
                LedgerEvent event = next.get();
                Reaction reaction = handle(event);
                // Only now, with the reaction committed (or refused for good), may the checkpoint move past it.
                checkpointer.checkpointTransaction(event.blockNumber(), event.transactionId());
                handled++;
                listener.handled(reaction);
            }
        }
        return handled;
    }

    /** The checkpoint; on a first start (empty checkpoint) the configured start block, if any. */
    private Checkpoint startPosition() {
        if (checkpointer.getBlockNumber().isPresent() || startBlock == null) {
            return checkpointer;
        }
        return new Checkpoint() {
            @Override
            public OptionalLong getBlockNumber() {
                return OptionalLong.of(startBlock);
            }

            @Override
            public Optional<String> getTransactionId() {
                return Optional.empty();
            }
        };
    }

    /** Decides and carries out the reaction to one event. */
    Reaction handle(final LedgerEvent event) throws LedgerException, IOException {
        Transfer transfer = transferIn(event);
        if (transfer == null) {
            return ignored(event, "", "not a transfer event");
        }
        String me = meter.meterId();
        switch (event.name()) {
            case "TransferRequested":
                if (transfer.donorMeterId().equals(me) && policy.distributor().isPresent()) {
                    return onRequest(event, transfer, policy.distributor().get());
                }
                break;
            case "TransferGranted":
                if (transfer.recipientMeterId().equals(me) && listedDonor(transfer)) {
                    RequestId id = RequestId.derived("watch-accept", transfer.transferId());
                    return submitted(event, transfer, id, Reaction.Action.ACCEPTED,
                            () -> meter.accept(id, transfer.transferId()));
                }
                break;
            case "TransferOffered":
                if (transfer.recipientMeterId().equals(me) && listedDonor(transfer)) {
                    RequestId id = RequestId.derived("watch-ack", transfer.transferId());
                    return submitted(event, transfer, id, Reaction.Action.ACKNOWLEDGED,
                            () -> meter.acknowledge(id, transfer.transferId()));
                }
                break;
            default:
                break;
        }
        return ignored(event, transfer.transferId(), event.name() + " needs nothing from " + me);
    }

    private Reaction onRequest(final LedgerEvent event, final Transfer transfer, final WatchPolicy.Distributor distributor)
            throws LedgerException, IOException {
        String recipient = transfer.recipientMeterId();
        WatchPolicy.RecipientLimits limits = distributor.recipients().get(recipient);
        if (limits == null) {
            return ignored(event, transfer.transferId(), recipient + " is not a listed recipient");
        }
        LocalDate day = LocalDate.ofInstant(Instant.ofEpochSecond(transfer.createdAtEpochSeconds()), ZoneOffset.UTC);
        long amount = transfer.amountMinorUnits();
        // A grant already in the book was decided before a crash: make it again, identically, without re-judging it.
        if (grantBook.grant(transfer.transferId()).isEmpty()) {
            String overLimit = overLimit(distributor, limits, recipient, day, amount);
            if (overLimit != null) {
                if (!distributor.denyOverLimit()) {
                    return new Reaction(event, Reaction.Action.OVER_LIMIT, transfer.transferId(), "",
                            overLimit + "; left for the operator");
                }
                return deny(event, transfer, OVER_LIMIT_REASON);
            }
        }
        RequestId id = RequestId.derived("watch-grant", transfer.transferId());
        Instant deadline = Instant.ofEpochSecond(transfer.createdAtEpochSeconds()).plus(distributor.escrowWindow());
        Reaction reaction = submitted(event, transfer, id, Reaction.Action.GRANTED,
                () -> meter.grant(id, transfer.transferId(), deadline));
        if (reaction.acted()) {
            grantBook.record(new GrantBook.Grant(transfer.transferId(), recipient, amount, day));
        }
        // Out of funds: with deny-over-limit the request is answered on the ledger, with the code as the reason,
        // rather than left pending with the reason only in this log.
        if (reaction.action() == Reaction.Action.REFUSED && reaction.detail().startsWith("INSUFFICIENT_FUNDS: ")
                && distributor.denyOverLimit()) {
            return deny(event, transfer, OUT_OF_FUNDS_REASON);
        }
        return reaction;
    }

    /** Deny reasons start with a code, as the contract's errors do, so a recipient's client can match on it. */
    static final String OVER_LIMIT_REASON = "OVER_LIMIT: over the distributor's automatic limit";
    static final String OUT_OF_FUNDS_REASON = "INSUFFICIENT_FUNDS: the distributor's funds do not cover this request";

    private Reaction deny(final LedgerEvent event, final Transfer transfer, final String reason) throws LedgerException {
        RequestId id = RequestId.derived("watch-deny", transfer.transferId());
        return submitted(event, transfer, id, Reaction.Action.DENIED, () -> meter.deny(id, transfer.transferId(), reason));
    }

    private String overLimit(final WatchPolicy.Distributor distributor, final WatchPolicy.RecipientLimits limits,
            final String recipient, final LocalDate day, final long amount) {
        if (amount > limits.maxPerRequestMinorUnits()) {
            return "request for " + money.format(amount) + " exceeds " + recipient + "'s limit per request of "
                    + money.format(limits.maxPerRequestMinorUnits());
        }
        long recipientToday = grantBook.grantedOn(day, recipient);
        if (Math.addExact(recipientToday, amount) > limits.maxPerDayMinorUnits()) {
            return "granting " + money.format(amount) + " would bring " + recipient + " to "
                    + money.format(recipientToday + amount) + " on " + day + ", its daily limit is "
                    + money.format(limits.maxPerDayMinorUnits());
        }
        long allToday = grantBook.grantedOn(day);
        if (Math.addExact(allToday, amount) > distributor.maxPerDayMinorUnits()) {
            return "granting " + money.format(amount) + " would bring all grants on " + day + " to "
                    + money.format(allToday + amount) + ", the daily limit is "
                    + money.format(distributor.maxPerDayMinorUnits());
        }
        return null;
    }

    private boolean listedDonor(final Transfer transfer) {
        return policy.recipient().map(r -> r.donors().contains(transfer.donorMeterId())).orElse(false);
    }

    @FunctionalInterface
    private interface Submit {
        TransferChange run() throws LedgerException;
    }

    /** Runs a reaction; a refusal by the contract is an outcome, anything else stops the watcher. */
    private Reaction submitted(final LedgerEvent event, final Transfer transfer, final RequestId id,
            final Reaction.Action action, final Submit submit) throws LedgerException {
        try {
            TransferChange change = submit.run();
            return new Reaction(event, action, transfer.transferId(), id.value(),
                    money.format(transfer.amountMinorUnits()) + " " + transfer.donorMeterId() + " -> "
                            + transfer.recipientMeterId() + ", now " + change.transfer().state()
                            + " (transaction " + change.receipt().txId() + ")");
        } catch (LedgerException e) {
            if (e.kind() != FailureKind.REFUSED) {
                throw e;
            }
            return new Reaction(event, Reaction.Action.REFUSED, transfer.transferId(), id.value(),
                    e.errorCode().map(Enum::name).orElse("REFUSED") + ": " + e.getMessage());
        }
    }

    private static Reaction ignored(final LedgerEvent event, final String transferId, final String why) {
        return new Reaction(event, Reaction.Action.IGNORED, transferId, "", why);
    }

    private static Transfer transferIn(final LedgerEvent event) {
        var payload = Json.treeFromLedger(event.payloadJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        var transfer = payload.get("transfer");
        return transfer != null && transfer.isObject() ? Json.convert(transfer, Transfer.class) : null;
    }

    /** Meter, policy, checkpointer and grant book are required. */
    public static final class Builder {
        private MeterClient meter;
        private WatchPolicy policy;
        private Checkpointer checkpointer;
        private GrantBook grantBook;
        private WatchListener listener = WatchListener.SILENT;
        private Duration stopWhenIdle;
        private Duration caughtUpAfter = Duration.ofSeconds(1);
        private Money money = Money.CENTS;
        private Long startBlock;

        private Builder() {
        }

        /** Where a first start (empty checkpoint) begins, e.g. 0 for the whole history; default: the next block. */
        public Builder startBlock(final long block) {
            if (block < 0) {
                throw new IllegalArgumentException("blocks are numbered from 0");
            }
            this.startBlock = block;
            return this;
        }

        public Builder meter(final MeterClient value) {
            this.meter = Objects.requireNonNull(value, "meter");
            return this;
        }

        public Builder policy(final WatchPolicy value) {
            this.policy = Objects.requireNonNull(value, "policy");
            return this;
        }

        /** Where the watcher resumes; e.g. fabric-gateway's FileCheckpointer. */
        public Builder checkpointer(final Checkpointer value) {
            this.checkpointer = Objects.requireNonNull(value, "checkpointer");
            return this;
        }

        public Builder grantBook(final GrantBook value) {
            this.grantBook = Objects.requireNonNull(value, "grantBook");
            return this;
        }

        public Builder listener(final WatchListener value) {
            this.listener = Objects.requireNonNull(value, "listener");
            return this;
        }

        /** Return once no event has arrived for this long (for scripts and tests); by default run until stopped. */
        public Builder stopWhenIdle(final Duration value) {
            if (value.isNegative() || value.isZero() || value.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("idle time must be between 0 and 1 day");
            }
            this.stopWhenIdle = value;
            return this;
        }

        /** How long without events before the listener hears that the watcher has caught up. */
        public Builder caughtUpAfter(final Duration value) {
            this.caughtUpAfter = Objects.requireNonNull(value, "caughtUpAfter");
            return this;
        }

        /** Currency precision for the amounts in log lines. */
        public Builder money(final Money value) {
            this.money = Objects.requireNonNull(value, "money");
            return this;
        }

        public Watcher build() {
            Objects.requireNonNull(meter, "meter");
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(checkpointer, "checkpointer");
            Objects.requireNonNull(grantBook, "grantBook");
            return new Watcher(this);
        }
    }
}
