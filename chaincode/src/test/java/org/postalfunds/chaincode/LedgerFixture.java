package org.postalfunds.chaincode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.hyperledger.fabric.contract.Context;
import org.hyperledger.fabric.shim.ChaincodeException;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.format.IndiciumEncoding;
import org.postalfunds.api.model.MeterKind;
import org.postalfunds.chaincode.access.Organisations;
import org.postalfunds.chaincode.fake.FakeLedger;
import org.postalfunds.chaincode.fake.FakeStub;
import org.postalfunds.chaincode.fake.TestIdentity;

/**
 * The contract on a fake ledger with real identities: the data center, both mailers, the postal authority, and
 * meters as they get registered. Every submit runs on its own stub and is committed like a peer would, endorsed by
 * every organisation unless a test says otherwise.
 */
public final class LedgerFixture {
    public static final Instant START = Instant.parse("2026-03-02T10:00:00Z");
    public static final Set<String> ALL_ORGS = Set.of(Organisations.DATA_CENTER, Organisations.MAILER_A,
            Organisations.MAILER_B, Organisations.POSTAL_AUTHORITY);
    public static final long DEFAULT_MAX_BALANCE = 1_000_000;
    public static final long DEFAULT_MAX_PIECE = 10_000;
    public static final long DEFAULT_MAX_TRANSFER = 500_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    public final FakeLedger ledger;
    public final PostalLedgerContract contract = new PostalLedgerContract();
    public final SecureInformationContract information = new SecureInformationContract();
    public final TestIdentity dataCenter;
    public final TestIdentity mailerA;
    public final TestIdentity mailerB;
    public final TestIdentity authority;
    private final Map<String, TestIdentity> meters;
    private Instant now = START;
    private long transactions;
    private long requests;
    private FakeStub lastStub;
    private Map<String, byte[]> nextTransient = Map.of();
    private String nextPeerMsp = Organisations.DATA_CENTER;

    public LedgerFixture() {
        this(true);
    }

    /** A fixture whose ledger has no consortium record yet (as right after the chaincode's definition is committed). */
    public static LedgerFixture withoutConsortium() {
        return new LedgerFixture(false);
    }

    private LedgerFixture(final boolean writeConsortium) {
        this(new FakeLedger(), TestIdentity.p256(Organisations.DATA_CENTER, "dc-operator"),
                TestIdentity.p256(Organisations.MAILER_A, "mailer-a-operator"),
                TestIdentity.p256(Organisations.MAILER_B, "mailer-b-operator"),
                TestIdentity.p256(Organisations.POSTAL_AUTHORITY, "auditor"), new HashMap<>());
        if (writeConsortium) {
            // As test-network/deploy.sh does: the consortium record first, every other call is refused without it.
            submit(dataCenter, ctx -> contract.initConsortium(ctx, "consortium-init", Organisations.RECORD_JSON));
        }
    }

    private LedgerFixture(
            final FakeLedger ledger, final TestIdentity dataCenter, final TestIdentity mailerA,
            final TestIdentity mailerB, final TestIdentity authority, final Map<String, TestIdentity> meters) {
        this.ledger = ledger;
        this.dataCenter = dataCenter;
        this.mailerA = mailerA;
        this.mailerB = mailerB;
        this.authority = authority;
        this.meters = meters;
        if (ledger.collection(org.postalfunds.chaincode.information.SecureInformationCollections.between(
                Organisations.MAILER_A, Organisations.MAILER_B)).isEmpty()) {
            org.postalfunds.chaincode.fake.NetworkCollections.defineIn(ledger);
        }
    }

    /** The next transaction's proposal carries this transient map (e.g. a sealed package). */
    public LedgerFixture carrying(final Map<String, byte[]> transientData) {
        nextTransient = Map.copyOf(transientData);
        return this;
    }

    /** The next transaction runs on a peer of this organisation (default DataCenterMSP). */
    public LedgerFixture onPeerOf(final String mspId) {
        nextPeerMsp = mspId;
        return this;
    }

    private FakeStub newStub(final TestIdentity caller) {
        final FakeStub stub = ledger.newTransaction(String.format("%064x", ++transactions), now, caller.creator())
                .withTransient(nextTransient).onPeerOf(nextPeerMsp);
        nextTransient = Map.of();
        nextPeerMsp = Organisations.DATA_CENTER;
        return stub;
    }

    /**
     * A fixture on a copy of this one's ledger, with the same identities, meters, clock and id counters: build a
     * populated ledger once, then run each case on its own fork (key generation is the expensive part of setup).
     */
    public LedgerFixture fork() {
        final LedgerFixture fork = new LedgerFixture(ledger.copy(), dataCenter, mailerA, mailerB, authority,
                new HashMap<>(meters));
        fork.now = now;
        fork.transactions = transactions;
        fork.requests = requests;
        return fork;
    }

    /** One endorsed, not yet committed transaction. */
    public record Endorsed(FakeStub stub, String result, ChaincodeException failure) {}

    // ---- time and ids --------------------------------------------------------------------------------------------

    public Instant now() {
        return now;
    }

    public long nowSeconds() {
        return now.getEpochSecond();
    }

    public void advance(final Duration duration) {
        now = now.plus(duration);
    }

    public void setNow(final Instant instant) {
        now = instant;
    }

    public String nextRequestId() {
        return "req-" + (++requests);
    }

    // ---- running transactions ----------------------------------------------------------------------------------

    /** Runs a submit, commits it endorsed by every organisation, and returns its result. */
    public String submit(final TestIdentity caller, final Function<Context, String> call) {
        final Endorsed endorsed = endorse(caller, call);
        if (endorsed.failure() != null) {
            throw endorsed.failure();
        }
        assertThat(ledger.commit(endorsed.stub(), ALL_ORGS)).isEqualTo(FakeLedger.Validation.VALID);
        return endorsed.result();
    }

    /** Runs a transaction on a fresh stub without committing it. */
    public Endorsed endorse(final TestIdentity caller, final Function<Context, String> call) {
        final FakeStub stub = newStub(caller);
        lastStub = stub;
        try {
            return new Endorsed(stub, call.apply(new Context(stub)), null);
        } catch (ChaincodeException failure) {
            return new Endorsed(stub, null, failure);
        }
    }

    /** Runs a query; a query never writes. */
    public String evaluate(final TestIdentity caller, final Function<Context, String> call) {
        final Endorsed endorsed = endorse(caller, call);
        if (endorsed.failure() != null) {
            throw endorsed.failure();
        }
        assertThat(endorsed.stub().writes()).isEmpty();
        return endorsed.result();
    }

    /** Expects the call to fail with a chaincode error, and to have written nothing at all. */
    public ChaincodeException rejects(final TestIdentity caller, final Function<Context, String> call) {
        final Map<String, byte[]> before = ledger.snapshot();
        final ChaincodeException failure = catchThrowableOfType(ChaincodeException.class,
                () -> call.apply(new Context(stubFor(caller))));
        assertThat(failure).as("expected a chaincode error").isNotNull();
        assertThat(lastStub.putOrder()).as("writes of a failed transaction").isEmpty();
        assertThat(lastStub.validationParameterWrites()).isEmpty();
        assertThat(lastStub.eventName()).isNull();
        assertThat(ledger.snapshot()).containsExactlyEntriesOf(before);
        return failure;
    }

    /** Expects the call to fail with {@code code} and to have written nothing; returns the message. */
    public String rejectsWith(final ErrorCode code, final TestIdentity caller, final Function<Context, String> call) {
        final ChaincodeException failure = rejects(caller, call);
        assertThat(codeOf(failure)).as(failure.getMessage()).isEqualTo(code.name());
        assertThat(failure.getMessage()).startsWith(code.name() + ": ");
        return failure.getMessage();
    }

    public static String codeOf(final ChaincodeException failure) {
        return new String(failure.getPayload(), java.nio.charset.StandardCharsets.UTF_8);
    }

    public FakeStub lastStub() {
        return lastStub;
    }

    /** Keys the last transaction wrote or deleted, printable ("~" for the composite-key separators). */
    public Set<String> lastWrittenKeys() {
        final Set<String> keys = new TreeSet<>();
        lastStub.writes().keySet().forEach(key -> keys.add(printable(key)));
        return keys;
    }

    /** Keys the last transaction read with getState, printable. */
    public Set<String> lastReadKeys() {
        final Set<String> keys = new TreeSet<>();
        lastStub.readKeys().forEach(key -> keys.add(printable(key)));
        return keys;
    }

    public static String printable(final String key) {
        return key.replace('\u0000', '~');
    }

    private FakeStub stubFor(final TestIdentity caller) {
        lastStub = newStub(caller);
        return lastStub;
    }

    // ---- meters --------------------------------------------------------------------------------------------------

    public TestIdentity registerMeter(final String meterId, final String ownerMsp) {
        return registerMeter(meterId, ownerMsp, MeterKind.POSTAL_METER, DEFAULT_MAX_BALANCE, DEFAULT_MAX_PIECE,
                DEFAULT_MAX_TRANSFER);
    }

    public TestIdentity registerMeter(
            final String meterId, final String ownerMsp, final MeterKind kind, final long maxBalance,
            final long maxPiece, final long maxTransfer) {
        final TestIdentity meter = TestIdentity.p256(ownerMsp, meterId);
        submit(dataCenter, ctx -> contract.registerMeter(ctx, nextRequestId(),
                registration(meterId, ownerMsp, meter.certificatePem(), kind, maxBalance, maxPiece, maxTransfer)));
        meters.put(meterId, meter);
        return meter;
    }

    public static String registration(
            final String meterId, final String ownerMsp, final String pem, final MeterKind kind, final long maxBalance,
            final long maxPiece, final long maxTransfer) {
        final Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("maxBalanceMinorUnits", maxBalance);
        limits.put("maxPostagePerPieceMinorUnits", maxPiece);
        limits.put("maxTransferMinorUnits", maxTransfer);
        final Map<String, Object> registration = new LinkedHashMap<>();
        registration.put("meterId", meterId);
        registration.put("ownerMsp", ownerMsp);
        registration.put("certificatePem", pem);
        registration.put("kind", kind.name());
        registration.put("model", "PM-2000");
        registration.put("limits", limits);
        return text(registration);
    }

    public TestIdentity meter(final String meterId) {
        return meters.get(meterId);
    }

    public void refill(final String meterId, final long amount) {
        submit(dataCenter, ctx -> contract.refillMeter(ctx, nextRequestId(), meterId, String.valueOf(amount)));
    }

    public void authorise(final String donorMeterId, final String requesterMeterId) {
        submit(meter(donorMeterId), ctx -> contract.authoriseRequester(ctx, nextRequestId(), donorMeterId,
                requesterMeterId));
    }

    /** Request (recipient) with a one-day deadline; returns the transfer id. */
    public String request(final String recipient, final String donor, final long amount) {
        final String result = submit(meter(recipient), ctx -> contract.requestTransfer(ctx, nextRequestId(), recipient,
                donor, String.valueOf(amount), String.valueOf(nowSeconds() + 86_400)));
        return json(result).at("/transfer/transferId").asText();
    }

    public void grant(final String transferId, final String donor) {
        submit(meter(donor), ctx -> contract.grantTransfer(ctx, nextRequestId(), transferId, String.valueOf(nowSeconds() + 3_600)));
    }

    public void accept(final String transferId, final String recipient) {
        submit(meter(recipient), ctx -> contract.acceptTransfer(ctx, nextRequestId(), transferId));
    }

    /** Offer (donor) with a one-hour deadline; returns the transfer id. */
    public String offer(final String donor, final String recipient, final long amount) {
        final String result = submit(meter(donor), ctx -> contract.offerTransfer(ctx, nextRequestId(), donor,
                recipient, String.valueOf(amount), String.valueOf(nowSeconds() + 3_600)));
        return json(result).at("/transfer/transferId").asText();
    }

    /** An indicium for today, signed by {@code signer}, as JSON. */
    public String indicium(final String meterId, final long pieceNumber, final long amount, final TestIdentity signer) {
        return indicium(meterId, pieceNumber, amount, LocalDate.ofInstant(now, ZoneOffset.UTC), signer);
    }

    public String indicium(
            final String meterId, final long pieceNumber, final long amount, final LocalDate date,
            final TestIdentity signer) {
        final IndiciumEncoding.Fields fields =
                new IndiciumEncoding.Fields(meterId, pieceNumber, amount, date, "10115", "DE", "LETTER-STD");
        final Map<String, Object> indicium = new LinkedHashMap<>();
        indicium.put("meterId", meterId);
        indicium.put("pieceNumber", pieceNumber);
        indicium.put("amountMinorUnits", amount);
        indicium.put("mailingDate", date.toString());
        indicium.put("destinationPostalCode", fields.destinationPostalCode());
        indicium.put("destinationCountryCode", fields.destinationCountryCode());
        indicium.put("rateCode", fields.rateCode());
        indicium.put("signature", signer.sign(IndiciumEncoding.encode(fields)));
        return text(indicium);
    }

    public String print(final String meterId, final long amount) {
        final long piece = meterView(meterId).at("/registers/pieceCount").asLong() + 1;
        return submit(meter(meterId), ctx -> contract.printPostage(ctx, nextRequestId(),
                indicium(meterId, piece, amount, meter(meterId))));
    }

    // ---- reading the ledger --------------------------------------------------------------------------------------

    public JsonNode meterView(final String meterId) {
        return json(evaluate(dataCenter, ctx -> contract.getMeter(ctx, meterId)));
    }

    public long available(final String meterId) {
        return meterView(meterId).at("/registers/descendingRegisterMinorUnits").asLong();
    }

    public JsonNode transfer(final String transferId) {
        return json(evaluate(dataCenter, ctx -> contract.getTransfer(ctx, transferId)));
    }

    public JsonNode auditTotals() {
        return json(evaluate(authority, ctx -> contract.auditTotals(ctx)));
    }

    public static JsonNode json(final String text) {
        try {
            return JSON.readTree(text);
        } catch (java.io.IOException malformed) {
            throw new AssertionError("not JSON: " + text, malformed);
        }
    }

    public static String text(final Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (java.io.IOException failure) {
            throw new AssertionError(failure);
        }
    }
}
