package org.postalfunds.chaincode;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.hyperledger.fabric.contract.ShimRouter;
import org.hyperledger.fabric.shim.Chaincode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Limits;
import org.postalfunds.chaincode.access.Organisations;
import org.postalfunds.chaincode.fake.FakeStub;

/**
 * The typed boundary, through the shim's own router as a peer calls it: every numeric argument of every entry point
 * is parsed by the contract with one grammar (ASCII digits, no sign, spaces, point, exponent or leading zero, within
 * bounds), and every malformed one is refused with its kind's error code and writes nothing. Before, the shim parsed
 * {@code long} parameters itself and answered "1.5", "1e3", " 5", 2^63 and "" with an uncoded "Unexpected error",
 * and took "+7" and "٥".
 */
class ArgumentGrammarTest {
    /** Entry point -> positions (after the context) of its numeric arguments and the code each refuses with. */
    private static final Map<EntryPoint, Map<Integer, ErrorCode>> NUMERIC = Map.ofEntries(
            Map.entry(EntryPoint.REFILL_METER, Map.of(2, ErrorCode.INVALID_AMOUNT)),
            Map.entry(EntryPoint.SET_INSPECTION_PERIODS, Map.of(1, ErrorCode.INVALID_COUNT, 2, ErrorCode.INVALID_COUNT)),
            Map.entry(EntryPoint.FUND_ALLOTMENT, Map.of(3, ErrorCode.INVALID_AMOUNT)),
            Map.entry(EntryPoint.RELEASE_ALLOTMENT, Map.of(3, ErrorCode.INVALID_AMOUNT)),
            Map.entry(EntryPoint.REQUEST_TRANSFER, Map.of(3, ErrorCode.INVALID_AMOUNT, 4, ErrorCode.INVALID_DEADLINE)),
            Map.entry(EntryPoint.GRANT_TRANSFER, Map.of(2, ErrorCode.INVALID_DEADLINE)),
            Map.entry(EntryPoint.OFFER_TRANSFER, Map.of(3, ErrorCode.INVALID_AMOUNT, 4, ErrorCode.INVALID_DEADLINE)),
            Map.entry(EntryPoint.LIST_TRANSFERS, Map.of(2, ErrorCode.INVALID_COUNT)),
            Map.entry(EntryPoint.LIST_AUTHORISED_REQUESTERS, Map.of(1, ErrorCode.INVALID_COUNT)),
            Map.entry(EntryPoint.GET_INDICIUM, Map.of(1, ErrorCode.INVALID_COUNT)),
            Map.entry(EntryPoint.GET_ACCOUNT_HISTORY, Map.of(1, ErrorCode.INVALID_COUNT)),
            Map.entry(EntryPoint.REQUEST_REFUND, Map.of(2, ErrorCode.INVALID_COUNT, 3, ErrorCode.INVALID_AMOUNT)),
            Map.entry(EntryPoint.APPROVE_REFUND, Map.of(2, ErrorCode.INVALID_COUNT)),
            Map.entry(EntryPoint.REJECT_REFUND, Map.of(2, ErrorCode.INVALID_COUNT)),
            Map.entry(EntryPoint.GET_REFUND, Map.of(1, ErrorCode.INVALID_COUNT)),
            Map.entry(EntryPoint.LIST_REFUNDS, Map.of(2, ErrorCode.INVALID_COUNT)),
            Map.entry(EntryPoint.REQUEST_INFORMATION, Map.of(4, ErrorCode.INVALID_DEADLINE)),
            Map.entry(EntryPoint.GRANT_INFORMATION, Map.of(2, ErrorCode.INVALID_DEADLINE)),
            Map.entry(EntryPoint.OFFER_INFORMATION, Map.of(4, ErrorCode.INVALID_DEADLINE)),
            Map.entry(EntryPoint.DOWNLOAD_INFORMATION, Map.of(3, ErrorCode.INVALID_DEADLINE)));

    /** What a new user typed, and what a hostile client might send. */
    static final List<String> MALFORMED = List.of("1.5", "1e3", " 5", "5 ", "", "+7", "-1", "٥", "１", "05", "0x10",
            "9223372036854775808", "99999999999999999999", "5\n", "1_000", "1,000", "NaN", "null");

    private final LedgerFixture fx = new LedgerFixture();

    static Stream<Arguments> malformedNumbers() {
        final List<Arguments> cases = new ArrayList<>();
        NUMERIC.forEach((entry, positions) -> positions.forEach((position, code) -> MALFORMED.forEach(
                text -> cases.add(Arguments.of(entry, position, code, text)))));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} argument {1} = \"{3}\" -> {2}")
    @MethodSource("malformedNumbers")
    void every_malformed_number_is_refused_with_its_code_through_the_shim(
            final EntryPoint entry, final int position, final ErrorCode code, final String text) {
        final List<String> arguments = new ArrayList<>();
        for (int i = 0; i < entry.argumentTypes().size(); i++) {
            arguments.add(NUMERIC.get(entry).containsKey(i) ? "10" : "x1");
        }
        arguments.set(position, text);
        final FakeStub stub = routed(entry, arguments);
        final Chaincode.Response response = ShimRouter.invoke(stub);

        assertThat(response.getStatus()).isEqualTo(Chaincode.Response.Status.INTERNAL_SERVER_ERROR);
        assertThat(response.getMessage()).startsWith(code.name() + ": ");
        assertThat(new String(response.getPayload(), UTF_8)).isEqualTo(code.name());
        assertThat(stub.putOrder()).isEmpty();
        assertThat(stub.eventName()).isNull();
    }

    @Test
    void every_entry_point_takes_strings_only_so_the_shim_converts_nothing() {
        for (final EntryPoint entry : EntryPoint.values()) {
            assertThat(entry.argumentTypes()).as(entry.functionName()).allMatch(type -> type == String.class);
        }
        // The table above names every numeric argument there is: each one's name says it counts or measures.
        for (final EntryPoint entry : EntryPoint.values()) {
            final var parameters = Arrays.asList(java.util.Arrays.stream(entryMethod(entry).getParameters())
                    .skip(1).map(java.lang.reflect.Parameter::getName).toArray(String[]::new));
            if (!parameters.isEmpty() && !parameters.get(0).startsWith("arg")) { // compiled with -parameters: check names against the table
                for (int i = 0; i < parameters.size(); i++) {
                    final String name = parameters.get(i);
                    final boolean numeric = name.contains("MinorUnits") || name.contains("EpochSeconds")
                            || name.contains("Days") || name.equals("pageSize") || name.equals("limit")
                            || name.equals("pieceNumber");
                    assertThat(NUMERIC.getOrDefault(entry, Map.of()).containsKey(i)).as(entry + " " + name)
                            .isEqualTo(numeric);
                }
            }
        }
    }

    @Test
    void canonical_numbers_pass_through_the_shim() {
        fx.registerMeter("m1", Organisations.MAILER_A);
        for (final String amount : List.of("1", "9", "10", "250")) {
            final FakeStub stub = fx.ledger.newTransaction("t" + amount, fx.now(), fx.dataCenter.creator());
            setArgs(stub, EntryPoint.REFILL_METER, List.of("r" + amount, "m1", amount));
            final Chaincode.Response response = ShimRouter.invoke(stub);
            assertThat(response.getStatus()).as(response.getMessage()).isEqualTo(Chaincode.Response.Status.SUCCESS);
            assertThat(fx.ledger.commit(stub, LedgerFixture.ALL_ORGS)).isEqualTo(
                    org.postalfunds.chaincode.fake.FakeLedger.Validation.VALID);
        }
        assertThat(fx.available("m1")).isEqualTo(270);
        // "0" is canonical but no amount: still INVALID_AMOUNT, as is anything above the ledger's largest amount.
        for (final String amount : List.of("0", String.valueOf(Limits.MAX_AMOUNT_MINOR_UNITS + 1))) {
            final FakeStub stub = fx.ledger.newTransaction("z" + amount.length(), fx.now(), fx.dataCenter.creator());
            setArgs(stub, EntryPoint.REFILL_METER, List.of("z1", "m1", amount));
            assertThat(ShimRouter.invoke(stub).getMessage()).startsWith("INVALID_AMOUNT: ");
        }
    }

    private FakeStub routed(final EntryPoint entry, final List<String> arguments) {
        final FakeStub stub = fx.ledger.newTransaction("t1", fx.now(), fx.dataCenter.creator());
        setArgs(stub, entry, arguments);
        return stub;
    }

    private static void setArgs(final FakeStub stub, final EntryPoint entry, final List<String> arguments) {
        final List<byte[]> raw = new ArrayList<>();
        raw.add(entry.routedName().getBytes(UTF_8));
        arguments.forEach(argument -> raw.add(argument.getBytes(UTF_8)));
        stub.setArgs(raw);
    }

    private static java.lang.reflect.Method entryMethod(final EntryPoint entry) {
        return Arrays.stream(entry.contract().getDeclaredMethods())
                .filter(method -> method.getName().equals(entry.functionName())).findFirst().orElseThrow();
    }
}
