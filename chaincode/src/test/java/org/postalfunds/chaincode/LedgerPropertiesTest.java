package org.postalfunds.chaincode;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.statistics.Statistics;
import org.hyperledger.fabric.contract.Context;
import org.postalfunds.chaincode.fake.FakeLedger;
import org.postalfunds.chaincode.fake.TestIdentity;
import org.postalfunds.chaincode.meter.MeterKind;

/**
 * Random sequences of operations by random callers. After every step, read straight from the committed state:
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

    @Provide
    Arbitrary<List<Step>> steps() {
        final Arbitrary<Long> amounts = Arbitraries.frequencyOf(
                weighted(12, Arbitraries.longs().between(1, 3_000)),
                weighted(1, Arbitraries.of(0L, -1L, -500L, Long.MAX_VALUE, Long.MIN_VALUE)));
        final Arbitrary<Step> step = Combinators.combine(
                Arbitraries.frequencyOf(
                        weighted(6, Arbitraries.just(Kind.REFILL)), weighted(5, Arbitraries.just(Kind.PRINT)),
                        weighted(3, Arbitraries.just(Kind.AUTHORISE)), weighted(2, Arbitraries.just(Kind.FUND_ALLOTMENT)),
                        weighted(1, Arbitraries.just(Kind.RELEASE_ALLOTMENT)), weighted(6, Arbitraries.just(Kind.REQUEST)),
                        weighted(4, Arbitraries.just(Kind.OFFER)), weighted(6, Arbitraries.just(Kind.GRANT)),
                        weighted(1, Arbitraries.just(Kind.DENY)), weighted(4, Arbitraries.just(Kind.ACCEPT)),
                        weighted(2, Arbitraries.just(Kind.CANCEL)), weighted(3, Arbitraries.just(Kind.ACKNOWLEDGE)),
                        weighted(1, Arbitraries.just(Kind.REJECT)), weighted(3, Arbitraries.just(Kind.EXPIRE)),
                        weighted(3, Arbitraries.just(Kind.ADVANCE)), weighted(1, Arbitraries.just(Kind.SUSPEND)),
                        weighted(1, Arbitraries.just(Kind.RESUME)), weighted(1, Arbitraries.just(Kind.WITHDRAW)),
                        weighted(1, Arbitraries.just(Kind.INSPECT))),
                Arbitraries.integers().between(0, METERS.length - 1),
                Arbitraries.integers().between(0, METERS.length - 1),
                amounts,
                Arbitraries.frequencyOf(
                        weighted(10, Arbitraries.longs().between(60, 7_200)),
                        weighted(2, Arbitraries.longs().between(7_200, 3L * 86_400)),
                        weighted(1, Arbitraries.longs().between(-100, 0)),
                        weighted(1, Arbitraries.longs().between(31L * 86_400, 40L * 86_400))),
                Arbitraries.integers().between(0, 1_000),
                Arbitraries.frequency(weighted(9, true), weighted(1, false)),
                Arbitraries.integers().between(0, 7))
                .as(Step::new);
        return step.list().ofMinSize(1).ofMaxSize(60);
    }

    private static <T> net.jqwik.api.Tuple.Tuple2<Integer, T> weighted(final int weight, final T value) {
        return net.jqwik.api.Tuple.of(weight, value);
    }

    @Property(tries = 300, shrinking = ShrinkingMode.BOUNDED, edgeCases = EdgeCasesMode.NONE)
    void money_is_conserved_registers_hold_and_every_escrow_resolves(@ForAll("steps") final List<Step> steps) {
        final World world = new World();
        for (final Step step : steps) {
            world.apply(step);
            world.checkInvariants();
        }
        world.expireEverythingOpen();
        world.checkInvariants();
        assertThat(world.escrowKeys()).as("escrows left after expiring everything").isEmpty();
        assertThat(world.fx.auditTotals().at("/proof/balanced").asBoolean()).isTrue();
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
                Statistics.label("outcome").collect(step.kind() + " refused");
                assertThat(LedgerFixture.codeOf(endorsed.failure())).as(endorsed.failure().getMessage())
                        .isNotEqualTo(ErrorCode.INVARIANT_VIOLATED.name());
                assertThat(endorsed.stub().putOrder()).as("writes of a refused step").isEmpty();
                return null;
            }
            assertThat(fx.ledger.commit(endorsed.stub(), LedgerFixture.ALL_ORGS))
                    .isEqualTo(FakeLedger.Validation.VALID);
            Statistics.label("outcome").collect(step.kind() + " committed");
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
