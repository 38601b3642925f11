package org.postalfunds.chaincode;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.hyperledger.fabric.contract.Context;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Limits;
import org.postalfunds.api.model.MeterKind;
import org.postalfunds.chaincode.access.Organisations;
import org.postalfunds.chaincode.fake.FakeLedger;
import org.postalfunds.chaincode.fake.TestIdentity;

/**
 * Random sequences of operations by random callers: 300 seeded sequences in plain JUnit 5 (no property-testing
 * library); a failure names the run's seed and the failing sequence's seed, and either replays with a system property
 * ({@value #SEED_PROPERTY}, {@value #SEQUENCE_PROPERTY}). After every step, read straight from the committed state:
 * all accounts sum to zero, no register is negative, every control sum holds, escrows match open transfers. At the
 * end, after the deadlines pass and everything open is expired, no escrow holds funds.
 */
class LedgerPropertiesTest {
    private static final String[] METERS = {"m0", "m1", "m2", "m3"};

    enum Kind { REFILL, PRINT, AUTHORISE, FUND_ALLOTMENT, RELEASE_ALLOTMENT, REQUEST, OFFER, GRANT, DENY, ACCEPT,
        CANCEL, ACKNOWLEDGE, REJECT, EXPIRE, ADVANCE, SUSPEND, RESUME, WITHDRAW, INSPECT }

    /** One step: what, on which meters or transfer, how much, and whether the rightful party calls. */
    record Step(Kind kind, int first, int second, long amount, long seconds, int transferPick, boolean rightful,
            int wrongCaller) {}

    /** Sequences per run, as many as the jqwik property ran (tries = 300). */
    static final int SEQUENCES = 300;
    /** -Dledger.properties.seed=N replays a whole run (its 300 sequences) from the base seed a failure printed. */
    static final String SEED_PROPERTY = "ledger.properties.seed";
    /** -Dledger.properties.sequence=N replays the one sequence whose seed a failure printed. */
    static final String SEQUENCE_PROPERTY = "ledger.properties.sequence";

    private static final Kind[] KIND_BY_WEIGHT = weighted(new Object[][] {
            {6, Kind.REFILL}, {5, Kind.PRINT}, {3, Kind.AUTHORISE}, {2, Kind.FUND_ALLOTMENT}, {1, Kind.RELEASE_ALLOTMENT},
            {6, Kind.REQUEST}, {4, Kind.OFFER}, {6, Kind.GRANT}, {1, Kind.DENY}, {4, Kind.ACCEPT}, {2, Kind.CANCEL},
            {3, Kind.ACKNOWLEDGE}, {1, Kind.REJECT}, {3, Kind.EXPIRE}, {3, Kind.ADVANCE}, {1, Kind.SUSPEND},
            {1, Kind.RESUME}, {1, Kind.WITHDRAW}, {1, Kind.INSPECT}}, Kind[]::new);
    private static final long[] ODD_AMOUNTS = {0L, -1L, -500L, Long.MAX_VALUE, Long.MIN_VALUE};

    @SuppressWarnings("unchecked")
    private static <T> T[] weighted(final Object[][] table, final java.util.function.IntFunction<T[]> array) {
        final List<T> expanded = new ArrayList<>();
        for (final Object[] row : table) {
            for (int i = 0; i < (Integer) row[0]; i++) {
                expanded.add((T) row[1]);
            }
        }
        return expanded.toArray(array.apply(0));
    }

    /** One random sequence of 1 to 60 steps, with the weights the jqwik generator had; the same seed, the same steps. */
    static List<Step> steps(final long seed) {
        final SplittableRandom random = new SplittableRandom(seed);
        final int size = random.nextInt(1, 61);
        final List<Step> steps = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            final Kind kind = KIND_BY_WEIGHT[random.nextInt(KIND_BY_WEIGHT.length)];
            final int first = random.nextInt(METERS.length);
            final int second = random.nextInt(METERS.length);
            final long amount = random.nextInt(13) < 12 ? random.nextLong(1, 3_001)
                    : ODD_AMOUNTS[random.nextInt(ODD_AMOUNTS.length)];
            final int secondsPick = random.nextInt(14);
            final long seconds = secondsPick < 10 ? random.nextLong(60, 7_201)
                    : secondsPick < 12 ? random.nextLong(7_200, 3L * 86_400 + 1)
                    : secondsPick < 13 ? random.nextLong(-100, 1)
                    : random.nextLong(31L * 86_400, 40L * 86_400 + 1);
            steps.add(new Step(kind, first, second, amount, seconds, random.nextInt(1_001), random.nextInt(10) < 9,
                    random.nextInt(8)));
        }
        return steps;
    }

    @Test
    void money_is_conserved_registers_hold_and_every_escrow_resolves() {
        final String single = System.getProperty(SEQUENCE_PROPERTY);
        if (single != null && !single.isBlank()) {
            final long seed = Long.parseLong(single.trim());
            runSequence(seed, "replayed sequence (-D" + SEQUENCE_PROPERTY + "=" + seed + ")");
            return;
        }
        final String given = System.getProperty(SEED_PROPERTY);
        final long base = given == null || given.isBlank() ? new SplittableRandom().nextLong() : Long.parseLong(given.trim());
        final SplittableRandom seeds = new SplittableRandom(base);
        for (int i = 0; i < SEQUENCES; i++) {
            final long seed = seeds.nextLong();
            runSequence(seed, "sequence " + (i + 1) + " of " + SEQUENCES + " of run seed " + base + " (replay the run with -D"
                    + SEED_PROPERTY + "=" + base + ", this sequence alone with -D" + SEQUENCE_PROPERTY + "=" + seed + ")");
        }
        System.out.printf("[ledger properties] %d random sequences from seed %d: %s%n", SEQUENCES, base, OUTCOMES);
    }

    private static final java.util.Map<String, Integer> OUTCOMES = new java.util.TreeMap<>();

    private static void runSequence(final long seed, final String which) {
        final List<Step> steps = steps(seed);
        try {
            final World world = new World();
            for (final Step step : steps) {
                world.apply(step);
                world.checkInvariants();
            }
            world.expireEverythingOpen();
            world.checkInvariants();
            assertThat(world.escrowKeys()).as("escrows left after expiring everything").isEmpty();
            assertThat(world.fx.auditTotals().at("/proof/balanced").asBoolean()).isTrue();
        } catch (AssertionError | RuntimeException e) {
            final StringBuilder listing = new StringBuilder();
            for (int i = 0; i < steps.size(); i++) {
                listing.append("\n  ").append(i + 1).append(". ").append(steps.get(i));
            }
            throw new AssertionError("failed on " + which + "; its " + steps.size() + " steps:" + listing, e);
        }
    }

    /** The ledger under test plus what the driver knows: meters and transfer ids. */
    private static final class World {
        final LedgerFixture fx = new LedgerFixture();
        final List<String> transfers = new ArrayList<>();
        final List<TestIdentity> callers = new ArrayList<>();

        World() {
            fx.registerMeter("m0", Organisations.MAILER_A);
            fx.registerMeter("m1", Organisations.MAILER_B);
            fx.registerMeter("m2", Organisations.MAILER_A, MeterKind.HANDHELD_METERING_UNIT, 20_000, 1_000, 5_000);
            fx.registerMeter("m3", Organisations.MAILER_B, MeterKind.POSTAL_METER, 8_000, 500, 2_000);
            for (final String meter : METERS) {
                callers.add(fx.meter(meter));
            }
            callers.addAll(List.of(fx.dataCenter, fx.mailerA, fx.mailerB, fx.authority));
            for (final String donor : METERS) {
                fx.refill(donor, 4_000);
                for (final String requester : METERS) {
                    if (!donor.equals(requester)) {
                        fx.authorise(donor, requester);
                    }
                }
            }
        }

        void apply(final Step step) {
            final String a = METERS[step.first()];
            final String b = METERS[step.second()];
            final long amount = step.amount();
            final long deadline = fx.nowSeconds() + step.seconds();
            final String transfer = pickTransfer(step.transferPick());
            final PostalLedgerContract c = fx.contract;
            switch (step.kind()) {
                case REFILL -> run(step, fx.dataCenter, ctx -> c.refillMeter(ctx, id(), a, String.valueOf(amount)));
                case PRINT -> {
                    final long piece = fx.meterView(a).at("/registers/pieceCount").asLong() + 1;
                    final String indicium = amount > 0
                            ? fx.indicium(a, piece, amount, fx.meter(a))
                            : fx.indicium(a, piece, 1, fx.meter(a)).replace("\"amountMinorUnits\":1,",
                                    "\"amountMinorUnits\":" + amount + ",");
                    run(step, fx.meter(a), ctx -> c.printPostage(ctx, id(), indicium));
                }
                case AUTHORISE -> run(step, fx.meter(a), ctx -> c.authoriseRequester(ctx, id(), a, b));
                case FUND_ALLOTMENT -> run(step, fx.meter(a), ctx -> c.fundAllotment(ctx, id(), a, b, String.valueOf(amount)));
                case RELEASE_ALLOTMENT -> run(step, fx.meter(a), ctx -> c.releaseAllotment(ctx, id(), a, b, String.valueOf(amount)));
                case REQUEST -> remember(run(step, fx.meter(b), ctx -> c.requestTransfer(ctx, id(), b, a, String.valueOf(amount),
                        String.valueOf(deadline))));
                case OFFER -> remember(run(step, fx.meter(a), ctx -> c.offerTransfer(ctx, id(), a, b, String.valueOf(amount),
                        String.valueOf(deadline))));
                case GRANT -> run(step, donorOf(transfer), ctx -> c.grantTransfer(ctx, id(), transfer, String.valueOf(deadline)));
                case DENY -> run(step, donorOf(transfer), ctx -> c.denyTransfer(ctx, id(), transfer, "no"));
                case ACCEPT -> run(step, recipientOf(transfer), ctx -> c.acceptTransfer(ctx, id(), transfer));
                case CANCEL -> run(step, recipientOf(transfer), ctx -> c.cancelTransfer(ctx, id(), transfer));
                case ACKNOWLEDGE -> run(step, recipientOf(transfer), ctx -> c.acknowledgeTransfer(ctx, id(), transfer));
                case REJECT -> run(step, recipientOf(transfer), ctx -> c.rejectTransfer(ctx, id(), transfer, "no"));
                case EXPIRE -> run(step, fx.authority, ctx -> c.expireTransfer(ctx, id(), transfer));
                case ADVANCE -> fx.advance(Duration.ofSeconds(Math.max(1, step.seconds())));
                case SUSPEND -> run(step, fx.dataCenter, ctx -> c.suspendMeter(ctx, id(), a, "random"));
                case RESUME -> run(step, fx.dataCenter, ctx -> c.resumeMeter(ctx, id(), a));
                case WITHDRAW -> run(step, fx.dataCenter, ctx -> c.withdrawMeter(ctx, id(), a));
                case INSPECT -> run(step, fx.dataCenter, ctx -> c.recordInspection(ctx, id(), a));
                default -> throw new IllegalStateException();
            }
        }

        /** Mostly one of the three newest transfers (where the action is), sometimes any. */
        private String pickTransfer(final int pick) {
            if (transfers.isEmpty()) {
                return "none";
            }
            final int recent = Math.min(3, transfers.size());
            return pick % 4 != 0
                    ? transfers.get(transfers.size() - 1 - pick % recent)
                    : transfers.get(pick % transfers.size());
        }

        private String id() {
            return fx.nextRequestId();
        }

        private TestIdentity donorOf(final String transfer) {
            return partyOf(transfer, "donorMeterId");
        }

        private TestIdentity recipientOf(final String transfer) {
            return partyOf(transfer, "recipientMeterId");
        }

        private TestIdentity partyOf(final String transfer, final String field) {
            if (transfer.equals("none")) {
                return fx.authority;
            }
            return fx.meter(fx.transfer(transfer).at("/transfer/" + field).asText());
        }

        private void remember(final String result) {
            if (result != null) {
                transfers.add(LedgerFixture.json(result).at("/transfer/transferId").asText());
            }
        }

        /** Runs one step by the rightful caller or a random one; commits it if the contract accepted it. */
        private String run(final Step step, final TestIdentity rightful, final Function<Context, String> call) {
            final TestIdentity caller = step.rightful() ? rightful : callers.get(step.wrongCaller());
            final LedgerFixture.Endorsed endorsed = fx.endorse(caller, call);
            if (endorsed.failure() != null) {
                OUTCOMES.merge(step.kind() + " refused", 1, Integer::sum);
                assertThat(LedgerFixture.codeOf(endorsed.failure())).as(endorsed.failure().getMessage())
                        .isNotEqualTo(ErrorCode.INVARIANT_VIOLATED.name());
                assertThat(endorsed.stub().putOrder()).as("writes of a refused step").isEmpty();
                return null;
            }
            assertThat(fx.ledger.commit(endorsed.stub(), LedgerFixture.ALL_ORGS))
                    .isEqualTo(FakeLedger.Validation.VALID);
            OUTCOMES.merge(step.kind() + " committed", 1, Integer::sum);
            return endorsed.result();
        }

        void expireEverythingOpen() {
            fx.advance(Duration.ofSeconds(Limits.MAX_ESCROW_WINDOW_SECONDS + Limits.MAX_REQUEST_WINDOW_SECONDS + 1));
            for (final String transfer : transfers) {
                final String state = fx.transfer(transfer).at("/transfer/state").asText();
                if (state.equals("REQUESTED") || state.equals("GRANTED") || state.equals("OFFERED")) {
                    fx.submit(fx.mailerB, ctx -> fx.contract.expireTransfer(ctx, fx.nextRequestId(), transfer));
                    assertThat(fx.transfer(transfer).at("/transfer/state").asText()).isEqualTo("EXPIRED");
                }
            }
        }

        List<String> escrowKeys() {
            return LedgerInvariants.escrowedTransfers(fx.ledger);
        }

        /** Invariants straight from the committed bytes, independent of the contract's own classes. */
        void checkInvariants() {
            LedgerInvariants.check(fx.ledger);
        }
    }
}
