package org.postalfunds.chaincode;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.hyperledger.fabric.contract.Context;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Limits;
import org.postalfunds.api.model.MeterKind;
import org.postalfunds.chaincode.access.Organisations;
import org.postalfunds.chaincode.command.Outcome;
import org.postalfunds.chaincode.fake.FakeLedger.Validation;
import org.postalfunds.chaincode.fake.FakeLedger;
import org.postalfunds.chaincode.fake.TestIdentity;

/**
 * Concurrency against the ledger's MVCC model, not a network run: 64 simulated clients drive random operations
 * among 16 meters, one of them a distributor every other meter requests from. In each round every active client
 * endorses its next operation against the same committed snapshot, and the round's transactions are committed as
 * one block, in a shuffled (orderer) order, through {@link FakeLedger}, which invalidates them as a peer would (MVCC
 * read versions, phantom reads). A client retries an invalidated operation with the same request id. Nothing here
 * measures peers, ordering service or network latency; the conflict rate is the model's.
 */
class MvccConcurrencyModelTest {
    private static final int CLIENTS = 64;
    private static final int ORDINARY_METERS = 15;
    /** Logical operations the clients issue (retries are extra attempts of the same operation). */
    private static final int OPERATIONS = 3_000;
    /** Attempts per operation: the first one plus retries after an MVCC invalidation. */
    private static final int MAX_ATTEMPTS = 6;
    /** Bound on blocks, generous: ~120 carry the operations and their retries, a few more expire what is left. */
    private static final int MAX_BLOCKS = 600;
    private static final Duration BLOCK_INTERVAL = Duration.ofSeconds(20);
    /** Share of clients that submit in a round; the rest think. */
    private static final double ACTIVITY = 0.8;
    /** Now and then a client misses its commit notification and sends the same request id again. */
    private static final double RESUBMIT_AFTER_COMMIT = 0.02;
    private static final long SEED = 20_261_125L;
    private static final String DISTRIBUTOR = "dist";

    enum Kind { REQUEST, GRANT, ACCEPT, OFFER, ACKNOWLEDGE, CANCEL, EXPIRE, PRINT }

    /** How a logical operation ended. */
    enum Outcome { COMMITTED, COMMITTED_AFTER_RETRY, REFUSED, GAVE_UP_AFTER_CONFLICTS }

    private final Random random = new Random(SEED);
    private final LedgerFixture fx = new LedgerFixture();
    private final List<String> meters = new ArrayList<>();
    /** Transfers as the clients know them from committed results: id -> (donor, recipient). */
    private final Map<String, String[]> transfers = new LinkedHashMap<>();

    // ---- what happened ---------------------------------------------------------------------------------------------

    private final Map<Kind, Map<Outcome, Integer>> outcomes = new EnumMap<>(Kind.class);
    private final Map<String, Integer> refusals = new TreeMap<>();
    private final Map<Validation, Integer> validations = new EnumMap<>(Validation.class);
    /** The expiry rounds after the operations, kept apart so they do not dilute the operations' figures. */
    private final Map<Validation, Integer> windDown = new EnumMap<>(Validation.class);
    /** Invalidated transactions by operation and by the kind of key whose read went stale. */
    private final Map<String, Integer> conflictKeys = new TreeMap<>();
    private int blocks;
    private int resubmissions;
    private int maxBlockSize;

    /**
     * One client operation: a fixed request id, and its call built afresh for every attempt from what the client
     * knows then (a print re-signs with the next piece number after a conflict).
     */
    private final class Operation {
        final Kind kind;
        final int client;
        final TestIdentity caller;
        final String requestId = fx.nextRequestId();
        final String transferId;
        final Function<Operation, Function<Context, String>> callForAttempt;
        Function<Context, String> lastCall;
        int attempts;

        Operation(final Kind kind, final int client, final TestIdentity caller, final String transferId,
                final Function<Operation, Function<Context, String>> callForAttempt) {
            this.kind = kind;
            this.client = client;
            this.caller = caller;
            this.transferId = transferId;
            this.callForAttempt = callForAttempt;
        }
    }

    @Test
    void sixty_four_clients_never_overdraw_keep_the_books_balanced_and_leave_no_escrow_open() {
        setUp();
        // A client has one operation in flight: it retries that one before it starts another.
        final Map<Integer, Operation> retrying = new TreeMap<>();
        int issued = 0;
        while ((issued < OPERATIONS || !retrying.isEmpty()) && blocks < MAX_BLOCKS) {
            fx.advance(BLOCK_INTERVAL);
            final Map<Integer, Operation> round = new TreeMap<>(retrying);
            final Set<String> busy = new HashSet<>();
            round.values().forEach(operation -> busy.add(operation.transferId));
            for (int client = 0; client < CLIENTS && issued < OPERATIONS; client++) {
                if (round.containsKey(client) || random.nextDouble() >= ACTIVITY) {
                    continue;
                }
                final Operation operation = next(client, busy);
                if (operation != null) {
                    issued++;
                    round.put(client, operation);
                    busy.add(operation.transferId);
                }
            }
            retrying.clear();
            for (final Operation retry : runBlock(List.copyOf(round.values()))) {
                retrying.put(retry.client, retry);
            }
        }
        assertThat(issued).as("operations issued within %d blocks", MAX_BLOCKS).isEqualTo(OPERATIONS);

        final int openBefore = expireEverythingOpen();
        report(openBefore);

        assertThat(LedgerInvariants.escrowedTransfers(fx.ledger)).as("escrows left after expiry").isEmpty();
        assertThat(transfers.keySet()).allSatisfy(transferId -> assertThat(
                LedgerInvariants.transfer(fx.ledger, transferId).path("state").asText())
                .as("state of " + transferId).isIn("ACCEPTED", "ACKNOWLEDGED", "DENIED", "CANCELLED", "REJECTED",
                        "EXPIRED"));
        assertThat(total(outcomes)).as("every operation ended with an outcome").isEqualTo(OPERATIONS);
        assertThat(validations.getOrDefault(Validation.MVCC_READ_CONFLICT, 0))
                .as("the model produced MVCC conflicts").isPositive();
        assertThat(validations.getOrDefault(Validation.ENDORSEMENT_POLICY_FAILURE, 0))
                .as("every client collects endorsements from every organisation").isZero();
        // Fig. 4: the distributor grants from per-recipient allotments, so its grants never race on its own PSD key.
        assertThat(conflictKeys).doesNotContainKey("GRANT on account METER of the distributor");
        assertThat(outcomes.get(Kind.GRANT).getOrDefault(Outcome.COMMITTED, 0)).as("grants committed").isPositive();
        assertThat(outcomes.get(Kind.ACCEPT).getOrDefault(Outcome.COMMITTED, 0)).as("accepts committed").isPositive();
    }

    // ---- one block -----------------------------------------------------------------------------------------------

    /**
     * Endorses every operation against the same committed state, commits the endorsed ones as one block, checks the
     * books, and returns the operations to retry.
     */
    private List<Operation> runBlock(final List<Operation> round) {
        final List<Operation> endorsedOperations = new ArrayList<>();
        final List<LedgerFixture.Endorsed> endorsed = new ArrayList<>();
        // A refusal is a ChaincodeException with an ErrorCode (checked below); any other exception fails the test.
        for (final Operation operation : round) {
            operation.attempts++;
            operation.lastCall = operation.callForAttempt.apply(operation);
            final LedgerFixture.Endorsed attempt = fx.endorse(operation.caller, operation.lastCall);
            if (attempt.failure() != null) {
                final String code = LedgerFixture.codeOf(attempt.failure());
                assertThat(Arrays.stream(ErrorCode.values()).map(Enum::name)).as(attempt.failure().getMessage())
                        .contains(code);
                assertThat(code).as(attempt.failure().getMessage()).isNotEqualTo(ErrorCode.INVARIANT_VIOLATED.name());
                assertThat(attempt.stub().putOrder()).as("writes of a refused " + operation.kind).isEmpty();
                refusals.merge(operation.kind + " " + code, 1, Integer::sum);
                end(operation, Outcome.REFUSED);
            } else {
                endorsedOperations.add(operation);
                endorsed.add(attempt);
            }
        }
        final List<Integer> order = new ArrayList<>();
        for (int i = 0; i < endorsed.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, random); // the orderer's order, not the clients'
        final List<Validation> results = fx.ledger.commitBlock(order.stream().map(i -> endorsed.get(i).stub())
                .toList(), Collections.nCopies(order.size(), LedgerFixture.ALL_ORGS));
        blocks++;
        maxBlockSize = Math.max(maxBlockSize, order.size());

        final List<Operation> retries = new ArrayList<>();
        for (int position = 0; position < order.size(); position++) {
            final Operation operation = endorsedOperations.get(order.get(position));
            final LedgerFixture.Endorsed attempt = endorsed.get(order.get(position));
            final Validation validation = results.get(position);
            validations.merge(validation, 1, Integer::sum);
            if (validation == Validation.VALID) {
                remember(attempt.result());
                end(operation, operation.attempts == 1 ? Outcome.COMMITTED : Outcome.COMMITTED_AFTER_RETRY);
                if (random.nextDouble() < RESUBMIT_AFTER_COMMIT) {
                    resubmit(operation, attempt);
                }
            } else {
                countConflict(operation, attempt);
                if (operation.attempts < MAX_ATTEMPTS) {
                    retries.add(operation);
                } else {
                    end(operation, Outcome.GAVE_UP_AFTER_CONFLICTS);
                }
            }
        }
        checkBooks();
        return retries;
    }

    /** The same request id again after it committed: the first answer, byte for byte, and nothing written. */
    private void resubmit(final Operation operation, final LedgerFixture.Endorsed committed) {
        resubmissions++;
        final LedgerFixture.Endorsed again = fx.endorse(operation.caller, operation.lastCall);
        assertThat(again.failure()).as("resubmitted " + operation.kind).isNull();
        assertThat(again.result()).isEqualTo(committed.result());
        assertThat(again.stub().putOrder()).as("writes of a resubmission").isEmpty();
        assertThat(again.stub().eventName()).isNull();
    }

    /** After every block: no register or allotment negative, control sums, sum zero, and the contract agrees. */
    private void checkBooks() {
        LedgerInvariants.check(fx.ledger);
        assertThat(fx.auditTotals().at("/proof/balanced").asBoolean()).as("auditTotals after block " + blocks)
                .isTrue();
    }

    private void countConflict(final Operation operation, final LedgerFixture.Endorsed attempt) {
        final Set<String> kinds = new java.util.TreeSet<>();
        for (final String key : fx.ledger.staleReads(attempt.stub())) {
            final org.hyperledger.fabric.shim.ledger.CompositeKey parsed =
                    org.hyperledger.fabric.shim.ledger.CompositeKey.parseCompositeKey(key);
            final List<String> attributes = parsed.getAttributes();
            final boolean account = parsed.getObjectType().equals(org.postalfunds.chaincode.state.Keys.ACCOUNT);
            kinds.add(account ? "account " + attributes.get(0) + (attributes.contains(DISTRIBUTOR)
                    ? " of the distributor" : "") : parsed.getObjectType());
        }
        kinds.forEach(kind -> conflictKeys.merge(operation.kind + " on " + kind, 1, Integer::sum));
    }

    private void end(final Operation operation, final Outcome outcome) {
        outcomes.computeIfAbsent(operation.kind, unused -> new EnumMap<>(Outcome.class))
                .merge(outcome, 1, Integer::sum);
    }

    private void remember(final String result) {
        final JsonNode transfer = LedgerFixture.json(result).path("transfer");
        if (!transfer.isMissingNode()) {
            transfers.putIfAbsent(transfer.path("transferId").asText(), new String[] {
                    transfer.path("donorMeterId").asText(), transfer.path("recipientMeterId").asText()});
        }
    }

    // ---- choosing what a client does next --------------------------------------------------------------------------

    /**
     * Client i works for meter i mod 16: four clients per meter, the distributor's included. Arguments are fixed
     * when an attempt is built, so a resubmission sends exactly the committed content again.
     */
    private Operation next(final int client, final Set<String> busy) {
        final String meter = meters.get(client % meters.size());
        final TestIdentity caller = fx.meter(meter);
        final PostalLedgerContract c = fx.contract;
        // The distributor's clients do not request; they grant, offer and print instead.
        final int pick = meter.equals(DISTRIBUTOR) ? 25 + random.nextInt(75) : random.nextInt(100);
        if (pick < 25) {
            final String donor = random.nextInt(5) < 3 ? DISTRIBUTOR : otherThan(meter);
            final long amount = 100 + random.nextInt(2_900);
            final long deadline = fx.nowSeconds() + 300 + random.nextInt(1_500);
            return new Operation(Kind.REQUEST, client, caller, null,
                    op -> ctx -> c.requestTransfer(ctx, op.requestId, meter, donor, String.valueOf(amount), String.valueOf(deadline)));
        }
        if (pick < 45) {
            final long window = 600 + random.nextInt(3_000);
            return onTransfer(Kind.GRANT, client, caller, busy, open(meter, "donor", "REQUESTED"), op -> {
                final long deadline = fx.nowSeconds() + window;
                return ctx -> c.grantTransfer(ctx, op.requestId, op.transferId, String.valueOf(deadline));
            });
        }
        if (pick < 60) {
            return onTransfer(Kind.ACCEPT, client, caller, busy, open(meter, "recipient", "GRANTED"),
                    op -> ctx -> c.acceptTransfer(ctx, op.requestId, op.transferId));
        }
        if (pick < 67) {
            final String recipient = otherThan(meter);
            final long amount = 100 + random.nextInt(1_900);
            final long deadline = fx.nowSeconds() + 300 + random.nextInt(1_500);
            return new Operation(Kind.OFFER, client, caller, null,
                    op -> ctx -> c.offerTransfer(ctx, op.requestId, meter, recipient, String.valueOf(amount), String.valueOf(deadline)));
        }
        if (pick < 75) {
            return onTransfer(Kind.ACKNOWLEDGE, client, caller, busy, open(meter, "recipient", "OFFERED"),
                    op -> ctx -> c.acknowledgeTransfer(ctx, op.requestId, op.transferId));
        }
        if (pick < 79) {
            final List<String> cancellable = new ArrayList<>(open(meter, "recipient", "REQUESTED"));
            cancellable.addAll(open(meter, "recipient", "GRANTED"));
            return onTransfer(Kind.CANCEL, client, caller, busy, cancellable,
                    op -> ctx -> c.cancelTransfer(ctx, op.requestId, op.transferId));
        }
        if (pick < 85) {
            return onTransfer(Kind.EXPIRE, client, caller, busy, lapsed(),
                    op -> ctx -> c.expireTransfer(ctx, op.requestId, op.transferId));
        }
        // The PSD signs the next piece number when the attempt is built; a retry after a conflict re-signs.
        final long amount = 10 + random.nextInt(490);
        return new Operation(Kind.PRINT, client, caller, null, op -> {
            final String indicium = fx.indicium(meter, pieceCount(meter) + 1, amount, caller);
            return ctx -> c.printPostage(ctx, op.requestId, indicium);
        });
    }

    /** An operation on one of {@code candidates} that no other client of this round is already working on. */
    private Operation onTransfer(
            final Kind kind, final int client, final TestIdentity caller, final Set<String> busy,
            final List<String> candidates,
            final Function<Operation, Function<Context, String>> call) {
        final List<String> free = candidates.stream().filter(transferId -> !busy.contains(transferId)).toList();
        if (free.isEmpty()) {
            return null; // nothing to do for this client this round
        }
        return new Operation(kind, client, caller, free.get(random.nextInt(free.size())), call);
    }

    /** Transfers where {@code meter} is the donor or recipient and the committed state is {@code state}. */
    private List<String> open(final String meter, final String role, final String state) {
        final List<String> found = new ArrayList<>();
        transfers.forEach((transferId, parties) -> {
            if (parties[role.equals("donor") ? 0 : 1].equals(meter)
                    && LedgerInvariants.transfer(fx.ledger, transferId).path("state").asText().equals(state)) {
                found.add(transferId);
            }
        });
        return found;
    }

    /** Open transfers whose deadline has passed. */
    private List<String> lapsed() {
        final List<String> found = new ArrayList<>();
        transfers.keySet().forEach(transferId -> {
            final JsonNode transfer = LedgerInvariants.transfer(fx.ledger, transferId);
            if (isOpen(transfer) && transfer.path("deadlineEpochSeconds").asLong() <= fx.nowSeconds()) {
                found.add(transferId);
            }
        });
        return found;
    }

    private static boolean isOpen(final JsonNode transfer) {
        return List.of("REQUESTED", "GRANTED", "OFFERED").contains(transfer.path("state").asText());
    }

    private String otherThan(final String meter) {
        String other = meter;
        while (other.equals(meter)) {
            other = meters.get(random.nextInt(meters.size()));
        }
        return other;
    }

    private long pieceCount(final String meter) {
        return fx.ledger.value(org.postalfunds.chaincode.state.Keys.meterAccount(meter))
                .map(bytes -> LedgerFixture.json(new String(bytes, java.nio.charset.StandardCharsets.UTF_8))
                        .path("pieceCount").asLong())
                .orElseThrow();
    }

    // ---- setting up and winding down -------------------------------------------------------------------------------

    /** 16 meters of two owners; the distributor lists everyone and keeps an allotment per recipient (Fig. 4). */
    private void setUp() {
        fx.registerMeter(DISTRIBUTOR, Organisations.MAILER_A, MeterKind.POSTAL_METER, 5_000_000, 10_000, 500_000);
        meters.add(DISTRIBUTOR);
        for (int i = 1; i <= ORDINARY_METERS; i++) {
            final String meter = String.format("m%02d", i);
            fx.registerMeter(meter, i % 2 == 0 ? Organisations.MAILER_A : Organisations.MAILER_B);
            fx.refill(meter, 50_000);
            meters.add(meter);
        }
        fx.refill(DISTRIBUTOR, 2_000_000);
        for (final String donor : meters) {
            for (final String requester : meters) {
                if (!donor.equals(requester)) {
                    fx.authorise(donor, requester);
                }
            }
        }
        for (final String recipient : meters.subList(1, meters.size())) {
            fx.submit(fx.meter(DISTRIBUTOR), ctx -> fx.contract.fundAllotment(ctx, fx.nextRequestId(), DISTRIBUTOR,
                    recipient, "60000"));
        }
        for (final Kind kind : Kind.values()) {
            outcomes.put(kind, new EnumMap<>(Outcome.class));
        }
        checkBooks();
    }

    /**
     * Past every deadline, clients expire whatever is still open, concurrently as well (expiries returning to the
     * same allotment conflict and are retried). Returns how many were open.
     */
    private int expireEverythingOpen() {
        fx.advance(Duration.ofSeconds(Limits.MAX_ESCROW_WINDOW_SECONDS + 1));
        final List<String> open = transfers.keySet().stream()
                .filter(transferId -> isOpen(LedgerInvariants.transfer(fx.ledger, transferId))).toList();
        List<String> remaining = open;
        for (int round = 0; !remaining.isEmpty() && round < MAX_ATTEMPTS * 4; round++) {
            final List<LedgerFixture.Endorsed> endorsed = new ArrayList<>();
            for (final String transferId : remaining) {
                final TestIdentity anyone = fx.meter(meters.get(random.nextInt(meters.size())));
                final LedgerFixture.Endorsed attempt = fx.endorse(anyone,
                        ctx -> fx.contract.expireTransfer(ctx, fx.nextRequestId(), transferId));
                assertThat(attempt.failure()).as("expiring " + transferId).isNull();
                endorsed.add(attempt);
            }
            final List<Validation> results = fx.ledger.commitBlock(endorsed.stream().map(LedgerFixture.Endorsed::stub)
                    .toList(), Collections.nCopies(endorsed.size(), LedgerFixture.ALL_ORGS));
            results.forEach(result -> windDown.merge(result, 1, Integer::sum));
            blocks++;
            checkBooks();
            remaining = remaining.stream()
                    .filter(transferId -> isOpen(LedgerInvariants.transfer(fx.ledger, transferId))).toList();
        }
        assertThat(remaining).as("transfers still open after expiry rounds").isEmpty();
        return open.size();
    }

    private void report(final int expiredAtTheEnd) {
        final int transactions = validations.values().stream().mapToInt(Integer::intValue).sum();
        final int conflicts = validations.getOrDefault(Validation.MVCC_READ_CONFLICT, 0)
                + validations.getOrDefault(Validation.PHANTOM_READ_CONFLICT, 0);
        System.out.printf("MVCC model (in-memory ledger, not a network): %d clients, %d meters, %d operations,"
                + " %d transactions in %d blocks (largest %d), %d resubmissions of committed request ids%n",
                CLIENTS, meters.size(), OPERATIONS, transactions, blocks, maxBlockSize, resubmissions);
        System.out.printf("  validation: %s; MVCC conflict rate %.1f%% (%d of %d transactions)%n", validations,
                100.0 * conflicts / transactions, conflicts, transactions);
        outcomes.forEach((kind, counts) -> System.out.printf("  %-12s %s%n", kind, counts));
        System.out.printf("  refusals: %s%n", refusals);
        System.out.printf("  invalidated, by the key read stale: %s%n", conflictKeys);
        System.out.printf("  transfers opened: %d; still open after the operations and then expired: %d"
                + " (expiry blocks: %s)%n", transfers.size(), expiredAtTheEnd, windDown);
    }

    private static int total(final Map<Kind, Map<Outcome, Integer>> counts) {
        return counts.values().stream().flatMap(map -> map.values().stream()).mapToInt(Integer::intValue).sum();
    }
}
