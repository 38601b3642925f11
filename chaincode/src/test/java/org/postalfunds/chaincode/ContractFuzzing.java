package org.postalfunds.chaincode;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.hyperledger.fabric.contract.Context;
import org.hyperledger.fabric.shim.ChaincodeException;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Limits;
import org.postalfunds.api.format.IndiciumEncoding;
import org.postalfunds.api.format.SealedPackage;
import org.postalfunds.api.model.MeterKind;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.chaincode.access.Organisations;
import org.postalfunds.chaincode.fake.FakeLedger;
import org.postalfunds.chaincode.fake.FakeStub;
import org.postalfunds.chaincode.fake.TestIdentity;
import org.postalfunds.chaincode.information.InformationService;
import org.postalfunds.chaincode.state.Keys;

/**
 * Drives both contracts of the chaincode ({@link PostalLedgerContract} and {@link SecureInformationContract}, every
 * {@link EntryPoint}) with calls decoded from fuzzer bytes, and checks every call against one oracle:
 *
 * <ul>
 *   <li>the only exception a call may throw is the contract's own {@link ChaincodeException} whose payload is an
 *       {@link ErrorCode} name (never INVARIANT_VIOLATED) and whose message starts with that code; anything else
 *       escapes to the fuzzer as a finding;</li>
 *   <li>a refused call wrote nothing: no put or delete, no key-level policy, no event;</li>
 *   <li>the same call endorsed twice (same tx id, time and creator) gives the same bytes, as every endorsing peer
 *       must;</li>
 *   <li>an accepted submit wrote and emitted exactly one event whose payload is the result (a replayed request id
 *       instead wrote and emitted nothing); a query wrote nothing;</li>
 *   <li>list queries return only what was asked for: transfers of that meter in that state, requesters of that
 *       donor;</li>
 *   <li>after every call the books balance, by {@code auditTotals} and from the raw committed bytes;</li>
 *   <li>one call in eight goes through the shim's own router with string arguments, as a peer delivers them
 *       (numbers canonical, malformed or raw): any refusal without an error code (payload and {@code CODE: }
 *       prefix) is a finding, and a refusal wrote nothing;</li>
 *   <li>secure information: a refused call wrote no private data and purged nothing; the same endorsement twice
 *       writes and purges the same private data; a package held in a collection always hashes to its public record
 *       (and has its size), and once delivered, returned or expired it is purged (no value, no earlier version);
 *       no private value without a record holding it; an accepted grant, offer or download records the SHA-256 of
 *       the package it carried, which never appears in its result or event; a package handed out by
 *       getInformationPackage hashes to its record.</li>
 * </ul>
 *
 * <p>Each input starts from a fork of one populated ledger (meters in every status, transfers in every state,
 * allotments, printed and scanned indicia) and runs a few calls on it, so that sequences (request, then grant it)
 * are reachable. Callers are the real roles: every meter, a renewed meter certificate, both owners' operators, the
 * data center, the postal authority, an RSA identity and an unknown MSP.
 */
final class ContractFuzzing {
    /** A few calls per input: sequences matter, and short inputs keep the execution rate up. */
    static final int MAX_CALLS_PER_INPUT = 6;
    /** Longer than every id and reason limit (64, 200 characters), so fuzzed text crosses them. */
    private static final int MAX_FUZZED_STRING_CHARS = 300;

    static final Statistics STATISTICS = new Statistics();

    private ContractFuzzing() {}

    /** Counts of what the fuzzer made the contract do, printed after the run. */
    static final class Statistics {
        final AtomicLong inputs = new AtomicLong();
        final AtomicLong calls = new AtomicLong();
        final Map<EntryPoint, AtomicLong> accepted = new EnumMap<>(EntryPoint.class);
        final Map<EntryPoint, AtomicLong> refused = new EnumMap<>(EntryPoint.class);
        final Map<String, AtomicLong> errorCodes = new TreeMap<>();
        final Map<EntryPoint, Map<String, AtomicLong>> errorCodesByEntry = new EnumMap<>(EntryPoint.class);
        /** Calls sent through the shim's router with string arguments (the peer's path), and their refusal codes. */
        final AtomicLong routed = new AtomicLong();
        final AtomicLong routedAccepted = new AtomicLong();
        final Map<String, AtomicLong> routedErrorCodes = new TreeMap<>();

        Statistics() {
            for (final EntryPoint entry : EntryPoint.values()) {
                accepted.put(entry, new AtomicLong());
                refused.put(entry, new AtomicLong());
            }
        }

        synchronized void refusedWith(final EntryPoint entry, final String code) {
            refused.get(entry).incrementAndGet();
            errorCodes.computeIfAbsent(code, unused -> new AtomicLong()).incrementAndGet();
            errorCodesByEntry.computeIfAbsent(entry, unused -> new TreeMap<>())
                    .computeIfAbsent(code, unused -> new AtomicLong()).incrementAndGet();
        }

        synchronized void routedRefusedWith(final String code) {
            routedErrorCodes.computeIfAbsent(code, unused -> new AtomicLong()).incrementAndGet();
        }

        long total(final Map<EntryPoint, AtomicLong> counts) {
            return counts.values().stream().mapToLong(AtomicLong::get).sum();
        }

        String summary() {
            final StringBuilder text = new StringBuilder();
            text.append(String.format("fuzz: %d inputs (fuzzer executions), %d contract calls: %d accepted,"
                    + " %d refused%n", inputs.get(), calls.get(), total(accepted), total(refused)));
            for (final EntryPoint entry : EntryPoint.values()) {
                text.append(String.format("  %-26s accepted %7d  refused %7d  %s%n", entry.functionName(),
                        accepted.get(entry).get(), refused.get(entry).get(),
                        errorCodesByEntry.getOrDefault(entry, Map.of())));
            }
            text.append("  error codes: ").append(errorCodes).append(System.lineSeparator());
            text.append(String.format("  through the shim's router: %d calls, %d accepted, refused with %s%n",
                    routed.get(), routedAccepted.get(), routedErrorCodes));
            return text.toString();
        }
    }

    // ---- the populated ledger every input starts from ------------------------------------------------------------

    /** Built once per JVM (key generation and ~60 setup transactions); every input runs on a fork of it. */
    static final class World {
        /** Meters by how useful they are as a default: the distributor first, the refusing ones last. */
        static final List<String> METERS = List.of("dist", "mA1", "mB1", "mA2", "mH1", "mSus", "mWd", "mOld");
        /** Requester -> the donors that authorised it on the base ledger. */
        static final Map<String, List<String>> DONORS = Map.of("mA1", List.of("dist", "mB1"),
                "mA2", List.of("dist", "mB1"), "mB1", List.of("dist", "mA1"), "mH1", List.of("dist"));
        /** Donor -> the requesters it authorised (and so may fund allotments for). */
        static final Map<String, List<String>> REQUESTERS = Map.of("dist", List.of("mA1", "mB1", "mA2", "mH1"),
                "mA1", List.of("mB1"), "mB1", List.of("mA1", "mA2"));
        /**
         * The order in which the fuzzer picks entry points: choice 0 (an exhausted input) is the pull protocol's
         * first step, and the steps that follow it come next.
         */
        static final List<EntryPoint> ENTRY_ORDER = fuzzOrder();

        private static List<EntryPoint> fuzzOrder() {
            final List<EntryPoint> order = new ArrayList<>(List.of(EntryPoint.REQUEST_TRANSFER,
                    EntryPoint.GRANT_TRANSFER, EntryPoint.ACCEPT_TRANSFER, EntryPoint.PRINT_POSTAGE,
                    EntryPoint.OFFER_TRANSFER, EntryPoint.ACKNOWLEDGE_TRANSFER, EntryPoint.FUND_ALLOTMENT));
            for (final EntryPoint entry : EntryPoint.values()) {
                if (!order.contains(entry)) {
                    order.add(entry);
                }
            }
            return List.copyOf(order);
        }

        static final World INSTANCE = new World();

        final LedgerFixture base = new LedgerFixture();
        final List<String> transfers = new ArrayList<>();
        /** Information transfers of the base ledger, in every state; the open ones last. */
        final List<String> informations = new ArrayList<>();
        final List<TestIdentity> callers = new ArrayList<>();
        final TestIdentity stranger = TestIdentity.p256("UnknownMSP", "stranger");
        /** Certificates a registration may carry: new, RSA, expired, not yet valid, and one already registered. */
        final List<String> certificates = new ArrayList<>();
        /** Every committed key, as a bookmark a client could send back. */
        final List<String> keys;

        private World() {
            final LedgerFixture fx = base;
            // mOld is registered first and then left alone for 121 days: inspection-overdue from then on.
            fx.registerMeter("mOld", Organisations.MAILER_B);
            fx.refill("mOld", 5_000);
            fx.advance(Duration.ofDays(121));
            fx.registerMeter("mA1", Organisations.MAILER_A);
            fx.registerMeter("mA2", Organisations.MAILER_A);
            fx.registerMeter("mB1", Organisations.MAILER_B);
            fx.registerMeter("mH1", Organisations.MAILER_A, MeterKind.HANDHELD_METERING_UNIT, 20_000, 1_000, 5_000);
            fx.registerMeter("dist", Organisations.MAILER_A);
            fx.registerMeter("mSus", Organisations.MAILER_B);
            fx.registerMeter("mWd", Organisations.MAILER_A);
            fx.refill("mA1", 200_000);
            fx.refill("mA2", 50_000);
            fx.refill("mB1", 100_000);
            fx.refill("mH1", 10_000);
            fx.refill("dist", 500_000);
            fx.refill("mSus", 5_000);
            fx.refill("mWd", 5_000);
            for (final String requester : List.of("mA1", "mA2", "mB1", "mH1")) {
                fx.authorise("dist", requester);
            }
            fx.authorise("mA1", "mB1");
            fx.authorise("mB1", "mA1");
            fx.authorise("mB1", "mA2");
            fundAllotment("dist", "mA1", 20_000);
            fundAllotment("dist", "mB1", 20_000);

            // The expired one first: expiring needs two days to pass, which would lapse the live ones below too.
            final String expired = fx.request("mH1", "dist", 400);
            final String infoExpired = requestInformation("mH1", "dist", "rate-table");
            final String infoOfferExpired = offerInformation("mA1", "mB1", "rate-table");
            fx.advance(Duration.ofDays(2));
            fx.submit(fx.authority, ctx -> fx.contract.expireTransfer(ctx, fx.nextRequestId(), expired));
            for (final String lapsed : List.of(infoExpired, infoOfferExpired)) {
                fx.submit(fx.authority, ctx -> fx.information.expireInformation(ctx, fx.nextRequestId(), lapsed));
            }
            final String requested = fx.request("mA1", "dist", 1_000);
            final String granted = fx.request("mB1", "dist", 2_000);
            fx.grant(granted, "dist");
            final String accepted = fx.request("mB1", "mA1", 500);
            fx.grant(accepted, "mA1");
            fx.accept(accepted, "mB1");
            final String denied = fx.request("mA2", "dist", 100);
            fx.submit(fx.meter("dist"), ctx -> fx.contract.denyTransfer(ctx, fx.nextRequestId(), denied, "no"));
            final String cancelled = fx.request("mA1", "mB1", 300);
            fx.submit(fx.meter("mA1"), ctx -> fx.contract.cancelTransfer(ctx, fx.nextRequestId(), cancelled));
            final String offered = fx.offer("mA1", "mB1", 700);
            final String acknowledged = fx.offer("mB1", "mA2", 300);
            fx.submit(fx.meter("mA2"), ctx -> fx.contract.acknowledgeTransfer(ctx, fx.nextRequestId(), acknowledged));
            final String rejected = fx.offer("mA2", "mB1", 200);
            fx.submit(fx.meter("mB1"), ctx -> fx.contract.rejectTransfer(ctx, fx.nextRequestId(), rejected, "no"));
            final String offeredToHandheld = fx.offer("dist", "mH1", 400);
            // Newest last: the fuzzer's default pick is the newest, so the open ones go at the end.
            transfers.addAll(List.of(expired, accepted, denied, cancelled, acknowledged, rejected, offeredToHandheld,
                    offered, granted, requested));

            // Secure information in every state: pull (A->B across owners, A->A within one), push, download.
            final String infoAccepted = requestInformation("mB1", "mA1", "rate-table");
            grantInformation(infoAccepted);
            information(fx.meter("mB1"), ctx -> fx.information.acceptInformation(ctx, fx.nextRequestId(), infoAccepted));
            final String infoDenied = requestInformation("mA1", "mA2", "config");
            information(fx.meter("mA2"), ctx -> fx.information.denyInformation(ctx, fx.nextRequestId(), infoDenied,
                    "no"));
            final String infoCancelled = requestInformation("mA2", "mB1", "config");
            grantInformation(infoCancelled);
            information(fx.meter("mA2"), ctx -> fx.information.cancelInformation(ctx, fx.nextRequestId(),
                    infoCancelled));
            final String infoAcknowledged = offerInformation("mB1", "mA2", "certificates");
            information(fx.meter("mA2"), ctx -> fx.information.acknowledgeInformation(ctx, fx.nextRequestId(),
                    infoAcknowledged));
            final String infoRejected = offerInformation("mA2", "mB1", "certificates");
            information(fx.meter("mB1"), ctx -> fx.information.rejectInformation(ctx, fx.nextRequestId(),
                    infoRejected, "no"));
            final String infoDownloaded = downloadInformation("mH1", "rate-table");
            final String infoOffered = offerInformation("mA1", "mB1", "rate-table");
            final String infoGranted = requestInformation("mA2", "mB1", "rate-table");
            grantInformation(infoGranted);
            final String infoRequested = requestInformation("mB1", "mA1", "config");
            informations.addAll(List.of(infoExpired, infoOfferExpired, infoAccepted, infoDenied, infoCancelled,
                    infoAcknowledged, infoRejected, infoDownloaded, infoOffered, infoGranted, infoRequested));

            fx.print("mA1", 120);
            fx.print("mA1", 95);
            final String scanned = fx.indicium("mA1", 1, 120, fx.meter("mA1"));
            fx.submit(fx.authority, ctx -> fx.contract.recordIndiciumScan(ctx, fx.nextRequestId(), scanned));
            // A pending refund of the unscanned piece, for the authority's answers to reach.
            fx.submit(fx.meter("mA1"), ctx -> fx.contract.requestRefund(ctx, fx.nextRequestId(), "mA1", "2", "95",
                    "envelope jammed"));
            fx.submit(fx.dataCenter, ctx -> fx.contract.suspendMeter(ctx, fx.nextRequestId(), "mSus", "tamper seal"));
            fx.submit(fx.dataCenter, ctx -> fx.contract.withdrawMeter(ctx, fx.nextRequestId(), "mWd"));

            METERS.forEach(meter -> callers.add(fx.meter(meter)));
            callers.addAll(List.of(fx.meter("mA1").renewed(), fx.mailerA, fx.mailerB, fx.dataCenter, fx.authority,
                    stranger, TestIdentity.rsa(Organisations.MAILER_A, "rsa-operator")));

            certificates.add(TestIdentity.p256(Organisations.MAILER_A, "spare-1").certificatePem());
            certificates.add(TestIdentity.p256(Organisations.MAILER_B, "spare-2").certificatePem());
            certificates.add(TestIdentity.rsa(Organisations.MAILER_A, "spare-rsa").certificatePem());
            certificates.add(TestIdentity.p256Valid(Organisations.MAILER_A, "expired",
                    Instant.parse("2020-01-01T00:00:00Z"), Instant.parse("2021-01-01T00:00:00Z")).certificatePem());
            certificates.add(TestIdentity.p256Valid(Organisations.MAILER_A, "not-yet",
                    Instant.parse("2090-01-01T00:00:00Z"), Instant.parse("2091-01-01T00:00:00Z")).certificatePem());
            certificates.add(fx.meter("mA1").certificatePem());
            keys = List.copyOf(fx.ledger.snapshot().keySet());
            LedgerInvariants.check(fx.ledger);
            LedgerInvariants.checkInformation(fx.ledger);
        }

        private String information(final TestIdentity caller, final Function<Context, String> call) {
            return LedgerFixture.json(base.submit(caller, call)).at("/informationTransfer/transferId").asText();
        }

        private String requestInformation(final String recipient, final String sender, final String item) {
            return information(base.meter(recipient), ctx -> base.information.requestInformation(ctx,
                    base.nextRequestId(), recipient, sender, item, String.valueOf(base.nowSeconds() + 86_400)));
        }

        private void grantInformation(final String transferId) {
            final JsonNode record = LedgerInvariants.information(base.ledger, transferId);
            final String sender = record.path("senderId").asText();
            final byte[] sealed = sealed(transferId, sender, record.path("recipientMeterId").asText(),
                    record.path("itemName").asText(), "application/json", new byte[SealedPackage.NONCE_BYTES],
                    new byte[64], base.meter(sender));
            base.carrying(Map.of(InformationService.PACKAGE_TRANSIENT_KEY, sealed)).submit(base.meter(sender),
                    ctx -> base.information.grantInformation(ctx, base.nextRequestId(), transferId,
                            String.valueOf(base.nowSeconds() + 3_600)));
        }

        private String offerInformation(final String sender, final String recipient, final String item) {
            final String requestId = base.nextRequestId();
            final String transferId = SealedPackage.transferIdFor(sender, requestId);
            final byte[] sealed = sealed(transferId, sender, recipient, item, "application/json",
                    new byte[SealedPackage.NONCE_BYTES], new byte[64], base.meter(sender));
            return information(base.carrying(Map.of(InformationService.PACKAGE_TRANSIENT_KEY, sealed))
                    .meter(sender), ctx -> base.information.offerInformation(ctx, requestId, sender, recipient, item,
                            String.valueOf(base.nowSeconds() + 3_600)));
        }

        private String downloadInformation(final String recipient, final String item) {
            final String requestId = base.nextRequestId();
            final String transferId = SealedPackage.transferIdFor(org.postalfunds.chaincode.access.Organisations.DATA_CENTER, requestId);
            final byte[] sealed = sealed(transferId, org.postalfunds.chaincode.access.Organisations.DATA_CENTER, recipient, item,
                    "application/octet-stream", new byte[SealedPackage.NONCE_BYTES], new byte[64], base.dataCenter);
            return information(base.carrying(Map.of(InformationService.PACKAGE_TRANSIENT_KEY, sealed)).dataCenter,
                    ctx -> base.information.downloadInformation(ctx, requestId, recipient, item,
                            String.valueOf(base.nowSeconds() + 3_600)));
        }

        private void fundAllotment(final String distributor, final String recipient, final long amount) {
            base.submit(base.meter(distributor), ctx -> base.contract.fundAllotment(ctx, base.nextRequestId(),
                    distributor, recipient, String.valueOf(amount)));
        }
    }

    // ---- one input ---------------------------------------------------------------------------------------------

    /** Runs up to {@link #MAX_CALLS_PER_INPUT} decoded calls on a fresh fork, checking the oracle after each. */
    static void run(final FuzzedDataProvider data) {
        STATISTICS.inputs.incrementAndGet();
        final Session session = new Session(World.INSTANCE, data);
        for (int i = 0; i < MAX_CALLS_PER_INPUT && data.remainingBytes() > 0; i++) {
            session.step();
        }
    }

    /** One input's ledger, clock and the transfer ids it knows (the base ones plus any it opened). */
    private static final class Session {
        private final World world;
        private final FuzzedDataProvider data;
        private final LedgerFixture fx;
        private final List<String> transfers;
        private final List<String> informations;
        private long calls;

        Session(final World world, final FuzzedDataProvider data) {
            this.world = world;
            this.data = data;
            this.fx = world.base.fork();
            this.transfers = new ArrayList<>(world.transfers);
            this.informations = new ArrayList<>(world.informations);
        }

        void step() {
            // Time only moves forward: past escrow deadlines (1 h), request deadlines (1 day), windows, inspections.
            fx.advance(Duration.ofSeconds(data.pickValue(new long[] {0, 0, 0, 1, 3_601, 2 * 86_400 + 1,
                    31L * 86_400, 400L * 86_400})));
            final EntryPoint entry = data.pickValue(World.ENTRY_ORDER);
            final Call call = call(entry);
            final TestIdentity caller = choice(3) < 2 ? call.rightful() : data.pickValue(world.callers);
            // The endorsing peer: the caller's own organisation's (a client asks its own peer first), sometimes any;
            // only the secure-information functions look at it (private data is only on member peers).
            final String peer = entry.contract() != SecureInformationContract.class ? Organisations.DATA_CENTER
                    : choice(4) == 3 ? data.pickValue(PEERS)
                    : PEERS.contains(caller.mspId()) ? caller.mspId() : Organisations.DATA_CENTER;
            final String txId = String.format("f%063x", ++calls);
            STATISTICS.calls.incrementAndGet();
            if (choice(8) == 7) { // not 0: an exhausted input decodes as 0, and must keep reaching every entry point
                routed(entry, caller, txId, peer);
            } else {
                check(entry, caller, call, txId, peer);
            }
        }

        /**
         * The peer's path: the entry point through the shim's own router with string arguments, as a peer delivers
         * them (plausible ids and numbers, malformed numbers, raw text). Any refusal without an error code (the
         * shim's "Unexpected error", an exception the contract did not code) is a finding, as is a refusal that
         * wrote anything. The proposal is not committed.
         */
        private void routed(final EntryPoint entry, final TestIdentity caller, final String txId, final String peer) {
            final List<byte[]> arguments = new ArrayList<>();
            arguments.add(entry.routedName().getBytes(UTF_8));
            for (int i = 0; i < entry.argumentTypes().size(); i++) {
                final String argument = switch (choice(8)) {
                    case 0 -> requestId();
                    case 1 -> meterId();
                    case 2 -> transferId();
                    case 3 -> numeral(amount());
                    case 4 -> numeral(deadline());
                    case 5 -> numeral(pageSize());
                    case 6 -> data.pickValue(ArgumentGrammarTest.MALFORMED);
                    default -> fuzzed();
                };
                arguments.add(argument == null ? new byte[0] : argument.getBytes(UTF_8));
            }
            final FakeStub stub = fx.ledger.newTransaction(txId, fx.now(), caller.creator()).onPeerOf(peer);
            stub.setArgs(arguments);
            final org.hyperledger.fabric.shim.Chaincode.Response response =
                    org.hyperledger.fabric.contract.ShimRouter.invoke(stub);
            STATISTICS.routed.incrementAndGet();
            final String what = "routed " + entry.routedName() + " by " + caller + " with "
                    + arguments.subList(1, arguments.size()).stream().map(bytes -> "'" + new String(bytes, UTF_8)
                            + "'").toList();
            if (response.getStatus() == org.hyperledger.fabric.shim.Chaincode.Response.Status.SUCCESS) {
                STATISTICS.routedAccepted.incrementAndGet();
                return;
            }
            final String message = response.getMessage() == null ? "" : response.getMessage();
            final String payload = response.getPayload() == null ? "" : new String(response.getPayload(), UTF_8);
            final boolean coded = Arrays.stream(ErrorCode.values()).anyMatch(code -> code.name().equals(payload))
                    && message.startsWith(payload + ": ");
            if (!coded || payload.equals(ErrorCode.INVARIANT_VIOLATED.name())) {
                System.err.println("finding: a refusal without an error code: " + what + " -> " + message);
            }
            assertThat(coded).as("a refusal carries an error code: " + what + " -> '" + message + "'").isTrue();
            assertThat(payload).as(what).isNotEqualTo(ErrorCode.INVARIANT_VIOLATED.name());
            assertThat(stub.putOrder()).as("writes of refused " + what).isEmpty();
            assertThat(stub.eventName()).as("event of refused " + what).isNull();
            assertThat(stub.privateWrites()).as("private writes of refused " + what).isEmpty();
            STATISTICS.routedRefusedWith(payload);
        }

        // ---- the oracle ------------------------------------------------------------------------------------------

        private void check(final EntryPoint entry, final TestIdentity caller, final Call call, final String txId,
                final String peer) {
            final FakeStub first = fx.ledger.newTransaction(txId, fx.now(), caller.creator())
                    .withTransient(call.transientMap()).onPeerOf(peer);
            final Answer answer = invoke(first, entry, caller, call);
            final FakeStub second = fx.ledger.newTransaction(txId, fx.now(), caller.creator())
                    .withTransient(call.transientMap()).onPeerOf(peer);
            final Answer again = invoke(second, entry, caller, call);
            final String what = entry.functionName() + " by " + caller + " on a peer of " + peer + " ("
                    + call.description() + ")";

            assertThat(again.result()).as("result of the same endorsement twice: " + what).isEqualTo(answer.result());
            assertThat(again.message()).as("error of the same endorsement twice: " + what).isEqualTo(answer.message());
            assertThat(printable(second.writes())).as("writes of the same endorsement twice: " + what)
                    .isEqualTo(printable(first.writes()));
            assertThat(printable(second.validationParameterWrites())).as("policies, twice: " + what)
                    .isEqualTo(printable(first.validationParameterWrites()));
            assertThat(privateText(second)).as("private writes and purges, twice: " + what)
                    .isEqualTo(privateText(first));

            if (answer.failure() != null) {
                final String code = LedgerFixture.codeOf(answer.failure());
                assertThat(Arrays.stream(ErrorCode.values()).map(Enum::name)).as("payload of " + what).contains(code);
                assertThat(code).as(answer.message() + " from " + what)
                        .isNotEqualTo(ErrorCode.INVARIANT_VIOLATED.name());
                assertThat(answer.message()).as("message of " + what).startsWith(code + ": ");
                assertThat(first.putOrder()).as("writes of refused " + what).isEmpty();
                assertThat(first.validationParameterWrites()).as("policies of refused " + what).isEmpty();
                assertThat(first.eventName()).as("event of refused " + what).isNull();
                assertThat(first.privateWrites()).as("private writes of refused " + what).isEmpty();
                assertThat(first.privatePurges()).as("purges of refused " + what).isEmpty();
                STATISTICS.refusedWith(entry, code);
            } else {
                final JsonNode result = LedgerFixture.json(answer.result());
                assertThat(result.isObject()).as("result of " + what).isTrue();
                if (entry.submits() && txId.equals(result.path("txId").asText())) {
                    assertThat(first.eventName()).as("event of " + what).isEqualTo(result.path("event").asText());
                    assertThat(new String(first.eventPayload(), UTF_8)).as("event payload of " + what)
                            .isEqualTo(answer.result());
                    assertThat(first.writes()).as("writes of " + what).isNotEmpty();
                    assertThat(fx.ledger.commit(first, LedgerFixture.ALL_ORGS)).as("commit of " + what)
                            .isEqualTo(FakeLedger.Validation.VALID);
                    remember(result);
                    checkBooks(what);
                } else {
                    // A query, or a replayed request id: the first answer again, and nothing written.
                    assertThat(first.putOrder()).as("writes of " + what).isEmpty();
                    assertThat(first.validationParameterWrites()).as("policies of " + what).isEmpty();
                    assertThat(first.eventName()).as("event of " + what).isNull();
                    assertThat(first.privateWrites()).as("private writes of " + what).isEmpty();
                }
                checkListed(entry, call, result, what);
                checkPackage(entry, call, result, what);
                STATISTICS.accepted.get(entry).incrementAndGet();
            }
            // The books are checked after every call: committed state changes only in commit() above, so after a
            // refusal, a query or a replay the check made after the last commit (or on the base ledger) still holds.
        }

        /** Conservation by the contract's own audit and, independently, from the raw committed bytes. */
        private void checkBooks(final String what) {
            final JsonNode totals = LedgerFixture.json(fx.evaluate(fx.authority, ctx -> fx.contract.auditTotals(ctx)));
            assertThat(totals.at("/proof/balanced").asBoolean()).as("books after " + what).isTrue();
            LedgerInvariants.check(fx.ledger);
            LedgerInvariants.checkInformation(fx.ledger);
        }

        /**
         * Secure information: the sealed package never reaches the public state or the event; a package handed out
         * is the one whose hash the public record holds; an accepted grant, offer or download stored exactly the
         * package of its transient map.
         */
        private void checkPackage(final EntryPoint entry, final Call call, final JsonNode result, final String what) {
            final byte[] sent = call.transientMap().get(InformationService.PACKAGE_TRANSIENT_KEY);
            if (sent != null && sent.length > 0 && result.has("informationTransfer")
                    && result.at("/informationTransfer/packageHeld").asBoolean()
                    && (entry == EntryPoint.GRANT_INFORMATION || entry == EntryPoint.OFFER_INFORMATION
                            || entry == EntryPoint.DOWNLOAD_INFORMATION)) {
                assertThat(result.at("/informationTransfer/packageSha256").asText())
                        .as("hash on the record of " + what).isEqualTo(SealedPackage.sha256Hex(sent));
                final String base64 = java.util.Base64.getEncoder().encodeToString(sent);
                assertThat(result.toString()).as("result (and event) of " + what).doesNotContain(base64);
            }
            if (entry == EntryPoint.GET_INFORMATION_PACKAGE) {
                final byte[] handed = java.util.Base64.getDecoder().decode(result.path("packageBase64").asText());
                assertThat(SealedPackage.sha256Hex(handed)).as("package handed out by " + what)
                        .isEqualTo(result.at("/informationTransfer/packageSha256").asText());
            }
        }

        /** A list query answers only with what was asked for, whatever bookmark the client sent. */
        private void checkListed(final EntryPoint entry, final Call call, final JsonNode result, final String what) {
            if (entry == EntryPoint.LIST_TRANSFERS) {
                for (final JsonNode transfer : result.path("transfers")) {
                    assertThat(List.of(transfer.path("donorMeterId").asText(),
                            transfer.path("recipientMeterId").asText())).as("parties of a transfer listed by " + what)
                            .contains(call.subject());
                    assertThat(transfer.path("state").asText()).as("state of a transfer listed by " + what)
                            .isEqualTo(call.detail());
                }
            }
            if (entry == EntryPoint.LIST_REFUNDS) {
                for (final JsonNode refund : result.path("refunds")) {
                    assertThat(refund.path("meterId").asText()).as("meter of a refund listed by " + what)
                            .isEqualTo(call.subject());
                    if (call.detail() != null && !call.detail().isEmpty() && !call.detail().equals("ALL")) {
                        assertThat(refund.path("state").asText()).as("state of a refund listed by " + what)
                                .isEqualTo(call.detail());
                    }
                }
            }
            if (entry == EntryPoint.LIST_AUTHORISED_REQUESTERS) {
                for (final JsonNode requester : result.path("authorisedRequesters")) {
                    assertThat(requester.path("donorMeterId").asText()).as("donor of an entry listed by " + what)
                            .isEqualTo(call.subject());
                }
            }
        }

        private void remember(final JsonNode result) {
            final String transferId = result.at("/transfer/transferId").asText("");
            if (!transferId.isEmpty() && !transfers.contains(transferId)) {
                transfers.add(transferId);
            }
            final String informationId = result.at("/informationTransfer/transferId").asText("");
            if (!informationId.isEmpty() && !informations.contains(informationId)) {
                informations.add(informationId);
            }
        }

        /** Runs the call; a ChaincodeException is an answer, anything else escapes to the fuzzer as a finding. */
        private Answer invoke(final FakeStub stub, final EntryPoint entry, final TestIdentity caller, final Call call) {
            try {
                return new Answer(call.body().apply(new Context(stub)), null);
            } catch (ChaincodeException failure) {
                return new Answer(null, failure);
            } catch (RuntimeException | Error bug) {
                System.err.println("finding: " + entry.functionName() + " by " + caller + " (" + call.description()
                        + ") threw " + bug);
                throw bug;
            }
        }

        // ---- decoding calls ----------------------------------------------------------------------------------------

        private Call call(final EntryPoint entry) {
            final PostalLedgerContract c = fx.contract;
            final String requestId = requestId();
            switch (entry) {
                case REGISTER_METER -> {
                    final String json = registration();
                    return new Call(ctx -> c.registerMeter(ctx, requestId, json), fx.dataCenter, null, null, json);
                }
                case REFILL_METER -> {
                    final String meter = meterId();
                    final String amount = numeral(amount());
                    return dataCenter(ctx -> c.refillMeter(ctx, requestId, meter, amount), meter + " " + amount);
                }
                case SUSPEND_METER -> {
                    final String meter = meterId();
                    final String reason = reason();
                    return dataCenter(ctx -> c.suspendMeter(ctx, requestId, meter, reason), meter + " " + reason);
                }
                case RESUME_METER -> {
                    final String meter = meterId();
                    return dataCenter(ctx -> c.resumeMeter(ctx, requestId, meter), meter);
                }
                case WITHDRAW_METER -> {
                    final String meter = meterId();
                    return dataCenter(ctx -> c.withdrawMeter(ctx, requestId, meter), meter);
                }
                case RECORD_INSPECTION -> {
                    final String meter = meterId();
                    return dataCenter(ctx -> c.recordInspection(ctx, requestId, meter), meter);
                }
                case SET_INSPECTION_PERIODS -> {
                    final String due = numeral(days());
                    final String overdue = numeral(days());
                    return dataCenter(ctx -> c.setInspectionPeriods(ctx, requestId, due, overdue), due + " " + overdue);
                }
                case AUTHORISE_REQUESTER, REVOKE_REQUESTER -> {
                    final String donor = meterId();
                    final String requester = meterId();
                    final Function<Context, String> body = entry == EntryPoint.AUTHORISE_REQUESTER
                            ? ctx -> c.authoriseRequester(ctx, requestId, donor, requester)
                            : ctx -> c.revokeRequester(ctx, requestId, donor, requester);
                    return new Call(body, ownerOf(donor), donor, null, donor + " " + requester);
                }
                case FUND_ALLOTMENT, RELEASE_ALLOTMENT -> {
                    final String distributor = meterId();
                    final String recipient = recipientOf(distributor);
                    final String amount = numeral(amount());
                    final Function<Context, String> body = entry == EntryPoint.FUND_ALLOTMENT
                            ? ctx -> c.fundAllotment(ctx, requestId, distributor, recipient, amount)
                            : ctx -> c.releaseAllotment(ctx, requestId, distributor, recipient, amount);
                    return new Call(body, meterOrStranger(distributor), distributor, null,
                            distributor + " " + recipient + " " + amount);
                }
                case PRINT_POSTAGE -> {
                    final String meter = meterId();
                    final String indicium = indicium(meter);
                    return new Call(ctx -> c.printPostage(ctx, requestId, indicium), meterOrStranger(meter), meter,
                            null, indicium);
                }
                case REQUEST_TRANSFER, OFFER_TRANSFER -> {
                    // Mostly a pair on the base ledger's requester lists (a random pair rarely is one): the
                    // requester asks one of its donors; a donor offers to one of its requesters.
                    final Map<String, List<String>> pairs = entry == EntryPoint.REQUEST_TRANSFER
                            ? World.DONORS : World.REQUESTERS;
                    final boolean listed = choice(3) < 2;
                    final String actor = listed ? data.pickValue(new java.util.TreeMap<>(pairs).keySet()) : meterId();
                    final String counterpart = listed ? data.pickValue(pairs.get(actor)) : meterId();
                    final String amount = numeral(amount());
                    final String deadline = numeral(deadline());
                    final Function<Context, String> body = entry == EntryPoint.REQUEST_TRANSFER
                            ? ctx -> c.requestTransfer(ctx, requestId, actor, counterpart, amount, deadline)
                            : ctx -> c.offerTransfer(ctx, requestId, actor, counterpart, amount, deadline);
                    return new Call(body, meterOrStranger(actor), actor, null,
                            actor + " " + counterpart + " " + amount + " " + deadline);
                }
                case GRANT_TRANSFER -> {
                    final String transfer = transferIn("REQUESTED");
                    final String deadline = numeral(deadline());
                    return new Call(ctx -> c.grantTransfer(ctx, requestId, transfer, deadline),
                            party(transfer, "donorMeterId"), null, null, transfer + " " + deadline);
                }
                case DENY_TRANSFER, REJECT_TRANSFER -> {
                    final boolean deny = entry == EntryPoint.DENY_TRANSFER;
                    final String transfer = transferIn(deny ? "REQUESTED" : "OFFERED");
                    final String reason = reason();
                    final Function<Context, String> body = deny
                            ? ctx -> c.denyTransfer(ctx, requestId, transfer, reason)
                            : ctx -> c.rejectTransfer(ctx, requestId, transfer, reason);
                    return new Call(body, party(transfer, deny ? "donorMeterId" : "recipientMeterId"), null, null,
                            transfer + " " + reason);
                }
                case ACCEPT_TRANSFER, CANCEL_TRANSFER, ACKNOWLEDGE_TRANSFER, EXPIRE_TRANSFER -> {
                    final String transfer = switch (entry) {
                        case ACCEPT_TRANSFER -> transferIn("GRANTED");
                        case ACKNOWLEDGE_TRANSFER -> transferIn("OFFERED");
                        default -> transferIn("REQUESTED", "GRANTED", "OFFERED");
                    };
                    final Function<Context, String> body = switch (entry) {
                        case ACCEPT_TRANSFER -> ctx -> c.acceptTransfer(ctx, requestId, transfer);
                        case CANCEL_TRANSFER -> ctx -> c.cancelTransfer(ctx, requestId, transfer);
                        case ACKNOWLEDGE_TRANSFER -> ctx -> c.acknowledgeTransfer(ctx, requestId, transfer);
                        default -> ctx -> c.expireTransfer(ctx, requestId, transfer);
                    };
                    return new Call(body, party(transfer, "recipientMeterId"), null, null, transfer);
                }
                case RECORD_INDICIUM_SCAN -> {
                    final String indicium = indicium(meterId());
                    return new Call(ctx -> c.recordIndiciumScan(ctx, requestId, indicium), fx.authority, null, null,
                            indicium);
                }
                case GET_METER -> {
                    final String meter = meterId();
                    return new Call(ctx -> c.getMeter(ctx, meter), ownerOf(meter), meter, null, meter);
                }
                case INIT_CONSORTIUM -> {
                    // The record already there (a no-op), or one of a few others (refused): it is written once.
                    final String record = data.pickValue(java.util.Arrays.asList(Organisations.RECORD_JSON,
                            Organisations.RECORD_JSON.replace("MailerBMSP", "MailerCMSP"),
                            Organisations.RECORD_JSON.replace("MailerBMSP", "DataCenterMSP"),
                            "{\"dataCenterMsp\":\"DataCenterMSP\"}", fuzzed()));
                    return dataCenter(ctx -> c.initConsortium(ctx, requestId, record), record);
                }
                case ADMIT_METER_OWNER -> {
                    // One new organisation at most: a second admission would need its peer's endorsement too.
                    final String msp = data.pickValue(java.util.Arrays.asList("MailerCMSP", Organisations.MAILER_A,
                            Organisations.DATA_CENTER, "Mailer C", ""));
                    return dataCenter(ctx -> c.admitMeterOwner(ctx, requestId, msp), msp);
                }
                case GET_CONSORTIUM -> {
                    final TestIdentity reader = data.pickValue(List.of(fx.mailerA, fx.authority, world.stranger));
                    return new Call(ctx -> c.getConsortium(ctx), reader, null, null, "");
                }
                case GET_INSPECTION_PERIODS -> {
                    return new Call(ctx -> c.getInspectionPeriods(ctx), world.stranger, null, null, "");
                }
                case GET_TRANSFER -> {
                    final String transfer = transferId();
                    return new Call(ctx -> c.getTransfer(ctx, transfer), party(transfer, "donorMeterId"), null, null,
                            transfer);
                }
                case LIST_TRANSFERS -> {
                    final String meter = meterId();
                    final String state = state();
                    final String pageSize = numeral(pageSize());
                    final String bookmark = bookmark();
                    return new Call(ctx -> c.listTransfers(ctx, meter, state, pageSize, bookmark), ownerOf(meter),
                            meter, state, meter + " " + state + " " + pageSize + " " + bookmark);
                }
                case LIST_AUTHORISED_REQUESTERS -> {
                    final String donor = meterId();
                    final String pageSize = numeral(pageSize());
                    final String bookmark = bookmark();
                    return new Call(ctx -> c.listAuthorisedRequesters(ctx, donor, pageSize, bookmark), ownerOf(donor),
                            donor, null, donor + " " + pageSize + " " + bookmark);
                }
                case GET_ALLOTMENT -> {
                    final String distributor = meterId();
                    final String recipient = recipientOf(distributor);
                    return new Call(ctx -> c.getAllotment(ctx, distributor, recipient), ownerOf(distributor), null,
                            null, distributor + " " + recipient);
                }
                case GET_INDICIUM -> {
                    final String meter = meterId();
                    final String piece = numeral(choice(4) == 0 ? data.consumeLong(1, 3) : data.consumeLong());
                    return new Call(ctx -> c.getIndicium(ctx, meter, piece), ownerOf(meter), null, null,
                            meter + " " + piece);
                }
                case VERIFY_INDICIUM -> {
                    final String indicium = indicium(meterId());
                    return new Call(ctx -> c.verifyIndicium(ctx, indicium), fx.dataCenter, null, null, indicium);
                }
                case GET_ACCOUNT_HISTORY -> {
                    final String account = accountId();
                    final String limit = numeral(choice(4) == 0 ? data.consumeInt(1, Limits.MAX_HISTORY_ENTRIES + 1)
                            : data.consumeInt());
                    return new Call(ctx -> c.getAccountHistory(ctx, account, limit), fx.authority, null, null,
                            account + " " + limit);
                }
                case AUDIT_TOTALS -> {
                    return new Call(ctx -> c.auditTotals(ctx), fx.authority, null, null, "");
                }
                case REQUEST_REFUND -> {
                    // Mostly a printed piece for its amount (the base ledger prints some), else edges and fuzz.
                    final String meter = meterId();
                    final String piece = numeral(choice(4) < 3 ? data.consumeLong(1, 3) : data.consumeLong());
                    final String amount = numeral(choice(2) == 0 ? (choice(2) == 0 ? 95 : 120) : amount());
                    final String reason = reason();
                    return new Call(ctx -> c.requestRefund(ctx, requestId, meter, piece, amount, reason),
                            meterOrStranger(meter), meter, null, meter + " " + piece + " " + amount + " " + reason);
                }
                case APPROVE_REFUND, REJECT_REFUND -> {
                    final String meter = meterId();
                    final String piece = numeral(choice(4) < 3 ? data.consumeLong(1, 3) : data.consumeLong());
                    final String reason = reason();
                    final Function<Context, String> body = entry == EntryPoint.APPROVE_REFUND
                            ? ctx -> c.approveRefund(ctx, requestId, meter, piece)
                            : ctx -> c.rejectRefund(ctx, requestId, meter, piece, reason);
                    return new Call(body, fx.authority, meter, null, meter + " " + piece + " " + reason);
                }
                case GET_REFUND -> {
                    final String meter = meterId();
                    final String piece = numeral(choice(4) < 3 ? data.consumeLong(1, 3) : data.consumeLong());
                    return new Call(ctx -> c.getRefund(ctx, meter, piece), ownerOf(meter), meter, null,
                            meter + " " + piece);
                }
                case LIST_REFUNDS -> {
                    final String meter = meterId();
                    final String state = data.pickValue(java.util.Arrays.asList("", "ALL", "REQUESTED", "APPROVED",
                            "REJECTED", "GRANTED", fuzzed()));
                    final String pageSize = numeral(pageSize());
                    final String bookmark = bookmark();
                    return new Call(ctx -> c.listRefunds(ctx, meter, state, pageSize, bookmark), ownerOf(meter),
                            meter, state, meter + " " + state + " " + pageSize + " " + bookmark);
                }
                case REPORT_PSD_FAILURE -> {
                    final String meter = meterId();
                    final String reason = reason();
                    return dataCenter(ctx -> c.reportPsdFailure(ctx, requestId, meter, reason), meter + " " + reason);
                }
                case REPLACE_PSD -> {
                    final String failed = meterId();
                    final String replacement = meterId();
                    return dataCenter(ctx -> c.replacePsd(ctx, requestId, failed, replacement),
                            failed + " -> " + replacement);
                }
                case GET_REPLACEMENT -> {
                    final String meter = meterId();
                    return new Call(ctx -> c.getReplacement(ctx, meter), fx.authority, null, null, meter);
                }
                default -> {
                    return informationCall(entry, requestId);
                }
            }
        }

        // ---- decoding calls of SecureInformationContract --------------------------------------------------------------

        private Call informationCall(final EntryPoint entry, final String requestId) {
            final SecureInformationContract c = fx.information;
            switch (entry) {
                case REQUEST_INFORMATION -> {
                    final String recipient = meterId();
                    final String sender = counterpartOf(recipient);
                    final String item = itemName();
                    final String deadline = numeral(deadline());
                    return new Call(ctx -> c.requestInformation(ctx, requestId, recipient, sender, item, deadline),
                            meterOrStranger(recipient), null, null, recipient + " <- " + sender + " '" + item + "' "
                                    + deadline);
                }
                case GRANT_INFORMATION -> {
                    final String transferId = informationIn("REQUESTED");
                    final String deadline = numeral(deadline());
                    final Map<String, byte[]> carried = packageFor(transferId);
                    return new Call(ctx -> c.grantInformation(ctx, requestId, transferId, deadline),
                            informationParty(transferId, "senderId"), null, null,
                            transferId + " " + deadline + " " + describe(carried), carried);
                }
                case DENY_INFORMATION -> {
                    final String transferId = informationIn("REQUESTED");
                    final String reason = reason();
                    return new Call(ctx -> c.denyInformation(ctx, requestId, transferId, reason),
                            informationParty(transferId, "senderId"), null, null, transferId + " " + reason);
                }
                case ACCEPT_INFORMATION -> {
                    final String transferId = informationIn("GRANTED");
                    return new Call(ctx -> c.acceptInformation(ctx, requestId, transferId),
                            informationParty(transferId, "recipientMeterId"), null, null, transferId);
                }
                case CANCEL_INFORMATION -> {
                    final String transferId = informationIn("REQUESTED", "GRANTED");
                    return new Call(ctx -> c.cancelInformation(ctx, requestId, transferId),
                            informationParty(transferId, "recipientMeterId"), null, null, transferId);
                }
                case OFFER_INFORMATION -> {
                    final String sender = meterId();
                    final String recipient = counterpartOf(sender);
                    final String item = itemName();
                    final String deadline = numeral(deadline());
                    final Map<String, byte[]> carried = packageFor(openedId(sender, requestId), sender, recipient,
                            item, meterOrStranger(sender));
                    return new Call(ctx -> c.offerInformation(ctx, requestId, sender, recipient, item, deadline),
                            meterOrStranger(sender), null, null, sender + " -> " + recipient + " '" + item + "' "
                                    + deadline + " " + describe(carried), carried);
                }
                case DOWNLOAD_INFORMATION -> {
                    final String recipient = meterId();
                    final String item = itemName();
                    final String deadline = numeral(deadline());
                    final Map<String, byte[]> carried = packageFor(
                            openedId(org.postalfunds.chaincode.access.Organisations.DATA_CENTER, requestId),
                            org.postalfunds.chaincode.access.Organisations.DATA_CENTER, recipient, item, fx.dataCenter);
                    return new Call(ctx -> c.downloadInformation(ctx, requestId, recipient, item, deadline),
                            fx.dataCenter, null, null, "-> " + recipient + " '" + item + "' " + deadline + " "
                                    + describe(carried), carried);
                }
                case ACKNOWLEDGE_INFORMATION -> {
                    final String transferId = informationIn("OFFERED");
                    return new Call(ctx -> c.acknowledgeInformation(ctx, requestId, transferId),
                            informationParty(transferId, "recipientMeterId"), null, null, transferId);
                }
                case REJECT_INFORMATION -> {
                    final String transferId = informationIn("OFFERED");
                    final String reason = reason();
                    return new Call(ctx -> c.rejectInformation(ctx, requestId, transferId, reason),
                            informationParty(transferId, "recipientMeterId"), null, null, transferId + " " + reason);
                }
                case EXPIRE_INFORMATION -> {
                    final String transferId = informationIn("REQUESTED", "GRANTED", "OFFERED");
                    return new Call(ctx -> c.expireInformation(ctx, requestId, transferId),
                            data.pickValue(List.of(fx.authority, fx.dataCenter)), null, null, transferId);
                }
                case GET_INFORMATION_TRANSFER -> {
                    final String transferId = informationId();
                    return new Call(ctx -> c.getInformationTransfer(ctx, transferId),
                            informationOwner(transferId), null, null, transferId);
                }
                case GET_INFORMATION_PACKAGE -> {
                    final String transferId = informationIn("GRANTED", "OFFERED");
                    return new Call(ctx -> c.getInformationPackage(ctx, transferId),
                            informationOwner(transferId), null, null, transferId);
                }
                case GET_METER_CERTIFICATE -> {
                    final String meter = meterId();
                    return new Call(ctx -> c.getMeterCertificate(ctx, meter),
                            data.pickValue(List.of(fx.mailerB, fx.mailerA, fx.dataCenter, fx.authority)), null, null,
                            meter);
                }
                default -> throw new IllegalStateException("no decoder for " + entry);
            }
        }

        private Call dataCenter(final Function<Context, String> body, final String description) {
            return new Call(body, fx.dataCenter, null, null, description);
        }

        private TestIdentity meterOrStranger(final String meterId) {
            final TestIdentity meter = fx.meter(meterId);
            return meter == null ? world.stranger : meter;
        }

        private TestIdentity ownerOf(final String meterId) {
            final TestIdentity meter = fx.meter(meterId);
            if (meter == null) {
                return fx.dataCenter;
            }
            return meter.mspId().equals(Organisations.MAILER_A) ? fx.mailerA : fx.mailerB;
        }

        /** The donor or recipient meter of a committed transfer, else someone who is neither. */
        private TestIdentity party(final String transferId, final String field) {
            if (transferId == null || !transferId.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
                return world.stranger;
            }
            return fx.ledger.value(Keys.transfer(transferId))
                    .map(bytes -> LedgerFixture.json(new String(bytes, UTF_8)).path(field).asText())
                    .map(this::meterOrStranger).orElse(world.stranger);
        }

        /** The sender or recipient of a committed information transfer (a meter or the data center), else a stranger. */
        private TestIdentity informationParty(final String transferId, final String field) {
            return informationRecord(transferId).map(record -> record.path(field).asText())
                    .map(id -> id.equals(org.postalfunds.chaincode.access.Organisations.DATA_CENTER) ? fx.dataCenter : meterOrStranger(id))
                    .orElse(world.stranger);
        }

        /** An operator of the recipient's owner (who may read the record and the package), else the data center. */
        private TestIdentity informationOwner(final String transferId) {
            return informationRecord(transferId).map(record -> ownerOf(record.path("recipientMeterId").asText()))
                    .orElse(fx.dataCenter);
        }

        private java.util.Optional<JsonNode> informationRecord(final String transferId) {
            if (transferId == null || !transferId.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
                return java.util.Optional.empty();
            }
            return fx.ledger.value(Keys.information(transferId))
                    .map(bytes -> LedgerFixture.json(new String(bytes, UTF_8)));
        }

        // ---- argument generators ---------------------------------------------------------------------------------
        // Choice 0 is the plausible value. When an input runs out of bytes the provider answers 0 (and false), so a
        // short input still makes well-formed calls that get past validation; longer inputs reach edges and raw fuzz.

        /** 0 .. options - 1, 0 when the input is exhausted. */
        private int choice(final int options) {
            return data.consumeInt(0, options - 1);
        }

        /** Fuzzer-chosen text; now and then null, which Fabric never passes but a direct caller could. */
        private String fuzzed() {
            return choice(8) == 7 ? null : data.consumeString(MAX_FUZZED_STRING_CHARS);
        }

        private String requestId() {
            return switch (choice(8)) {
                // Ids the base ledger used (replays or REQUEST_ID_REUSED, scoped per MSP) and repeats within one input.
                case 5 -> "req-" + data.consumeInt(1, 70);
                case 6 -> "fz-" + data.consumeInt(0, 2);
                case 7 -> fuzzed();
                default -> "fresh-" + (calls + 1);
            };
        }

        /** Mostly a requester the distributor listed (and keeps an allotment for), sometimes any meter id. */
        private String recipientOf(final String distributor) {
            final List<String> requesters = distributor == null ? List.of()
                    : World.REQUESTERS.getOrDefault(distributor, List.of());
            return !requesters.isEmpty() && choice(3) < 2 ? data.pickValue(requesters) : meterId();
        }

        private String meterId() {
            return switch (choice(12)) {
                case 8 -> fuzzed();
                case 9 -> "";
                case 10 -> "mNew" + data.consumeInt(0, 3);
                case 11 -> "m" + "A".repeat(data.consumeInt(60, 70));
                default -> World.METERS.get(data.consumeInt(0, World.METERS.size() - 1));
            };
        }

        /** Mostly a transfer this input knows, newest first (the one it just opened); sometimes none at all. */
        private String transferId() {
            return switch (choice(6)) {
                case 4 -> fuzzed();
                case 5 -> String.format("f%063x", data.consumeInt(0, MAX_CALLS_PER_INPUT + 1));
                default -> transfers.get(transfers.size() - 1 - data.consumeInt(0, transfers.size() - 1));
            };
        }

        /** Mostly a transfer in one of {@code states} (where the step is legal), else any transfer id. */
        private String transferIn(final String... states) {
            final List<String> candidates = new ArrayList<>();
            for (int i = transfers.size() - 1; i >= 0; i--) {
                final String transferId = transfers.get(i);
                if (Arrays.asList(states).contains(LedgerInvariants.transfer(fx.ledger, transferId).path("state")
                        .asText())) {
                    candidates.add(transferId);
                }
            }
            return !candidates.isEmpty() && choice(3) < 2 ? data.pickValue(candidates) : transferId();
        }

        /** Mostly another registered meter than {@code meterId}, sometimes any meter id (itself included). */
        private String counterpartOf(final String meterId) {
            final List<String> others = World.METERS.stream().filter(meter -> !meter.equals(meterId)).toList();
            return choice(4) < 3 ? data.pickValue(others) : meterId();
        }

        /** Mostly an information transfer this input knows, newest first; sometimes none at all. */
        private String informationId() {
            return switch (choice(6)) {
                case 4 -> fuzzed();
                case 5 -> data.pickValue(List.of(SealedPackage.transferIdFor("mA1", "never"), "info-",
                        "info-" + "0".repeat(40), world.transfers.get(world.transfers.size() - 1), "INFO-X"));
                default -> informations.get(informations.size() - 1 - data.consumeInt(0, informations.size() - 1));
            };
        }

        /** Mostly an information transfer in one of {@code states}, else any id. */
        private String informationIn(final String... states) {
            final List<String> candidates = new ArrayList<>();
            for (int i = informations.size() - 1; i >= 0; i--) {
                final String transferId = informations.get(i);
                if (Arrays.asList(states).contains(LedgerInvariants.information(fx.ledger, transferId).path("state")
                        .asText())) {
                    candidates.add(transferId);
                }
            }
            return !candidates.isEmpty() && choice(3) < 2 ? data.pickValue(candidates) : informationId();
        }

        /** The id a push or download will get (SealedPackage.transferIdFor), or a placeholder the format refuses. */
        private static String openedId(final String opener, final String requestId) {
            try {
                return SealedPackage.transferIdFor(opener, requestId);
            } catch (RuntimeException notAnId) {
                return "";
            }
        }

        private String itemName() {
            return switch (choice(8)) {
                case 4 -> "x".repeat(data.consumeInt(SealedPackage.MAX_ITEM_NAME_BYTES - 1,
                        SealedPackage.MAX_ITEM_NAME_BYTES + 1));
                case 5 -> data.pickValue(List.of("", " rate-table", "rate\u0000table", "rate\ntable",
                        "\u00e9".repeat(64), "\u00e9".repeat(65), "\uD83D\uDCE6 box", "rate-table "));
                case 7 -> fuzzed();
                default -> data.pickValue(List.of("rate-table", "config", "certificates"));
            };
        }

        /** The transient map of a grant: a package addressed as the committed record (if any) says. */
        private Map<String, byte[]> packageFor(final String transferId) {
            final java.util.Optional<JsonNode> record = informationRecord(transferId);
            final String sender = record.map(r -> r.path("senderId").asText()).orElse("mA1");
            return packageFor(transferId, sender, record.map(r -> r.path("recipientMeterId").asText()).orElse("mB1"),
                    record.map(r -> r.path("itemName").asText()).orElse("rate-table"),
                    informationParty(transferId, "senderId"));
        }

        /**
         * The transient map of a grant, offer or download: mostly a valid sealed package for the addressing, else
         * one addressed to another transfer, sender, recipient or item, a tampered one (flipped, truncated, extended,
         * wrong version), garbage (with or without the magic), an empty one, one over the size limit, one of the
         * largest allowed size, or none at all.
         */
        private Map<String, byte[]> packageFor(final String transferId, final String sender, final String recipient,
                final String item, final TestIdentity signer) {
            final byte[] sealed = switch (choice(10)) {
                case 6 -> tampered(plausible(transferId, sender, recipient, item, signer));
                case 7 -> switch (choice(4)) {
                    case 0 -> plausible(informationId(), sender, recipient, item, signer);
                    case 1 -> plausible(transferId, meterId(), recipient, item, signer);
                    case 2 -> plausible(transferId, sender, meterId(), item, signer);
                    default -> plausible(transferId, sender, recipient, itemName(), signer);
                };
                case 8 -> garbage();
                case 9 -> switch (choice(5)) {
                    case 0 -> new byte[0];
                    case 1 -> new byte[SealedPackage.MAX_PACKAGE_BYTES + 1];
                    case 2 -> largest(transferId, sender, recipient, item, signer);
                    default -> null;
                };
                default -> plausible(transferId, sender, recipient, item, signer);
            };
            if (sealed == null) {
                return choice(2) == 0 ? Map.of() : Map.of("pkg", new byte[] {1});
            }
            return Map.of(InformationService.PACKAGE_TRANSIENT_KEY, sealed);
        }

        private byte[] plausible(final String transferId, final String sender, final String recipient,
                final String item, final TestIdentity signer) {
            final String contentType = switch (choice(6)) {
                case 4 -> "application/octet-stream";
                case 5 -> fuzzed();
                default -> "application/json";
            };
            final byte[] nonce = Arrays.copyOf(data.consumeBytes(SealedPackage.NONCE_BYTES), SealedPackage.NONCE_BYTES);
            try {
                return sealed(transferId, sender, recipient, item, contentType, nonce, data.consumeBytes(256),
                        signer == null ? world.stranger : signer);
            } catch (IllegalArgumentException | NullPointerException unencodable) {
                return garbage(); // a field the format cannot carry: the sender could only send bytes
            }
        }

        private byte[] largest(final String transferId, final String sender, final String recipient,
                final String item, final TestIdentity signer) {
            try {
                return sealed(transferId, sender, recipient, item, "application/json",
                        new byte[SealedPackage.NONCE_BYTES], new byte[SealedPackage.MAX_CONTENT_BYTES],
                        signer == null ? world.stranger : signer);
            } catch (IllegalArgumentException | NullPointerException unencodable) {
                return new byte[SealedPackage.MAX_PACKAGE_BYTES];
            }
        }

        private byte[] tampered(final byte[] sealed) {
            if (sealed.length == 0) {
                return sealed;
            }
            final int at = data.consumeInt(0, sealed.length - 1);
            return switch (choice(4)) {
                case 0 -> {
                    final byte[] flipped = sealed.clone();
                    flipped[at] ^= (byte) (1 + data.consumeInt(0, 254));
                    yield flipped;
                }
                case 1 -> Arrays.copyOf(sealed, at);
                case 2 -> Arrays.copyOf(sealed, sealed.length + 1 + data.consumeInt(0, 8));
                default -> {
                    final byte[] version = sealed.clone();
                    version[Math.min(4, sealed.length - 1)] = (byte) data.consumeInt(2, 255);
                    yield version;
                }
            };
        }

        private byte[] garbage() {
            final byte[] raw = data.consumeBytes(400);
            if (choice(2) == 0) {
                return raw;
            }
            final byte[] magic = Arrays.copyOf("PFSP\u0001".getBytes(UTF_8), 5 + raw.length);
            System.arraycopy(raw, 0, magic, 5, raw.length);
            return magic;
        }

        private static String describe(final Map<String, byte[]> carried) {
            final byte[] sealed = carried.get(InformationService.PACKAGE_TRANSIENT_KEY);
            return sealed == null ? "transient " + carried.keySet()
                    : "package of " + sealed.length + " bytes " + SealedPackage.sha256Hex(sealed).substring(0, 12);
        }

        private long amount() {
            return choice(3) < 2
                    ? data.pickValue(new long[] {100, 1, 50, 999, 5_000, LedgerFixture.DEFAULT_MAX_PIECE,
                            LedgerFixture.DEFAULT_MAX_TRANSFER, LedgerFixture.DEFAULT_MAX_BALANCE, 0, -1,
                            Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE / 2 + 1})
                    : data.consumeLong();
        }

        /**
         * A number as the contract receives it, a string: mostly its canonical decimal, sometimes a form the
         * contract's grammar must refuse with a code (spaces, sign, point, exponent, leading zero, non-ASCII digits,
         * 2^63, empty), sometimes raw fuzzer text.
         */
        private String numeral(final long value) {
            final String canonical = Long.toString(value);
            return switch (choice(16)) {
                case 0 -> data.pickValue(ArgumentGrammarTest.MALFORMED);
                case 1 -> data.pickValue(List.of(" " + canonical, canonical + " ", "+" + canonical, "0" + canonical,
                        canonical + ".0", canonical + "e0", canonical + "\u0000"));
                case 2 -> canonical.chars().mapToObj(digit -> Character.isDigit(digit)
                        ? String.valueOf((char) ('\u0660' + digit - '0')) : String.valueOf((char) digit))
                        .collect(java.util.stream.Collectors.joining()); // the same number in Arabic-Indic digits
                case 3 -> fuzzed();
                default -> canonical;
            };
        }

        private long deadline() {
            return choice(3) < 2
                    ? fx.nowSeconds() + data.pickValue(new long[] {3_600, 60, 1, 0, -1, 86_400,
                            Limits.MAX_ESCROW_WINDOW_SECONDS, Limits.MAX_ESCROW_WINDOW_SECONDS + 1})
                    : data.consumeLong();
        }

        private long days() {
            return switch (choice(3)) {
                case 0 -> data.pickValue(new long[] {90, 120, 1, 3_650, 3_651, 0, -1});
                case 1 -> data.consumeLong(-2, Limits.MAX_INSPECTION_PERIOD_DAYS + 2);
                default -> data.consumeLong();
            };
        }

        private String reason() {
            return switch (choice(4)) {
                case 0 -> "ok";
                case 1 -> "x".repeat(data.consumeInt(Limits.MAX_REASON_CHARS - 1, Limits.MAX_REASON_CHARS + 1));
                default -> fuzzed();
            };
        }

        private String state() {
            return choice(5) == 4 ? fuzzed() : data.pickValue(TransferState.values()).name();
        }

        private int pageSize() {
            return switch (choice(3)) {
                case 0 -> data.pickValue(new int[] {10, 1, Limits.MAX_PAGE_SIZE, 0, Limits.MAX_PAGE_SIZE + 1});
                case 1 -> data.consumeInt(-1, Limits.MAX_PAGE_SIZE + 1);
                default -> data.consumeInt();
            };
        }

        private String bookmark() {
            return switch (choice(4)) {
                case 0 -> "";
                // A key that exists, anywhere on the ledger: a client may send back any bookmark it likes.
                case 1, 2 -> data.pickValue(world.keys);
                default -> fuzzed();
            };
        }

        private String accountId() {
            final String meter = meterId();
            return switch (choice(7)) {
                case 0 -> "METER:" + meter;
                case 1 -> "ISSUED_FUNDS:" + meter;
                case 2 -> "POSTAGE_REVENUE:" + meter;
                case 3 -> "ALLOTMENT:" + meter + ":" + meterId();
                case 4 -> "ESCROW:" + transferId();
                case 5 -> data.pickValue(List.of("METER", "ESCROW:", ":", "METER::mA1", "ALLOTMENT:dist", "NOPE:mA1"));
                default -> fuzzed();
            };
        }

        private String registration() {
            if (choice(6) == 5) {
                return fuzzed();
            }
            final Map<String, Object> limits = new LinkedHashMap<>();
            limits.put("maxBalanceMinorUnits", choice(2) == 0 ? LedgerFixture.DEFAULT_MAX_BALANCE : amount());
            limits.put("maxPostagePerPieceMinorUnits", choice(2) == 0 ? LedgerFixture.DEFAULT_MAX_PIECE : amount());
            limits.put("maxTransferMinorUnits", choice(2) == 0 ? LedgerFixture.DEFAULT_MAX_TRANSFER : amount());
            final Map<String, Object> registration = new LinkedHashMap<>();
            registration.put("meterId", choice(2) == 0 ? "mNew" + data.consumeInt(0, 3) : meterId());
            registration.put("ownerMsp", data.pickValue(List.of(Organisations.MAILER_A, Organisations.MAILER_B,
                    Organisations.DATA_CENTER, Organisations.POSTAL_AUTHORITY, "UnknownMSP", "")));
            registration.put("certificatePem", switch (choice(8)) {
                case 6 -> fuzzed();
                case 7 -> world.certificates.get(0).substring(0, data.consumeInt(0, 200));
                default -> world.certificates.get(data.consumeInt(0, world.certificates.size() - 1));
            });
            registration.put("kind", choice(5) == 4 ? fuzzed() : data.pickValue(MeterKind.values()).name());
            registration.put("model", choice(5) == 4 ? fuzzed() : "PM-2000");
            registration.put("limits", choice(10) == 9 ? null : limits);
            mutate(registration);
            return LedgerFixture.text(registration);
        }

        /** An indicium as a client would send it: usually well formed and signed, sometimes not at all. */
        private String indicium(final String meterId) {
            if (choice(6) == 5) {
                return fuzzed();
            }
            final long nextPiece = (meterId != null && World.METERS.contains(meterId)
                    ? fx.ledger.value(Keys.meterAccount(meterId)) : java.util.Optional.<byte[]>empty())
                    .map(bytes -> LedgerFixture.json(new String(bytes, UTF_8)).path("pieceCount").asLong() + 1)
                    .orElse(1L);
            final long piece = choice(3) == 0 ? nextPiece : data.consumeLong(-1, nextPiece + 1);
            final long amount = amount();
            final LocalDate today = LocalDate.ofInstant(fx.now(), ZoneOffset.UTC);
            final String date = switch (choice(8)) {
                case 5 -> today.minusDays(1).toString();
                case 6 -> data.pickValue(List.of("2026-02-30", "+10000-01-01", "-0001-01-01", "2026-3-2", ""));
                case 7 -> fuzzed();
                default -> today.toString();
            };
            final String postalCode = choice(8) == 7 ? fuzzed() : "10115";
            final String countryCode = choice(8) == 7 ? fuzzed() : "DE";
            final String rateCode = choice(8) == 7 ? fuzzed() : "LETTER-STD";
            final TestIdentity owner = fx.meter(meterId == null ? "" : meterId);
            final String signature = switch (choice(8)) {
                case 5 -> fx.meter(data.pickValue(World.METERS)).sign(new byte[] {1, 2, 3});
                case 6 -> fuzzed();
                case 7 -> "";
                default -> sign(owner == null ? world.stranger : owner, meterId, piece, amount, date, postalCode,
                        countryCode, rateCode);
            };
            final Map<String, Object> indicium = new LinkedHashMap<>();
            indicium.put("meterId", meterId);
            indicium.put("pieceNumber", piece);
            indicium.put("amountMinorUnits", amount);
            indicium.put("mailingDate", date);
            indicium.put("destinationPostalCode", postalCode);
            indicium.put("destinationCountryCode", countryCode);
            indicium.put("rateCode", rateCode);
            indicium.put("signature", signature);
            mutate(indicium);
            return LedgerFixture.text(indicium);
        }

        /** Signs the fields as the PSD would; fields the encoding cannot carry get a signature over nothing. */
        private static String sign(
                final TestIdentity signer, final String meterId, final long piece, final long amount, final String date,
                final String postalCode, final String countryCode, final String rateCode) {
            try {
                return signer.sign(IndiciumEncoding.encode(new IndiciumEncoding.Fields(meterId, piece, amount,
                        LocalDate.parse(date), postalCode, countryCode, rateCode)));
            } catch (RuntimeException unencodable) {
                return signer.sign(new byte[0]);
            }
        }

        /** Sometimes: a field dropped, an unknown field added, or a field of the wrong JSON type. */
        private void mutate(final Map<String, Object> json) {
            final List<String> fields = new ArrayList<>(json.keySet());
            switch (choice(8)) {
                case 4 -> json.remove(data.pickValue(fields));
                case 5 -> json.put(data.consumeBoolean() ? "extra" : data.consumeString(12), data.consumeInt());
                case 6 -> json.put(data.pickValue(fields), data.pickValue(List.of(true, 1.5, List.of(1), Map.of())));
                case 7 -> json.put(data.pickValue(fields), String.valueOf(json.get(data.pickValue(fields))));
                default -> { }
            }
        }
    }

    /**
     * One decoded call: what it does, the caller it is meant for, and what a list query asked for (its subject meter
     * and state), for the oracle.
     */
    private record Call(Function<Context, String> body, TestIdentity rightful, String subject, String detail,
            String description, Map<String, byte[]> transientMap) {
        Call(final Function<Context, String> body, final TestIdentity rightful, final String subject,
                final String detail, final String description) {
            this(body, rightful, subject, detail, description, Map.of());
        }
    }

    private record Answer(String result, ChaincodeException failure) {
        String message() {
            return failure == null ? null : failure.getMessage();
        }
    }

    /** Private writes (sha-256 of each value) and purges, comparable across two endorsements. */
    private static String privateText(final FakeStub stub) {
        final Map<String, String> text = new TreeMap<>();
        stub.privateWrites().forEach((collection, writes) -> writes.forEach((key, value) -> text.put(
                collection + "/" + LedgerFixture.printable(key),
                value == null ? "<deleted>" : SealedPackage.sha256Hex(value))));
        return text + " purged " + stub.privatePurges().stream().map(LedgerFixture::printable).toList();
    }

    /** Peers of every organisation: a proposal may go to any of them. */
    private static final List<String> PEERS = List.of(Organisations.DATA_CENTER, Organisations.MAILER_A,
            Organisations.MAILER_B, Organisations.POSTAL_AUTHORITY);

    /** An uncompressed P-256 point (0x04 ‖ x ‖ y), generated once: the chaincode checks the format, not the key. */
    private static final byte[] EPHEMERAL_POINT = ephemeralPoint();

    private static byte[] ephemeralPoint() {
        try {
            final java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC");
            generator.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
            final java.security.spec.ECPoint w = ((java.security.interfaces.ECPublicKey) generator.generateKeyPair()
                    .getPublic()).getW();
            final byte[] point = new byte[SealedPackage.EPHEMERAL_PUBLIC_KEY_BYTES];
            point[0] = 0x04;
            coordinate(w.getAffineX().toByteArray(), point, 1);
            coordinate(w.getAffineY().toByteArray(), point, 33);
            return point;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void coordinate(final byte[] raw, final byte[] into, final int offset) {
        final int length = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - length, into, offset + 32 - length, length);
    }

    /**
     * A well-formed sealed package (org.postalfunds.api.format.SealedPackage) for the addressing, its ciphertext the
     * given bytes plus a zero tag, signed by {@code signer} over its signed bytes as a sender's PSD would; throws
     * IllegalArgumentException when the format cannot carry a field.
     */
    static byte[] sealed(final String transferId, final String sender, final String recipient, final String item,
            final String contentType, final byte[] nonce, final byte[] content, final TestIdentity signer) {
        final SealedPackage.Header header = new SealedPackage.Header(transferId, sender, recipient, item, contentType,
                EPHEMERAL_POINT, nonce);
        final byte[] ciphertext = Arrays.copyOf(content, content.length + SealedPackage.TAG_BYTES);
        final byte[] signature = java.util.Base64.getDecoder()
                .decode(signer.sign(SealedPackage.signedBytes(header, ciphertext)));
        return SealedPackage.of(header, ciphertext, signature).encode();
    }

    private static Map<String, String> printable(final Map<String, byte[]> writes) {
        final Map<String, String> text = new TreeMap<>();
        writes.forEach((key, value) -> text.put(LedgerFixture.printable(key),
                value == null ? "<deleted>" : new String(value, UTF_8)));
        return text;
    }
}
