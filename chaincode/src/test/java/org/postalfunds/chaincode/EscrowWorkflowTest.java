package org.postalfunds.chaincode;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.hyperledger.fabric.contract.Context;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.format.SealedPackage;
import org.postalfunds.api.model.TransferAction;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.chaincode.access.Organisations;
import org.postalfunds.chaincode.escrow.DeadlineRule;
import org.postalfunds.chaincode.escrow.EscrowEffect;
import org.postalfunds.chaincode.escrow.TransferParty;
import org.postalfunds.chaincode.escrow.TransferStateMachine;
import org.postalfunds.chaincode.escrow.Transition;
import org.postalfunds.chaincode.fake.TestIdentity;
import org.postalfunds.chaincode.information.SecureInformationCollections;
import org.postalfunds.chaincode.state.Keys;

/**
 * The one escrow workflow over both items, through both contracts: every row of {@link TransferStateMachine#TABLE}
 * taken on funds and on a sealed package, with the item's whereabouts checked after each (held in escrow, at the
 * recipient, back with the donor); every refusal of the table and of the workflow with its error code; and expiry
 * handing the held item back. The same cases run for both items, so the two cannot drift apart.
 */
class EscrowWorkflowTest {
    private static final String DONOR = "mA1";
    private static final String RECIPIENT = "mB1";
    private static final long DONOR_FUNDS = 100_000;
    private static final long AMOUNT = 12_345;
    private static final String ITEM_NAME = "rate-table";
    private static final long WINDOW = 3_600;
    private static final String COLLECTION = SecureInformationCollections.between(Organisations.MAILER_A,
            Organisations.MAILER_B);

    /** Donor and recipient registered (key generation is the slow part), the donor refilled and authorising. */
    private static LedgerFixture base;

    @BeforeAll
    static void parties() {
        base = new LedgerFixture();
        base.registerMeter(DONOR, Organisations.MAILER_A);
        base.registerMeter(RECIPIENT, Organisations.MAILER_B);
        base.refill(DONOR, DONOR_FUNDS);
        base.authorise(DONOR, RECIPIENT);
    }

    /** Where the item is: a case's expectation and what the ledger shows. */
    enum Whereabouts { NOT_YET_HELD, IN_ESCROW, AT_RECIPIENT, BACK_WITH_DONOR }

    /** The two items, each driven through its own contract's functions. */
    enum Item {
        FUNDS, PACKAGE;

        Driver on(final LedgerFixture fx) {
            return this == FUNDS ? new FundsDriver(fx) : new PackageDriver(fx);
        }
    }

    /** One item's contract functions and how to see where the item is. */
    abstract static class Driver {
        final LedgerFixture fx;

        Driver(final LedgerFixture fx) {
            this.fx = fx;
        }

        /** Opens a transfer with REQUEST or OFFER as the party the table names; returns its id. */
        abstract String open(TransferAction action);

        /** The contract call for {@code action} on the transfer (a grant carries the item it must hold). */
        abstract Function<Context, String> call(TransferAction action, String transferId);

        abstract String eventPrefix();

        abstract JsonNode record(String transferId);

        abstract Whereabouts whereabouts(String transferId);

        TestIdentity as(final TransferParty party) {
            return switch (party) {
                case DONOR -> fx.meter(DONOR);
                case RECIPIENT -> fx.meter(RECIPIENT);
                case ANYONE -> fx.authority;
            };
        }

        String take(final TransferAction action, final String transferId, final TransferParty party) {
            return fx.submit(as(party), call(action, transferId));
        }

        /** Drives a new transfer to {@code state} along the table's shortest path. */
        String reach(final TransferState state) {
            final String transferId = open(state == TransferState.OFFERED ? TransferAction.OFFER : TransferAction.REQUEST);
            if (state == TransferState.GRANTED) {
                take(TransferAction.GRANT, transferId, TransferParty.DONOR);
            }
            return transferId;
        }

        String deadline() {
            return String.valueOf(fx.nowSeconds() + WINDOW);
        }
    }

    static final class FundsDriver extends Driver {
        FundsDriver(final LedgerFixture fx) {
            super(fx);
        }

        @Override
        String open(final TransferAction action) {
            final String result = action == TransferAction.REQUEST
                    ? fx.submit(fx.meter(RECIPIENT), ctx -> fx.contract.requestTransfer(ctx, fx.nextRequestId(), RECIPIENT,
                            DONOR, String.valueOf(AMOUNT), deadline()))
                    : fx.submit(fx.meter(DONOR), ctx -> fx.contract.offerTransfer(ctx, fx.nextRequestId(), DONOR,
                            RECIPIENT, String.valueOf(AMOUNT), deadline()));
            return LedgerFixture.json(result).at("/transfer/transferId").asText();
        }

        @Override
        Function<Context, String> call(final TransferAction action, final String id) {
            final String requestId = fx.nextRequestId();
            final PostalLedgerContract contract = fx.contract;
            return switch (action) {
                case REQUEST -> ctx -> contract.requestTransfer(ctx, requestId, RECIPIENT, DONOR,
                        String.valueOf(AMOUNT), deadline());
                case OFFER -> ctx -> contract.offerTransfer(ctx, requestId, DONOR, RECIPIENT, String.valueOf(AMOUNT),
                        deadline());
                case GRANT -> ctx -> contract.grantTransfer(ctx, requestId, id, deadline());
                case DENY -> ctx -> contract.denyTransfer(ctx, requestId, id, "not now");
                case ACCEPT -> ctx -> contract.acceptTransfer(ctx, requestId, id);
                case CANCEL -> ctx -> contract.cancelTransfer(ctx, requestId, id);
                case ACKNOWLEDGE -> ctx -> contract.acknowledgeTransfer(ctx, requestId, id);
                case REJECT -> ctx -> contract.rejectTransfer(ctx, requestId, id, "not wanted");
                case EXPIRE -> ctx -> contract.expireTransfer(ctx, requestId, id);
            };
        }

        @Override
        String eventPrefix() {
            return "Transfer";
        }

        @Override
        JsonNode record(final String transferId) {
            return fx.transfer(transferId).get("transfer");
        }

        /** By the double-entry books: the escrow account, the donor's and the recipient's meter. */
        @Override
        Whereabouts whereabouts(final String transferId) {
            final JsonNode view = fx.transfer(transferId);
            final long donor = fx.available(DONOR);
            final long recipient = fx.available(RECIPIENT);
            if (view.has("escrow")) {
                assertThat(view.at("/escrow/heldMinorUnits").asLong()).isEqualTo(AMOUNT);
                assertThat(donor).isEqualTo(DONOR_FUNDS - AMOUNT);
                assertThat(recipient).isZero();
                return Whereabouts.IN_ESCROW;
            }
            assertThat(donor + recipient).as("no funds outside the two meters").isEqualTo(DONOR_FUNDS);
            if (recipient == AMOUNT) {
                return Whereabouts.AT_RECIPIENT;
            }
            assertThat(recipient).isZero();
            return view.at("/transfer/fundingAccount").isMissingNode() ? Whereabouts.NOT_YET_HELD
                    : Whereabouts.BACK_WITH_DONOR;
        }
    }

    static final class PackageDriver extends Driver {
        private final Map<String, byte[]> packages = new java.util.HashMap<>();

        PackageDriver(final LedgerFixture fx) {
            super(fx);
        }

        private byte[] packageFor(final String transferId) {
            return packages.computeIfAbsent(transferId, id -> InformationTransferTest.sealedPackage(id, DONOR,
                    RECIPIENT, ITEM_NAME, fx.meter(DONOR)));
        }

        @Override
        String open(final TransferAction action) {
            final String requestId = fx.nextRequestId();
            final String transferId = SealedPackage.transferIdFor(action == TransferAction.REQUEST ? RECIPIENT : DONOR,
                    requestId);
            if (action == TransferAction.REQUEST) {
                fx.submit(fx.meter(RECIPIENT), ctx -> fx.information.requestInformation(ctx, requestId, RECIPIENT,
                        DONOR, ITEM_NAME, deadline()));
            } else {
                fx.carrying(Map.of("package", packageFor(transferId))).submit(fx.meter(DONOR),
                        ctx -> fx.information.offerInformation(ctx, requestId, DONOR, RECIPIENT, ITEM_NAME, deadline()));
            }
            return transferId;
        }

        @Override
        Function<Context, String> call(final TransferAction action, final String id) {
            final String requestId = fx.nextRequestId();
            final SecureInformationContract contract = fx.information;
            return switch (action) {
                case REQUEST -> ctx -> contract.requestInformation(ctx, requestId, RECIPIENT, DONOR, ITEM_NAME,
                        deadline());
                case OFFER -> ctx -> contract.offerInformation(ctx, requestId, DONOR, RECIPIENT, ITEM_NAME, deadline());
                case GRANT -> {
                    fx.carrying(Map.of("package", packageFor(id)));
                    yield ctx -> contract.grantInformation(ctx, requestId, id, deadline());
                }
                case DENY -> ctx -> contract.denyInformation(ctx, requestId, id, "not now");
                case ACCEPT -> ctx -> contract.acceptInformation(ctx, requestId, id);
                case CANCEL -> ctx -> contract.cancelInformation(ctx, requestId, id);
                case ACKNOWLEDGE -> ctx -> contract.acknowledgeInformation(ctx, requestId, id);
                case REJECT -> ctx -> contract.rejectInformation(ctx, requestId, id, "not wanted");
                case EXPIRE -> ctx -> contract.expireInformation(ctx, requestId, id);
            };
        }

        @Override
        String eventPrefix() {
            return "Information";
        }

        @Override
        JsonNode record(final String transferId) {
            return LedgerFixture.json(fx.evaluate(fx.dataCenter,
                    ctx -> fx.information.getInformationTransfer(ctx, transferId))).get("informationTransfer");
        }

        /**
         * By the private collection and the public record: held while the collection has the bytes of the recorded
         * hash; once settled the bytes are purged (no value, no earlier version) and the hash stays as the proof.
         */
        @Override
        Whereabouts whereabouts(final String transferId) {
            final JsonNode record = record(transferId);
            final String key = Keys.informationPackage(transferId);
            if (record.get("packageHeld").asBoolean()) {
                assertThat(fx.ledger.privateValue(COLLECTION, key)).hasValue(packages.get(transferId));
                assertThat(record.get("packageSha256").asText()).isEqualTo(SealedPackage.sha256Hex(packages.get(transferId)));
                return Whereabouts.IN_ESCROW;
            }
            assertThat(fx.ledger.privateValue(COLLECTION, key)).isEmpty();
            assertThat(fx.ledger.privateHistory(COLLECTION, key)).isEmpty();
            if (!record.has("packageSha256")) {
                return Whereabouts.NOT_YET_HELD;
            }
            assertThat(record.get("packageSha256").asText()).isEqualTo(SealedPackage.sha256Hex(packages.get(transferId)));
            final TransferState state = TransferState.valueOf(record.get("state").asText());
            return state == TransferState.ACCEPTED || state == TransferState.ACKNOWLEDGED ? Whereabouts.AT_RECIPIENT
                    : Whereabouts.BACK_WITH_DONOR;
        }
    }

    static Stream<Arguments> everyRowOnEveryItem() {
        final List<Arguments> cases = new ArrayList<>();
        for (final Item item : Item.values()) {
            for (final Transition row : TransferStateMachine.TABLE) {
                cases.add(Arguments.of(item, row));
            }
        }
        return cases.stream();
    }

    private static Whereabouts expectedAfter(final Transition row) {
        return switch (row.effect()) {
            case HOLD -> Whereabouts.IN_ESCROW;
            case DELIVER -> Whereabouts.AT_RECIPIENT;
            case RETURN -> Whereabouts.BACK_WITH_DONOR;
            case NONE -> row.from() == null || !row.from().holdsEscrow() ? Whereabouts.NOT_YET_HELD : Whereabouts.IN_ESCROW;
        };
    }

    private static String eventOf(final Driver driver, final TransferState state) {
        return driver.eventPrefix() + state.name().charAt(0) + state.name().substring(1).toLowerCase(Locale.ROOT);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("everyRowOnEveryItem")
    void every_row_of_the_table_moves_the_item_as_its_effect_says(final Item item, final Transition row) {
        final LedgerFixture fx = base.fork();
        final Driver driver = item.on(fx);

        final String transferId;
        if (row.from() == null) {
            transferId = driver.open(row.action());
        } else {
            transferId = driver.reach(row.from());
            if (row.deadline() == DeadlineRule.AFTER_DEADLINE) {
                fx.advance(Duration.ofSeconds(WINDOW));
            }
            driver.take(row.action(), transferId, row.party());
        }
        final String event = fx.lastStub().eventName();

        final JsonNode record = driver.record(transferId);
        assertThat(record.get("state").asText()).isEqualTo(row.to().name());
        assertThat(event).isEqualTo(eventOf(driver, row.to()));
        assertThat(record.at("/steps").get(record.at("/steps").size() - 1).get("action").asText())
                .isEqualTo(row.action().name());
        assertThat(driver.whereabouts(transferId)).isEqualTo(expectedAfter(row));
        final JsonNode totals = fx.auditTotals();
        assertThat(totals.at("/proof/balanced").asBoolean()).as("the books balance").isTrue();
        assertThat(totals.at("/totalsMinorUnits/ESCROW").asLong()).as("funds in escrow")
                .isEqualTo(item == Item.FUNDS && expectedAfter(row) == Whereabouts.IN_ESCROW ? AMOUNT : 0);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("everyRowOnEveryItem")
    void every_row_is_refused_to_the_wrong_party_and_at_the_wrong_time(final Item item, final Transition row) {
        final LedgerFixture fx = base.fork();
        final Driver driver = item.on(fx);
        final String transferId = row.from() == null ? null : driver.reach(row.from());

        if (row.party() != TransferParty.ANYONE) {
            final TransferParty other = row.party() == TransferParty.DONOR ? TransferParty.RECIPIENT : TransferParty.DONOR;
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, driver.as(other), driver.call(row.action(), transferId));
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.authority, driver.call(row.action(), transferId));
        }
        if (row.deadline() == DeadlineRule.AFTER_DEADLINE) {
            fx.rejectsWith(ErrorCode.DEADLINE_NOT_REACHED, driver.as(row.party()), driver.call(row.action(), transferId));
        }
        if (row.deadline() == DeadlineRule.BEFORE_DEADLINE) {
            fx.advance(Duration.ofSeconds(WINDOW));
            fx.rejectsWith(ErrorCode.DEADLINE_PASSED, driver.as(row.party()), driver.call(row.action(), transferId));
        }
        if (row.from() != null) {
            assertThat(driver.record(transferId).get("state").asText()).isEqualTo(row.from().name());
        }
    }

    /** Every action the table has no row for, from every state, on both items: ILLEGAL_TRANSITION, nothing written. */
    @ParameterizedTest
    @EnumSource(Item.class)
    void every_step_off_the_table_is_an_illegal_transition(final Item item) {
        final Map<TransferState, List<TransferAction>> refused = new EnumMap<>(TransferState.class);
        for (final TransferState state : TransferState.values()) {
            final LedgerFixture fx = base.fork();
            final Driver driver = item.on(fx);
            final String transferId = reachAny(driver, state);
            for (final TransferAction action : TransferAction.values()) {
                final boolean inTable = TransferStateMachine.TABLE.stream()
                        .anyMatch(row -> row.from() == state && row.action() == action);
                if (inTable || action == TransferAction.REQUEST || action == TransferAction.OFFER) {
                    continue; // the opening actions take no transfer id
                }
                fx.rejectsWith(ErrorCode.ILLEGAL_TRANSITION, fx.meter(RECIPIENT), driver.call(action, transferId));
                refused.computeIfAbsent(state, unused -> new ArrayList<>()).add(action);
            }
        }
        // 9 states x 7 actions on a transfer, less the 10 rows that start from a state
        assertThat(refused.values().stream().mapToInt(List::size).sum()).isEqualTo(9 * 7 - 10);
    }

    /** Any state, by the table's shortest path from an opening, the expiring ones past their deadline. */
    private static String reachAny(final Driver driver, final TransferState state) {
        final Transition last = TransferStateMachine.TABLE.stream().filter(row -> row.to() == state).findFirst()
                .orElseThrow();
        if (last.from() == null) {
            return driver.open(last.action());
        }
        final String transferId = driver.reach(last.from());
        if (last.deadline() == DeadlineRule.AFTER_DEADLINE) {
            driver.fx.advance(Duration.ofSeconds(WINDOW));
        }
        driver.take(last.action(), transferId, last.party());
        return transferId;
    }

    /** Expiry gives the held item back, whoever calls it, and only once: EXPIRED is final. */
    @ParameterizedTest
    @EnumSource(Item.class)
    void expiry_returns_the_held_item_to_the_donor(final Item item) {
        for (final TransferState held : List.of(TransferState.GRANTED, TransferState.OFFERED)) {
            final LedgerFixture fx = base.fork();
            final Driver driver = item.on(fx);
            final String transferId = driver.reach(held);
            assertThat(driver.whereabouts(transferId)).isEqualTo(Whereabouts.IN_ESCROW);

            fx.advance(Duration.ofSeconds(WINDOW - 1));
            fx.rejectsWith(ErrorCode.DEADLINE_NOT_REACHED, fx.authority, driver.call(TransferAction.EXPIRE, transferId));
            fx.advance(Duration.ofSeconds(1)); // the deadline itself counts as passed
            fx.rejectsWith(ErrorCode.DEADLINE_PASSED, fx.meter(RECIPIENT), driver.call(
                    held == TransferState.GRANTED ? TransferAction.ACCEPT : TransferAction.ACKNOWLEDGE, transferId));
            driver.take(TransferAction.EXPIRE, transferId, TransferParty.ANYONE);

            assertThat(driver.record(transferId).get("state").asText()).isEqualTo("EXPIRED");
            assertThat(driver.whereabouts(transferId)).isEqualTo(Whereabouts.BACK_WITH_DONOR);
            fx.rejectsWith(ErrorCode.ILLEGAL_TRANSITION, fx.authority, driver.call(TransferAction.EXPIRE, transferId));
        }
    }

    /** A request that lapses held nothing, and gives nothing back. */
    @ParameterizedTest
    @EnumSource(Item.class)
    void an_expired_request_held_nothing(final Item item) {
        final LedgerFixture fx = base.fork();
        final Driver driver = item.on(fx);
        final String transferId = driver.reach(TransferState.REQUESTED);
        fx.advance(Duration.ofSeconds(WINDOW));
        driver.take(TransferAction.EXPIRE, transferId, TransferParty.ANYONE);

        assertThat(driver.whereabouts(transferId)).isEqualTo(Whereabouts.NOT_YET_HELD);
    }

    /** The workflow's own refusals, the same code on both items. */
    @ParameterizedTest
    @EnumSource(Item.class)
    void the_workflow_refuses_with_the_same_codes_on_both_items(final Item item) {
        final LedgerFixture fx = base.fork();
        final Driver driver = item.on(fx);
        final boolean funds = item == Item.FUNDS;
        final TestIdentity recipient = fx.meter(RECIPIENT);
        final TestIdentity donor = fx.meter(DONOR);

        // deadline window: after now, at most 30 days ahead
        for (final String deadline : List.of(String.valueOf(fx.nowSeconds()),
                String.valueOf(fx.nowSeconds() + 30L * 24 * 3600 + 1))) {
            fx.rejectsWith(ErrorCode.INVALID_DEADLINE, recipient, funds
                    ? ctx -> fx.contract.requestTransfer(ctx, "w1", RECIPIENT, DONOR, String.valueOf(AMOUNT), deadline)
                    : ctx -> fx.information.requestInformation(ctx, "w1", RECIPIENT, DONOR, ITEM_NAME, deadline));
        }
        // one meter on both sides
        fx.rejectsWith(ErrorCode.SELF_TRANSFER, recipient, funds
                ? ctx -> fx.contract.requestTransfer(ctx, "s1", RECIPIENT, RECIPIENT, String.valueOf(AMOUNT), driver.deadline())
                : ctx -> fx.information.requestInformation(ctx, "s1", RECIPIENT, RECIPIENT, ITEM_NAME, driver.deadline()));
        // a counterpart that does not exist
        fx.rejectsWith(ErrorCode.UNKNOWN_METER, recipient, funds
                ? ctx -> fx.contract.requestTransfer(ctx, "u1", RECIPIENT, "nobody", String.valueOf(AMOUNT), driver.deadline())
                : ctx -> fx.information.requestInformation(ctx, "u1", RECIPIENT, "nobody", ITEM_NAME, driver.deadline()));
        // a transfer that does not exist
        for (final TransferAction action : List.of(TransferAction.GRANT, TransferAction.ACCEPT, TransferAction.EXPIRE)) {
            fx.rejectsWith(ErrorCode.UNKNOWN_TRANSFER, donor, driver.call(action, funds ? "f".repeat(64) : "info-none"));
        }
        // the grant's new escrow deadline obeys the same window
        final String requested = driver.reach(TransferState.REQUESTED);
        fx.rejectsWith(ErrorCode.INVALID_DEADLINE, donor, funds
                ? ctx -> fx.contract.grantTransfer(ctx, "g1", requested, String.valueOf(fx.nowSeconds()))
                : ctx -> fx.information.grantInformation(ctx, "g1", requested, String.valueOf(fx.nowSeconds())));
    }

    /**
     * Meter rules: a suspended counterpart cannot be sent a new transfer nor take delivery, but the releasing steps
     * work in any status, so a held item never gets stuck.
     */
    @ParameterizedTest
    @EnumSource(Item.class)
    void a_suspended_recipient_cannot_take_the_item_but_it_can_always_go_back(final Item item) {
        final LedgerFixture fx = base.fork();
        final Driver driver = item.on(fx);
        final String offered = driver.reach(TransferState.OFFERED);
        fx.submit(fx.dataCenter, ctx -> fx.contract.suspendMeter(ctx, fx.nextRequestId(), RECIPIENT, "inspection"));

        fx.rejectsWith(ErrorCode.METER_SUSPENDED, fx.meter(DONOR), driver.call(TransferAction.OFFER, null));
        fx.rejectsWith(ErrorCode.METER_SUSPENDED, fx.meter(RECIPIENT), driver.call(TransferAction.ACKNOWLEDGE, offered));
        driver.take(TransferAction.REJECT, offered, TransferParty.RECIPIENT);

        assertThat(driver.whereabouts(offered)).isEqualTo(Whereabouts.BACK_WITH_DONOR);
    }
}
