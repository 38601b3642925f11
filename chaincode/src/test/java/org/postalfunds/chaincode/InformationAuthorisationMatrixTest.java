package org.postalfunds.chaincode;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
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
import org.hyperledger.fabric.contract.annotation.Transaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.format.SealedPackage;
import org.postalfunds.chaincode.access.Organisations;
import org.postalfunds.chaincode.fake.FakeLedger;
import org.postalfunds.chaincode.fake.TestIdentity;

/**
 * Every function of the SecureInformation contract x every role, as {@link AuthorisationMatrixTest} does for the
 * funds contract. The subject is meter mA1 of MailerA; its counterpart is mB2 of MailerB, so MailerB's meter mB1 is
 * a member of the pair's collection but no party. Each cell runs on its own fork with arguments (and, for grant,
 * offer and download, a package addressed exactly right) that succeed for an allowed caller.
 */
class InformationAuthorisationMatrixTest {

    enum Role { METER, ORG_METER, OTHER_METER, OWNER, DATA_CENTER, AUTHORITY, UNKNOWN }

    private static final String TABLE = """
            function               | METER | ORG_METER | OTHER_METER | OWNER | DATA_CENTER | AUTHORITY | UNKNOWN
            requestInformation     | allow | deny      | deny        | deny  | deny        | deny      | deny
            grantInformation       | allow | deny      | deny        | deny  | deny        | deny      | deny
            denyInformation        | allow | deny      | deny        | deny  | deny        | deny      | deny
            acceptInformation      | allow | deny      | deny        | deny  | deny        | deny      | deny
            cancelInformation      | allow | deny      | deny        | deny  | deny        | deny      | deny
            offerInformation       | allow | deny      | deny        | deny  | deny        | deny      | deny
            downloadInformation    | deny  | deny      | deny        | deny  | allow       | deny      | deny
            acknowledgeInformation | allow | deny      | deny        | deny  | deny        | deny      | deny
            rejectInformation      | allow | deny      | deny        | deny  | deny        | deny      | deny
            expireInformation      | allow | allow     | allow       | allow | allow       | allow     | allow
            getInformationTransfer | allow | allow     | allow       | allow | allow       | allow     | deny
            getInformationPackage  | allow | allow     | allow       | allow | deny        | deny      | deny
            getMeterCertificate    | allow | allow     | allow       | allow | allow       | allow     | deny
            """;

    private record Scenario(Consumer<LedgerFixture> arrange, Map<String, byte[]> transientData,
            BiFunction<LedgerFixture, Context, String> call) {}

    private static final class Base {
        static final Base INSTANCE = new Base();

        final LedgerFixture fx = new LedgerFixture();
        final TestIdentity stranger = TestIdentity.p256("UnknownMSP", "stranger");
        final String toGrant;
        final String toAccept;
        final String toAcknowledge;
        final String toCancel;

        private Base() {
            fx.registerMeter("mA1", Organisations.MAILER_A);
            fx.registerMeter("mA2", Organisations.MAILER_A);
            fx.registerMeter("mB1", Organisations.MAILER_B);
            fx.registerMeter("mB2", Organisations.MAILER_B);
            toGrant = request("mB2", "mA1", "to-grant");
            toCancel = request("mA1", "mB2", "to-cancel");
            toAccept = request("mA1", "mB2", "to-accept");
            fx.carrying(Map.of("package", sealed(toAccept, "mB2", "mA1", fx.meter("mB2")))).submit(fx.meter("mB2"),
                    ctx -> fx.information.grantInformation(ctx, "g", toAccept, String.valueOf(fx.nowSeconds() + 7_200)));
            toAcknowledge = SealedPackage.transferIdFor("mB2", "offer");
            fx.carrying(Map.of("package", sealed(toAcknowledge, "mB2", "mA1", fx.meter("mB2")))).submit(fx.meter("mB2"),
                    ctx -> fx.information.offerInformation(ctx, "offer", "mB2", "mA1", "item", String.valueOf(fx.nowSeconds() + 7_200)));
        }

        private String request(final String recipient, final String sender, final String requestId) {
            fx.submit(fx.meter(recipient), ctx -> fx.information.requestInformation(ctx, requestId, recipient, sender,
                    "item", String.valueOf(fx.nowSeconds() + 3_600)));
            return SealedPackage.transferIdFor(recipient, requestId);
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

    private static byte[] sealed(final String transferId, final String sender, final String recipient,
            final TestIdentity signer) {
        return InformationTransferTest.sealedPackage(transferId, sender, recipient, "item", signer);
    }

    private static Map<String, Scenario> scenarios() {
        final Base base = Base.INSTANCE;
        final Consumer<LedgerFixture> nothing = fx -> { };
        final Map<String, Scenario> scenarios = new LinkedHashMap<>();
        scenarios.put("requestInformation", new Scenario(nothing, Map.of(), (fx, ctx) -> fx.information
                .requestInformation(ctx, "r", "mA1", "mB2", "item", String.valueOf(fx.nowSeconds() + 600))));
        scenarios.put("grantInformation", new Scenario(nothing,
                Map.of("package", sealed(base.toGrant, "mA1", "mB2", base.fx.meter("mA1"))),
                (fx, ctx) -> fx.information.grantInformation(ctx, "r", base.toGrant, String.valueOf(fx.nowSeconds() + 600))));
        scenarios.put("denyInformation", new Scenario(nothing, Map.of(),
                (fx, ctx) -> fx.information.denyInformation(ctx, "r", base.toGrant, "not licensed")));
        scenarios.put("acceptInformation", new Scenario(nothing, Map.of(),
                (fx, ctx) -> fx.information.acceptInformation(ctx, "r", base.toAccept)));
        scenarios.put("cancelInformation", new Scenario(nothing, Map.of(),
                (fx, ctx) -> fx.information.cancelInformation(ctx, "r", base.toCancel)));
        scenarios.put("offerInformation", new Scenario(nothing,
                Map.of("package", sealed(SealedPackage.transferIdFor("mA1", "r"), "mA1", "mB2", base.fx.meter("mA1"))),
                (fx, ctx) -> fx.information.offerInformation(ctx, "r", "mA1", "mB2", "item", String.valueOf(fx.nowSeconds() + 600))));
        scenarios.put("downloadInformation", new Scenario(nothing,
                Map.of("package", sealed(SealedPackage.transferIdFor("DataCenterMSP", "r"), "DataCenterMSP", "mA1",
                        base.fx.dataCenter)),
                (fx, ctx) -> fx.information.downloadInformation(ctx, "r", "mA1", "item", String.valueOf(fx.nowSeconds() + 600))));
        scenarios.put("acknowledgeInformation", new Scenario(nothing, Map.of(),
                (fx, ctx) -> fx.information.acknowledgeInformation(ctx, "r", base.toAcknowledge)));
        scenarios.put("rejectInformation", new Scenario(nothing, Map.of(),
                (fx, ctx) -> fx.information.rejectInformation(ctx, "r", base.toAcknowledge, "unexpected")));
        scenarios.put("expireInformation", new Scenario(fx -> fx.advance(Duration.ofHours(3)), Map.of(),
                (fx, ctx) -> fx.information.expireInformation(ctx, "r", base.toAcknowledge)));
        scenarios.put("getInformationTransfer", new Scenario(nothing, Map.of(),
                (fx, ctx) -> fx.information.getInformationTransfer(ctx, base.toAccept)));
        scenarios.put("getInformationPackage", new Scenario(nothing, Map.of(),
                (fx, ctx) -> fx.information.getInformationPackage(ctx, base.toAccept)));
        scenarios.put("getMeterCertificate", new Scenario(nothing, Map.of(),
                (fx, ctx) -> fx.information.getMeterCertificate(ctx, "mB2")));
        return scenarios;
    }

    private static final Map<String, Scenario> SCENARIOS = scenarios();
    private static final Map<String, Map<Role, Boolean>> EXPECTED = parse(TABLE);

    static Stream<Arguments> cells() {
        final List<Arguments> cells = new ArrayList<>();
        EXPECTED.forEach((function, row) -> row.forEach((role, allowed) -> cells.add(Arguments.of(function, role, allowed))));
        return cells.stream();
    }

    @Test
    void the_table_has_a_row_and_a_scenario_for_every_transaction_of_the_contract() {
        final List<String> functions = Arrays.stream(SecureInformationContract.class.getDeclaredMethods())
                .filter(method -> method.isAnnotationPresent(Transaction.class)).map(Method::getName).toList();

        assertThat(EXPECTED.keySet()).containsExactlyInAnyOrderElementsOf(functions);
        assertThat(SCENARIOS.keySet()).containsExactlyInAnyOrderElementsOf(functions);
    }

    @ParameterizedTest(name = "{0} by {1}: {2}")
    @MethodSource("cells")
    void is_allowed_or_refused_with_not_authorised_exactly_as_the_table_says(final String function, final Role role,
            final boolean allowed) {
        final Base base = Base.INSTANCE;
        final LedgerFixture fx = base.fx.fork();
        final Scenario scenario = SCENARIOS.get(function);
        scenario.arrange().accept(fx);
        final TestIdentity caller = base.identity(role);
        // Every client asks its own organisation's peer (an unknown organisation has none: the data center's).
        final String peer = Organisations.CONSORTIUM.contains(caller.mspId()) ? caller.mspId() : Organisations.DATA_CENTER;
        final Function<Context, String> call = ctx -> scenario.call().apply(fx, ctx);
        fx.carrying(scenario.transientData()).onPeerOf(peer);
        if (!allowed) {
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, caller, call);
            return;
        }
        final LedgerFixture.Endorsed endorsed = fx.endorse(caller, call);
        assertThat(endorsed.failure()).as("%s by %s", function, role).isNull();
        final boolean submits = Arrays.stream(SecureInformationContract.class.getDeclaredMethods())
                .filter(method -> method.getName().equals(function)).findFirst().orElseThrow()
                .getAnnotation(Transaction.class).intent() == Transaction.TYPE.SUBMIT;
        if (submits) {
            assertThat(endorsed.stub().eventName()).isNotNull();
            assertThat(fx.ledger.commit(endorsed.stub(), LedgerFixture.ALL_ORGS)).isEqualTo(FakeLedger.Validation.VALID);
        } else {
            assertThat(endorsed.stub().putOrder()).as("writes of a query").isEmpty();
        }
    }

    private static Map<String, Map<Role, Boolean>> parse(final String table) {
        final List<String> lines = table.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
        final List<Role> columns = Arrays.stream(lines.get(0).split("\\|")).skip(1).map(String::strip)
                .map(Role::valueOf).toList();
        final Map<String, Map<Role, Boolean>> expected = new LinkedHashMap<>();
        for (final String line : lines.subList(1, lines.size())) {
            final String[] cells = line.split("\\|");
            final Map<Role, Boolean> row = new EnumMap<>(Role.class);
            for (int i = 0; i < columns.size(); i++) {
                row.put(columns.get(i), cells[i + 1].strip().equals("allow"));
            }
            expected.put(cells[0].strip(), row);
        }
        return expected;
    }
}
