package org.postalfunds.chaincode;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.hyperledger.fabric.contract.Context;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.model.MeterKind;
import org.postalfunds.chaincode.access.Organisations;
import org.postalfunds.chaincode.fake.FakeLedger;
import org.postalfunds.chaincode.fake.TestIdentity;

/**
 * Every function x every role, against the table below. Each cell runs on its own fork of one ledger, with arguments
 * that succeed for an allowed caller: an allowed cell must succeed (a submit commits, a query writes nothing), a
 * denied cell must fail with NOT_AUTHORISED and write nothing.
 *
 * <p>The subject of every call is meter mA1 of MailerA. Where a function has a counterpart (a transfer, an
 * allotment), it is meter mB2 of MailerB, so MailerB identities are a party's owner there.
 */
class AuthorisationMatrixTest {

    /** The callers, relative to the subject meter mA1 (MailerA). */
    enum Role {
        /** mA1 itself: MailerA's MSP and mA1's registered PSD key. */
        METER,
        /** mA2, another meter of MailerA. */
        ORG_METER,
        /** mB1, a meter of MailerB (the counterpart's owner), not a party. */
        OTHER_METER,
        /** MailerA's operator: the owner's organisation, no meter key. */
        OWNER,
        DATA_CENTER,
        AUTHORITY,
        /** A P-256 certificate from an MSP the contract does not know. */
        UNKNOWN
    }

    enum Access { ALLOW, DENY }

    /** The expected access, one row per contract function. */
    private static final String TABLE = """
            function                 | METER | ORG_METER | OTHER_METER | OWNER | DATA_CENTER | AUTHORITY | UNKNOWN
            initConsortium           | deny  | deny      | deny        | deny  | allow       | deny      | deny
            admitMeterOwner          | deny  | deny      | deny        | deny  | allow       | deny      | deny
            getConsortium            | allow | allow     | allow       | allow | allow       | allow     | deny
            registerMeter            | deny  | deny      | deny        | deny  | allow       | deny      | deny
            refillMeter              | deny  | deny      | deny        | deny  | allow       | deny      | deny
            suspendMeter             | deny  | deny      | deny        | deny  | allow       | deny      | deny
            resumeMeter              | deny  | deny      | deny        | deny  | allow       | deny      | deny
            withdrawMeter            | deny  | deny      | deny        | deny  | allow       | deny      | deny
            recordInspection         | deny  | deny      | deny        | deny  | allow       | deny      | deny
            reportPsdFailure         | deny  | deny      | deny        | deny  | allow       | deny      | deny
            replacePsd               | deny  | deny      | deny        | deny  | allow       | deny      | deny
            getReplacement           | allow | allow     | deny        | allow | allow       | allow     | deny
            setInspectionPeriods     | deny  | deny      | deny        | deny  | allow       | deny      | deny
            authoriseRequester       | allow | allow     | deny        | allow | deny        | deny      | deny
            revokeRequester          | allow | allow     | deny        | allow | deny        | deny      | deny
            fundAllotment            | allow | deny      | deny        | deny  | deny        | deny      | deny
            releaseAllotment         | allow | deny      | deny        | deny  | deny        | deny      | deny
            printPostage             | allow | deny      | deny        | deny  | deny        | deny      | deny
            requestTransfer          | allow | deny      | deny        | deny  | deny        | deny      | deny
            grantTransfer            | allow | deny      | deny        | deny  | deny        | deny      | deny
            denyTransfer             | allow | deny      | deny        | deny  | deny        | deny      | deny
            acceptTransfer           | allow | deny      | deny        | deny  | deny        | deny      | deny
            cancelTransfer           | allow | deny      | deny        | deny  | deny        | deny      | deny
            offerTransfer            | allow | deny      | deny        | deny  | deny        | deny      | deny
            acknowledgeTransfer      | allow | deny      | deny        | deny  | deny        | deny      | deny
            rejectTransfer           | allow | deny      | deny        | deny  | deny        | deny      | deny
            expireTransfer           | allow | allow     | allow       | allow | allow       | allow     | allow
            recordIndiciumScan       | deny  | deny      | deny        | deny  | deny        | allow     | deny
            getMeter                 | allow | allow     | deny        | allow | allow       | allow     | deny
            getInspectionPeriods     | allow | allow     | allow       | allow | allow       | allow     | allow
            getTransfer              | allow | allow     | allow       | allow | allow       | allow     | deny
            listTransfers            | allow | allow     | deny        | allow | allow       | allow     | deny
            listAuthorisedRequesters | allow | allow     | deny        | allow | allow       | allow     | deny
            getAllotment             | allow | allow     | allow       | allow | allow       | allow     | deny
            getIndicium              | allow | allow     | deny        | allow | allow       | allow     | deny
            verifyIndicium           | deny  | deny      | deny        | deny  | allow       | allow     | deny
            getAccountHistory        | allow | allow     | deny        | allow | allow       | allow     | deny
            auditTotals              | deny  | deny      | deny        | deny  | allow       | allow     | deny
            requestRefund            | allow | deny      | deny        | deny  | deny        | deny      | deny
            approveRefund            | deny  | deny      | deny        | deny  | deny        | allow     | deny
            rejectRefund             | deny  | deny      | deny        | deny  | deny        | allow     | deny
            getRefund                | allow | allow     | deny        | allow | allow       | allow     | deny
            listRefunds              | allow | allow     | deny        | allow | allow       | allow     | deny
            """;

    private static final Map<EntryPoint, Map<Role, Access>> EXPECTED = parse(TABLE);

    /** What each function is called with, and what the ledger needs first (on the cell's own fork). */
    private record Scenario(Consumer<LedgerFixture> arrange, BiFunction<LedgerFixture, Context, String> call) {}

    /** The populated ledger every cell forks; built once (key generation dominates setup). */
    private static final class Base {
        static final Base INSTANCE = new Base();

        final LedgerFixture fx = new LedgerFixture();
        final TestIdentity stranger = TestIdentity.p256("UnknownMSP", "stranger");
        final TestIdentity newMeter = TestIdentity.p256(Organisations.MAILER_A, "mA9");
        final String toGrant;
        final String toCancel;
        final String toAccept;
        final String toAcknowledge;
        final String printed;

        private Base() {
            fx.registerMeter("mA1", Organisations.MAILER_A);
            fx.registerMeter("mA2", Organisations.MAILER_A);
            fx.registerMeter("mB1", Organisations.MAILER_B);
            fx.registerMeter("mB2", Organisations.MAILER_B);
            fx.registerMeter("mA3", Organisations.MAILER_A);
            fx.registerMeter("mA4", Organisations.MAILER_A);
            fx.refill("mA1", 100_000);
            fx.refill("mB2", 100_000);
            fx.authorise("mA1", "mB2");
            fx.authorise("mB2", "mA1");
            fx.submit(fx.meter("mA1"), ctx -> fx.contract.fundAllotment(ctx, fx.nextRequestId(), "mA1", "mB2", "5000"));
            toGrant = fx.request("mB2", "mA1", 100);
            toCancel = fx.request("mA1", "mB2", 100);
            toAccept = fx.request("mA1", "mB2", 100);
            fx.grant(toAccept, "mB2");
            toAcknowledge = fx.offer("mB2", "mA1", 100);
            fx.print("mA1", 100);
            printed = fx.indicium("mA1", 1, 100, fx.meter("mA1"));
        }

        TestIdentity identity(final Role role) {
            return switch (role) {
                case METER -> fx.meter("mA1");
                case ORG_METER -> fx.meter("mA2");
                case OTHER_METER -> fx.meter("mB1");
                case OWNER -> fx.mailerA;
                case DATA_CENTER -> fx.dataCenter;
                case AUTHORITY -> fx.authority;
                case UNKNOWN -> stranger;
            };
        }
    }

    private static final Map<EntryPoint, Scenario> SCENARIOS = scenarios();

    private static Map<EntryPoint, Scenario> scenarios() {
        final Base base = Base.INSTANCE;
        final Map<EntryPoint, Scenario> scenarios = new EnumMap<>(EntryPoint.class);
        final Consumer<LedgerFixture> nothing = fx -> { };
        final Function<LedgerFixture, PostalLedgerContract> c = fx -> fx.contract;
        scenarios.put(EntryPoint.REGISTER_METER, new Scenario(nothing, (fx, ctx) -> c.apply(fx).registerMeter(ctx,
                "r", LedgerFixture.registration("mA9", Organisations.MAILER_A, base.newMeter.certificatePem(),
                        MeterKind.POSTAL_METER, 1_000, 100, 1_000))));
        scenarios.put(EntryPoint.INIT_CONSORTIUM, new Scenario(nothing,
                (fx, ctx) -> c.apply(fx).initConsortium(ctx, "r", Organisations.RECORD_JSON)));
        scenarios.put(EntryPoint.ADMIT_METER_OWNER, new Scenario(nothing,
                (fx, ctx) -> c.apply(fx).admitMeterOwner(ctx, "r", "MailerCMSP")));
        scenarios.put(EntryPoint.GET_CONSORTIUM, new Scenario(nothing, (fx, ctx) -> c.apply(fx).getConsortium(ctx)));
        scenarios.put(EntryPoint.REFILL_METER, new Scenario(nothing,
                (fx, ctx) -> c.apply(fx).refillMeter(ctx, "r", "mA1", "100")));
        scenarios.put(EntryPoint.SUSPEND_METER, new Scenario(nothing,
                (fx, ctx) -> c.apply(fx).suspendMeter(ctx, "r", "mA1", "seal check")));
        scenarios.put(EntryPoint.RESUME_METER, new Scenario(
                fx -> fx.submit(fx.dataCenter, ctx -> fx.contract.suspendMeter(ctx, "s", "mA1", "seal check")),
                (fx, ctx) -> c.apply(fx).resumeMeter(ctx, "r", "mA1")));
        scenarios.put(EntryPoint.WITHDRAW_METER, new Scenario(nothing,
                (fx, ctx) -> c.apply(fx).withdrawMeter(ctx, "r", "mA2"))); // mA1 has open transfers
        scenarios.put(EntryPoint.RECORD_INSPECTION, new Scenario(nothing,
                (fx, ctx) -> c.apply(fx).recordInspection(ctx, "r", "mA1")));
        scenarios.put(EntryPoint.REPORT_PSD_FAILURE, new Scenario(nothing,
                (fx, ctx) -> c.apply(fx).reportPsdFailure(ctx, "r", "mA1", "PSD tamper alarm")));
        // mA3: a newly enrolled meter of MailerA, never used, for mA4 (no caller's meter) reported failed.
        scenarios.put(EntryPoint.REPLACE_PSD, new Scenario(
                fx -> fx.submit(fx.dataCenter, ctx -> fx.contract.reportPsdFailure(ctx, "f", "mA4", "PSD failed")),
                (fx, ctx) -> c.apply(fx).replacePsd(ctx, "r", "mA4", "mA3")));
        scenarios.put(EntryPoint.GET_REPLACEMENT, new Scenario(nothing,
                (fx, ctx) -> c.apply(fx).getReplacement(ctx, "mA1")));
        scenarios.put(EntryPoint.SET_INSPECTION_PERIODS, new Scenario(nothing,
                (fx, ctx) -> c.apply(fx).setInspectionPeriods(ctx, "r", "60", "90")));
        scenarios.put(EntryPoint.AUTHORISE_REQUESTER, new Scenario(nothing,
                (fx, ctx) -> c.apply(fx).authoriseRequester(ctx, "r", "mA1", "mA2")));
        scenarios.put(EntryPoint.REVOKE_REQUESTER, new Scenario(nothing,
                (fx, ctx) -> c.apply(fx).revokeRequester(ctx, "r", "mA1", "mB2")));
        scenarios.put(EntryPoint.FUND_ALLOTMENT, new Scenario(nothing,
                (fx, ctx) -> c.apply(fx).fundAllotment(ctx, "r", "mA1", "mB2", "100")));
        scenarios.put(EntryPoint.RELEASE_ALLOTMENT, new Scenario(nothing,
                (fx, ctx) -> c.apply(fx).releaseAllotment(ctx, "r", "mA1", "mB2", "100")));
        scenarios.put(EntryPoint.PRINT_POSTAGE, new Scenario(nothing, (fx, ctx) -> c.apply(fx).printPostage(ctx, "r",
                fx.indicium("mA1", 2, 100, fx.meter("mA1")))));
        scenarios.put(EntryPoint.REQUEST_TRANSFER, new Scenario(nothing, (fx, ctx) -> c.apply(fx).requestTransfer(ctx,
                "r", "mA1", "mB2", "100", String.valueOf(fx.nowSeconds() + 3_600))));
        scenarios.put(EntryPoint.GRANT_TRANSFER, new Scenario(nothing, (fx, ctx) -> c.apply(fx).grantTransfer(ctx,
                "r", base.toGrant, String.valueOf(fx.nowSeconds() + 3_600))));
        scenarios.put(EntryPoint.DENY_TRANSFER, new Scenario(nothing,
                (fx, ctx) -> c.apply(fx).denyTransfer(ctx, "r", base.toGrant, "not now")));
        scenarios.put(EntryPoint.ACCEPT_TRANSFER, new Scenario(nothing,
                (fx, ctx) -> c.apply(fx).acceptTransfer(ctx, "r", base.toAccept)));
        scenarios.put(EntryPoint.CANCEL_TRANSFER, new Scenario(nothing,
                (fx, ctx) -> c.apply(fx).cancelTransfer(ctx, "r", base.toCancel)));
        scenarios.put(EntryPoint.OFFER_TRANSFER, new Scenario(nothing, (fx, ctx) -> c.apply(fx).offerTransfer(ctx,
                "r", "mA1", "mB2", "100", String.valueOf(fx.nowSeconds() + 3_600))));
        scenarios.put(EntryPoint.ACKNOWLEDGE_TRANSFER, new Scenario(nothing,
                (fx, ctx) -> c.apply(fx).acknowledgeTransfer(ctx, "r", base.toAcknowledge)));
        scenarios.put(EntryPoint.REJECT_TRANSFER, new Scenario(nothing,
                (fx, ctx) -> c.apply(fx).rejectTransfer(ctx, "r", base.toAcknowledge, "not expected")));
        // The request's one-day deadline must have passed for anyone to expire it.
        scenarios.put(EntryPoint.EXPIRE_TRANSFER, new Scenario(fx -> fx.advance(Duration.ofDays(2)),
                (fx, ctx) -> c.apply(fx).expireTransfer(ctx, "r", base.toCancel)));
        scenarios.put(EntryPoint.RECORD_INDICIUM_SCAN, new Scenario(nothing,
                (fx, ctx) -> c.apply(fx).recordIndiciumScan(ctx, "r", base.printed)));
        scenarios.put(EntryPoint.GET_METER, new Scenario(nothing, (fx, ctx) -> c.apply(fx).getMeter(ctx, "mA1")));
        scenarios.put(EntryPoint.GET_INSPECTION_PERIODS, new Scenario(nothing,
                (fx, ctx) -> c.apply(fx).getInspectionPeriods(ctx)));
        scenarios.put(EntryPoint.GET_TRANSFER, new Scenario(nothing,
                (fx, ctx) -> c.apply(fx).getTransfer(ctx, base.toAccept)));
        scenarios.put(EntryPoint.LIST_TRANSFERS, new Scenario(nothing,
                (fx, ctx) -> c.apply(fx).listTransfers(ctx, "mA1", "REQUESTED", "10", "")));
        scenarios.put(EntryPoint.LIST_AUTHORISED_REQUESTERS, new Scenario(nothing,
                (fx, ctx) -> c.apply(fx).listAuthorisedRequesters(ctx, "mA1", "10", "")));
        scenarios.put(EntryPoint.GET_ALLOTMENT, new Scenario(nothing,
                (fx, ctx) -> c.apply(fx).getAllotment(ctx, "mA1", "mB2")));
        scenarios.put(EntryPoint.GET_INDICIUM, new Scenario(nothing,
                (fx, ctx) -> c.apply(fx).getIndicium(ctx, "mA1", "1")));
        scenarios.put(EntryPoint.VERIFY_INDICIUM, new Scenario(nothing,
                (fx, ctx) -> c.apply(fx).verifyIndicium(ctx, base.printed)));
        scenarios.put(EntryPoint.GET_ACCOUNT_HISTORY, new Scenario(nothing,
                (fx, ctx) -> c.apply(fx).getAccountHistory(ctx, "METER:mA1", "10")));
        scenarios.put(EntryPoint.AUDIT_TOTALS, new Scenario(nothing, (fx, ctx) -> c.apply(fx).auditTotals(ctx)));
        final Consumer<LedgerFixture> refundRequested = fx -> fx.submit(fx.meter("mA1"),
                ctx -> fx.contract.requestRefund(ctx, fx.nextRequestId(), "mA1", "1", "100", "jammed envelope"));
        scenarios.put(EntryPoint.REQUEST_REFUND, new Scenario(nothing,
                (fx, ctx) -> c.apply(fx).requestRefund(ctx, "r", "mA1", "1", "100", "jammed envelope")));
        scenarios.put(EntryPoint.APPROVE_REFUND, new Scenario(refundRequested,
                (fx, ctx) -> c.apply(fx).approveRefund(ctx, "r", "mA1", "1")));
        scenarios.put(EntryPoint.REJECT_REFUND, new Scenario(refundRequested,
                (fx, ctx) -> c.apply(fx).rejectRefund(ctx, "r", "mA1", "1", "not spoiled")));
        scenarios.put(EntryPoint.GET_REFUND, new Scenario(refundRequested,
                (fx, ctx) -> c.apply(fx).getRefund(ctx, "mA1", "1")));
        scenarios.put(EntryPoint.LIST_REFUNDS, new Scenario(nothing,
                (fx, ctx) -> c.apply(fx).listRefunds(ctx, "mA1", "", "10", "")));
        return scenarios;
    }

    static Stream<Arguments> cells() {
        final List<Arguments> cells = new ArrayList<>();
        EXPECTED.forEach((entry, row) -> row.forEach((role, access) -> cells.add(Arguments.of(entry, role, access))));
        return cells.stream();
    }

    @Nested
    class TheTable {
        @Test
        void has_a_row_for_every_transaction_of_the_contract() {
            assertThat(EXPECTED.keySet().stream().map(EntryPoint::functionName).toList())
                    .containsExactlyInAnyOrderElementsOf(EntryPoint.contractFunctions(PostalLedgerContract.class));
            assertThat(SCENARIOS.keySet()).containsExactlyInAnyOrderElementsOf(EXPECTED.keySet());
        }

        @Test
        void has_a_column_for_every_role_in_every_row() {
            assertThat(EXPECTED.values()).allSatisfy(row -> assertThat(row.keySet()).containsExactly(Role.values()));
            assertThat(cells()).hasSize(EntryPoint.of(PostalLedgerContract.class).size() * Role.values().length);
        }

        @Test
        void names_distinct_callers_of_the_expected_organisations() {
            final Base base = Base.INSTANCE;
            final Map<Role, String> msps = new EnumMap<>(Role.class);
            for (final Role role : Role.values()) {
                msps.put(role, base.identity(role).mspId());
            }
            assertThat(msps).isEqualTo(new EnumMap<>(Map.of(Role.METER, Organisations.MAILER_A,
                    Role.ORG_METER, Organisations.MAILER_A, Role.OTHER_METER, Organisations.MAILER_B,
                    Role.OWNER, Organisations.MAILER_A, Role.DATA_CENTER, Organisations.DATA_CENTER,
                    Role.AUTHORITY, Organisations.POSTAL_AUTHORITY, Role.UNKNOWN, "UnknownMSP")));
            assertThat(Arrays.stream(Role.values()).map(base::identity).map(TestIdentity::certificatePem).distinct())
                    .hasSize(Role.values().length);
        }
    }

    @Nested
    class EveryCell {
        @ParameterizedTest(name = "{0} by {1}: {2}")
        @MethodSource("org.postalfunds.chaincode.AuthorisationMatrixTest#cells")
        void is_allowed_or_refused_with_not_authorised_exactly_as_the_table_says(
                final EntryPoint entry, final Role role, final Access expected) {
            final Base base = Base.INSTANCE;
            final LedgerFixture fx = base.fx.fork();
            final Scenario scenario = SCENARIOS.get(entry);
            scenario.arrange().accept(fx);
            final TestIdentity caller = base.identity(role);
            final Function<Context, String> call = ctx -> scenario.call().apply(fx, ctx);
            if (expected == Access.DENY) {
                fx.rejectsWith(ErrorCode.NOT_AUTHORISED, caller, call); // also asserts that nothing was written
                return;
            }
            final LedgerFixture.Endorsed endorsed = fx.endorse(caller, call);
            assertThat(endorsed.failure()).as("%s by %s", entry.functionName(), role).isNull();
            if (entry.submits()) {
                assertThat(endorsed.stub().eventName()).as("event").isNotNull();
                assertThat(fx.ledger.commit(endorsed.stub(), LedgerFixture.ALL_ORGS))
                        .isEqualTo(FakeLedger.Validation.VALID);
            } else {
                assertThat(endorsed.stub().putOrder()).as("writes of a query").isEmpty();
                assertThat(LedgerFixture.json(endorsed.result()).isObject()).isTrue();
            }
        }
    }

    /**
     * A failed PSD's key is refused on every entry point of the contract, submit or query, with its own code, before
     * anything else is looked at: the scenarios' calls, each made by meter mA1 after the data center reported its PSD
     * failed, every one refused with METER_KEY_REVOKED and nothing written.
     */
    @Nested
    class ARevokedKey {
        @ParameterizedTest(name = "{0}")
        @MethodSource("org.postalfunds.chaincode.AuthorisationMatrixTest#postalEntryPoints")
        void is_refused_on_every_entry_point(final EntryPoint entry) {
            final Base base = Base.INSTANCE;
            final LedgerFixture fx = base.fx.fork();
            final Scenario scenario = SCENARIOS.get(entry);
            if (entry != EntryPoint.REPLACE_PSD) {
                scenario.arrange().accept(fx);
            }
            fx.submit(fx.dataCenter, ctx -> fx.contract.reportPsdFailure(ctx, "fail-mA1", "mA1", "stolen"));
            final String message = fx.rejectsWith(ErrorCode.METER_KEY_REVOKED, base.identity(Role.METER),
                    ctx -> scenario.call().apply(fx, ctx));
            assertThat(message).contains("mA1", "stolen");
        }
    }

    static Stream<EntryPoint> postalEntryPoints() {
        return EntryPoint.of(PostalLedgerContract.class).stream();
    }

    private static Map<EntryPoint, Map<Role, Access>> parse(final String table) {
        final List<String> lines = table.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
        final List<Role> columns = Arrays.stream(lines.get(0).split("\\|")).skip(1).map(String::strip)
                .map(Role::valueOf).toList();
        final Map<EntryPoint, Map<Role, Access>> expected = new LinkedHashMap<>();
        for (final String line : lines.subList(1, lines.size())) {
            final String[] cells = line.split("\\|");
            final Map<Role, Access> row = new EnumMap<>(Role.class);
            for (int i = 0; i < columns.size(); i++) {
                row.put(columns.get(i), Access.valueOf(cells[i + 1].strip().toUpperCase(java.util.Locale.ROOT)));
            }
            expected.put(EntryPoint.ofFunction(cells[0].strip()), row);
        }
        return expected;
    }
}
