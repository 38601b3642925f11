package org.postalfunds.client.bench;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.hyperledger.fabric.client.identity.Identities;
import org.hyperledger.fabric.client.identity.Signers;
import org.hyperledger.fabric.client.identity.X509Identity;
import org.postalfunds.api.model.MeterLimits;
import org.postalfunds.api.model.MeterRegistration;
import org.postalfunds.client.DataCenterClient;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.SoftwareKeyAgreement;
import org.postalfunds.client.ledger.FailureKind;
import org.postalfunds.client.ledger.Ledger;
import org.postalfunds.client.ledger.LedgerConnection;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.ledger.RetryPolicy;
import org.postalfunds.hsm.MeterSubject;
import org.postalfunds.hsm.client.BridgeException;
import org.postalfunds.hsm.client.PsdBridgeClient;
import org.postalfunds.hsm.enrol.EnrolledMeter;
import org.postalfunds.hsm.enrol.FabricCaIssuer;
import org.postalfunds.hsm.enrol.MeterEnrolment;
import org.postalfunds.testnetwork.ClientIdentities.ClientIdentity;
import org.postalfunds.testnetwork.ClientIdentities;
import org.postalfunds.testnetwork.NetworkDescription;

/**
 * The benchmark's consortium on the real network ({@code network.json}): every meter and operator enrolled at its
 * own organisation's Fabric CA (file keys), registered by the data center, each client connected through its own
 * organisation's peer gateway, every connection without retries and timed by one {@link LoadRecorder}. Pairs: donor
 * (MailerA) and recipient (MailerB), the donor funded and listing its recipient; one distributor (MailerA) with
 * {@code distributorRecipients} recipients (MailerA and MailerB in turn), each listed and with a funded allotment.
 * Set-up transactions run while the recorder is closed and are retried here (same request id) on conflicts and lag.
 */
public final class RealBenchConsortium implements BenchConsortium, AutoCloseable {
    /** Limits high enough that no benchmark window meets one (refills of 1 unit, transfers of 1 unit). */
    public static final MeterLimits LIMITS = new MeterLimits(1_000_000_000L, 100_000, 500_000);
    public static final long DONOR_FUNDS = 100_000;
    public static final long ALLOTMENT = 5_000;
    private static final int SET_UP_ATTEMPTS = 30;
    private static final int BRIDGE_ENROL_THREADS = 4;
    /** One INFO line per enrolled meter would bury the benchmark's own lines; held so the level sticks. */
    private static final java.util.logging.Logger ENROLMENT_LOG = java.util.logging.Logger.getLogger(MeterEnrolment.class.getName());

    /** How many meters, and how many set-up threads (enrolment runs fabric-ca-client twice per identity). */
    public record Options(int pairs, int distributorRecipients, int enrolThreads, int setUpThreads) {
        public Options {
            if (pairs < 1 || pairs > 512 || distributorRecipients < 0 || distributorRecipients > 1_000
                    || enrolThreads < 1 || setUpThreads < 1) {
                throw new IllegalArgumentException("pairs 1..512, distributor recipients 0..1000, threads >= 1");
            }
        }
    }

    private final NetworkDescription network;
    private final LoadRecorder recorder;
    private final String run = UUID.randomUUID().toString().substring(0, 6);
    private final List<LedgerConnection> connections = Collections.synchronizedList(new ArrayList<>());
    private final List<PsdBridgeClient> bridgeClients = Collections.synchronizedList(new ArrayList<>());
    private final CaEnrolment ca;
    private final List<MeterClient> donors = new ArrayList<>();
    private final List<MeterClient> recipients = new ArrayList<>();
    private final List<MeterClient> served = new ArrayList<>();
    private MeterClient distributor;
    private DataCenterClient dataCenter;
    private Ledger baseline;

    private RealBenchConsortium(final NetworkDescription network, final LoadRecorder recorder) {
        this.network = network;
        this.recorder = recorder;
        this.ca = new CaEnrolment(network);
    }

    /** The run's tag, in every meter id and baseline key of this consortium. */
    public String run() {
        return run;
    }

    public static RealBenchConsortium create(final NetworkDescription network, final LoadRecorder recorder,
            final Options options, final Consumer<String> log) throws Exception {
        final RealBenchConsortium consortium = new RealBenchConsortium(network, recorder);
        boolean done = false;
        try {
            consortium.setUp(options, log);
            done = true;
            return consortium;
        } finally {
            if (!done) {
                consortium.close();
            }
        }
    }

    private void setUp(final Options options, final Consumer<String> log) throws Exception {
        final long started = System.nanoTime();
        final ExecutorService enrolling = Executors.newFixedThreadPool(options.enrolThreads());
        final ClientIdentity operator;
        final ClientIdentity baselineOperator;
        final List<ClientIdentity> donorIds;
        final List<ClientIdentity> recipientIds;
        final ClientIdentity distributorId;
        final List<ClientIdentity> servedIds;
        try {
            final Future<ClientIdentity> op = enrolling.submit(() -> enrol("DataCenter", "bench-operator"));
            final Future<ClientIdentity> base = enrolling.submit(() -> enrol("MailerA", "bench-baseline"));
            final Future<ClientIdentity> dist = enrolling.submit(() -> enrol("MailerA", "bench-distributor"));
            final List<Future<ClientIdentity>> d = new ArrayList<>();
            final List<Future<ClientIdentity>> r = new ArrayList<>();
            final List<Future<ClientIdentity>> s = new ArrayList<>();
            for (int pair = 0; pair < options.pairs(); pair++) {
                final int p = pair;
                d.add(enrolling.submit(() -> enrol("MailerA", "bench-donor-" + p)));
                r.add(enrolling.submit(() -> enrol("MailerB", "bench-recipient-" + p)));
            }
            for (int index = 0; index < options.distributorRecipients(); index++) {
                final int i = index;
                s.add(enrolling.submit(() -> enrol(i % 2 == 0 ? "MailerA" : "MailerB", "bench-served-" + i)));
            }
            operator = op.get();
            baselineOperator = base.get();
            distributorId = dist.get();
            donorIds = all(d);
            recipientIds = all(r);
            servedIds = all(s);
        } finally {
            enrolling.shutdownNow();
        }
        log.accept(String.format("enrolled %d identities at the orgs' Fabric CAs in %.1f s", 3 + 2 * options.pairs()
                + options.distributorRecipients(), (System.nanoTime() - started) / 1e9));

        dataCenter = DataCenterClient.of(connect(operator));
        baseline = connect(baselineOperator);
        for (int pair = 0; pair < options.pairs(); pair++) {
            donors.add(meter(donorIds.get(pair)));
            recipients.add(meter(recipientIds.get(pair)));
        }
        distributor = meter(distributorId);
        for (final ClientIdentity id : servedIds) {
            served.add(meter(id));
        }

        final ExecutorService setUp = Executors.newFixedThreadPool(options.setUpThreads());
        try {
            final List<ClientIdentity> meters = new ArrayList<>(donorIds);
            meters.addAll(recipientIds);
            meters.add(distributorId);
            meters.addAll(servedIds);
            final List<Future<Object>> registered = new ArrayList<>();
            for (final ClientIdentity meter : meters) {
                registered.add(setUp.submit(() -> retried(id -> dataCenter.register(id,
                        MeterRegistration.builder().meterId(meter.name()).ownerMsp(meter.mspId())
                                .certificate(certificate(meter)).model("PM-2000").limits(LIMITS)
                                // The secure-push workload seals to it, as to a PSD's key-agreement key.
                                .keyAgreementCertificate(SoftwareKeyAgreement.certificate(meter.name(), privateKey(meter)))
                                .build()))));
            }
            all(registered);
            log.accept(String.format("registered %d meters (%.1f s)", meters.size(), (System.nanoTime() - started) / 1e9));
            final List<Future<Object>> funded = new ArrayList<>();
            // The distributor's listings and allotments all read its one meter (its balance, its requester range):
            // in parallel they conflict with each other, so they run one after another, beside the pairs' set-up.
            funded.add(setUp.submit(() -> {
                retried(id -> dataCenter.refill(id, distributor.meterId(),
                        Math.max(DONOR_FUNDS, ALLOTMENT * served.size() + DONOR_FUNDS)));
                for (final MeterClient recipient : served) {
                    retried(id -> distributor.authoriseRequester(id, recipient.meterId()));
                    retried(id -> distributor.fundAllotment(id, recipient.meterId(), ALLOTMENT));
                }
                return null;
            }));
            for (int pair = 0; pair < options.pairs(); pair++) {
                final MeterClient donor = donors.get(pair);
                final MeterClient recipient = recipients.get(pair);
                funded.add(setUp.submit(() -> {
                    retried(id -> dataCenter.refill(id, donor.meterId(), DONOR_FUNDS));
                    return retried(id -> donor.authoriseRequester(id, recipient.meterId()));
                }));
            }
            all(funded);
        } finally {
            setUp.shutdownNow();
        }
        log.accept(String.format("set up %d pairs and a distributor with %d allotments in %.1f s (run %s)",
                options.pairs(), served.size(), (System.nanoTime() - started) / 1e9, run));
    }

    /**
     * {@code count} more meters with file keys, {@code bench-<role>-<i>}, MailerA and MailerB in turn (even index
     * MailerA), enrolled over the CAs' REST API and registered on {@code threads} threads; not funded.
     */
    public List<MeterClient> fileKeyMeters(final String role, final int first, final int count, final int threads,
            final Consumer<String> log) throws Exception {
        final long started = System.nanoTime();
        final List<MeterClient> meters = inParallel(threads, first, count, index -> {
            final CaEnrolment.Enrolled id = ca.enrol(index % 2 == 0 ? "MailerA" : "MailerB",
                    "bench-" + role + "-" + index + "-" + run);
            final MeterClient meter = MeterClient.builder()
                    .ledger(connect(id.mspId(), id.certificate(), Signers.newPrivateKeySigner(id.privateKey())))
                    .meterId(id.name()).psdSigner(Signers.newPrivateKeySigner(id.privateKey()))
                    .clock(Clock.systemUTC()).build();
            register(id.name(), id.mspId(), id.certificate(),
                    SoftwareKeyAgreement.certificate(id.name(), id.privateKey()));
            return meter;
        });
        log.accept(String.format("enrolled (Fabric CA REST, %d threads) and registered %d %s meters in %.1f s", threads,
                count, role, (System.nanoTime() - started) / 1e9));
        return meters;
    }

    /**
     * {@code count} meters whose keys live in the bridge's SoftHSM2 token, {@code bench-<role>-<i>}, MailerA and
     * MailerB in turn: each key pair made in the token by the operator, its CSR signed there and issued by the
     * owner's Fabric CA, the certificate imported beside the key; the meter's own TLS client certificate for the
     * bridge from the same CA ({@code tls} profile); registered with its key-agreement certificate from the token.
     * Every proposal, transaction and indicium of these meters is then signed in the token through the bridge.
     */
    public List<MeterClient> bridgeMeters(final BridgeAccess bridge, final String role, final int count,
            final int threads, final Consumer<String> log) throws Exception {
        final long started = System.nanoTime();
        ENROLMENT_LOG.setLevel(java.util.logging.Level.WARNING);
        final PsdBridgeClient operator = bridge.operator();
        bridgeClients.add(operator);
        // The token makes keys one after another: more threads than a few only queue at the bridge.
        final List<MeterClient> meters = inParallel(Math.min(threads, BRIDGE_ENROL_THREADS), 0, count, index -> {
            final String organisation = index % 2 == 0 ? "MailerA" : "MailerB";
            final String meterId = "bench-" + role + "-" + index + "-" + run;
            final NetworkDescription.Organisation org = network.organisation(organisation);
            final String secret = ca.register(organisation, meterId);
            final MeterEnrolment enrolment = new MeterEnrolment(operator,
                    new FabricCaIssuer(ca.client(organisation), meterId, secret), org.mspId());
            EnrolledMeter enrolled = null;
            for (int attempt = 1; enrolled == null; attempt++) {
                try {
                    enrolled = enrolment.enrol(MeterSubject.client(meterId, organisation));
                } catch (BridgeException slow) {
                    // A step that outlived its deadline may have run: the enrolment resumes with the key in the token.
                    if (attempt >= 3 || slow.code() != io.grpc.Status.Code.DEADLINE_EXCEEDED
                            && slow.code() != io.grpc.Status.Code.UNAVAILABLE) {
                        throw slow;
                    }
                }
            }
            final java.security.KeyPair tlsKey = CaEnrolment.newKey();
            final PsdBridgeClient own = bridge.meter(ca.enrolTls(organisation, meterId, secret, tlsKey), tlsKey.getPrivate());
            bridgeClients.add(own);
            final MeterClient meter = MeterClient.builder()
                    .ledger(connect(org.mspId(), enrolled.certificate(), own.signer(meterId)))
                    .meterId(meterId).psdSigner(own.signer(meterId)).clock(Clock.systemUTC()).build();
            register(meterId, org.mspId(), enrolled.certificate(), enrolled.keyAgreementCertificate());
            return meter;
        });
        log.accept(String.format("enrolled (%d threads) %d %s meters in the bridge's token (keys made there, CSRs signed there) and "
                + "registered them in %.1f s", Math.min(threads, BRIDGE_ENROL_THREADS), count, role, (System.nanoTime() - started) / 1e9));
        return meters;
    }

    /** Funds each donor and lists its recipient as an authorised requester, as the set-up does for the pairs. */
    public void fundPairs(final List<MeterClient> donors, final List<MeterClient> recipients, final int threads)
            throws Exception {
        inParallel(threads, 0, donors.size(), pair -> {
            retried(id -> dataCenter.refill(id, donors.get(pair).meterId(), DONOR_FUNDS));
            return retried(id -> donors.get(pair).authoriseRequester(id, recipients.get(pair).meterId()));
        });
    }

    /** Funds every meter of a ring, each listing the next one as an authorised requester (the last lists the first). */
    public void fundRing(final List<MeterClient> ring, final int threads) throws Exception {
        inParallel(threads, 0, ring.size(), index -> {
            final MeterClient meter = ring.get(index);
            retried(id -> dataCenter.refill(id, meter.meterId(), DONOR_FUNDS));
            return retried(id -> meter.authoriseRequester(id, ring.get((index + 1) % ring.size()).meterId()));
        });
    }

    /**
     * {@code transfers} settled transfers on the ledger through the benchmark chaincode's Seed contract, in calls of
     * {@link SeedFunction#MAX_TRANSFERS_PER_CALL}, spread over consecutive pairs of {@code meters} in turn.
     */
    public void seedSettledTransfers(final List<MeterClient> meters, final long transfers, final int threads,
            final Consumer<String> log) throws Exception {
        final long started = System.nanoTime();
        final int calls = (int) ((transfers + SeedFunction.MAX_TRANSFERS_PER_CALL - 1) / SeedFunction.MAX_TRANSFERS_PER_CALL);
        final int pairs = Math.max(1, meters.size() / 2);
        inParallel(threads, 0, calls, call -> {
            final long count = Math.min(SeedFunction.MAX_TRANSFERS_PER_CALL,
                    transfers - (long) call * SeedFunction.MAX_TRANSFERS_PER_CALL);
            final int pair = call % pairs;
            return retried(id -> baseline.submit(org.postalfunds.client.ledger.LedgerCall.transaction(
                    SeedFunction.SEED_SETTLED_TRANSFERS, id.value(), meters.get(2 * pair).meterId(),
                    meters.get(2 * pair + 1).meterId(), Long.toString(count))));
        });
        log.accept(String.format("seeded %d settled transfers in %d calls of at most %d in %.1f s", transfers, calls,
                SeedFunction.MAX_TRANSFERS_PER_CALL, (System.nanoTime() - started) / 1e9));
    }

    /** A view of these pairs with this consortium's baseline and data center, for the pair workloads. */
    public BenchConsortium pairs(final List<MeterClient> donors, final List<MeterClient> recipients) {
        final RealBenchConsortium all = this;
        return new BenchConsortium() {
            @Override
            public Ledger baseline() {
                return all.baseline();
            }

            @Override
            public DataCenterClient dataCenter() {
                return all.dataCenter();
            }

            @Override
            public int pairs() {
                return donors.size();
            }

            @Override
            public MeterClient donor(final int pair) {
                return donors.get(pair);
            }

            @Override
            public MeterClient recipient(final int pair) {
                return recipients.get(pair);
            }

            @Override
            public MeterClient distributor() {
                return all.distributor();
            }

            @Override
            public int distributorRecipients() {
                return all.distributorRecipients();
            }

            @Override
            public MeterClient distributorRecipient(final int index) {
                return all.distributorRecipient(index);
            }
        };
    }

    private void register(final String meterId, final String mspId, final X509Certificate certificate,
            final X509Certificate keyAgreement) throws Exception {
        retried(id -> dataCenter.register(id, MeterRegistration.builder().meterId(meterId).ownerMsp(mspId)
                .certificate(certificate).model("PM-2000").limits(LIMITS).keyAgreementCertificate(keyAgreement).build()));
    }

    /** Runs {@code step} for indices {@code first .. first+count-1} on {@code threads} threads; results in index order. */
    private static <T> List<T> inParallel(final int threads, final int first, final int count, final IndexedStep<T> step)
            throws Exception {
        final ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, count)));
        try {
            final List<Future<T>> futures = new ArrayList<>();
            for (int index = first; index < first + count; index++) {
                final int i = index;
                futures.add(pool.submit(() -> step.run(i)));
            }
            return all(futures);
        } finally {
            pool.shutdownNow();
        }
    }

    @FunctionalInterface
    private interface IndexedStep<T> {
        T run(int index) throws Exception;
    }

    private Ledger connect(final String mspId, final X509Certificate certificate,
            final org.hyperledger.fabric.client.identity.Signer signer) {
        final NetworkDescription.Organisation org = network.organisation(mspId);
        final NetworkDescription.Peer peer = org.requirePeer();
        final LedgerConnection connection = LedgerConnection.builder()
                .peerEndpoint(peer.endpoint()).serverName(peer.serverName()).tlsRootCertificate(org.tlsRootCertificate())
                .channel(network.channel()).chaincode(network.chaincodeName())
                .identity(new X509Identity(mspId, certificate)).signer(signer).retryPolicy(RetryPolicy.NONE).connect();
        connections.add(connection);
        return new TimedLedger(connection, recorder);
    }

    private ClientIdentity enrol(final String organisation, final String name) {
        return ClientIdentities.enrol(network, organisation, name + "-" + run);
    }

    /** A connection as {@code identity} through its own organisation's peer, without retries, timed. */
    private Ledger connect(final ClientIdentity identity) throws IOException, java.security.GeneralSecurityException {
        final NetworkDescription.Organisation org = network.organisation(identity.mspId());
        final NetworkDescription.Peer peer = org.requirePeer();
        final LedgerConnection connection = LedgerConnection.builder()
                .peerEndpoint(peer.endpoint()).serverName(peer.serverName()).tlsRootCertificate(org.tlsRootCertificate())
                .channel(network.channel()).chaincode(network.chaincodeName())
                .identity(new X509Identity(identity.mspId(), certificate(identity)))
                .signer(Signers.newPrivateKeySigner(privateKey(identity)))
                .retryPolicy(RetryPolicy.NONE)
                .connect();
        connections.add(connection);
        return new TimedLedger(connection, recorder);
    }

    private MeterClient meter(final ClientIdentity identity) throws IOException, java.security.GeneralSecurityException {
        return MeterClient.builder().ledger(connect(identity)).meterId(identity.name())
                .psdSigner(Signers.newPrivateKeySigner(privateKey(identity))).clock(Clock.systemUTC()).build();
    }

    /** A set-up step, repeated (the same call, so the same request id) while it fails for a passing reason. */
    private static <T> T retried(final SetUpStep<T> step) throws Exception {
        final RequestId id = RequestId.random();
        for (int attempt = 1; ; attempt++) {
            try {
                return step.call(id);
            } catch (LedgerException failure) {
                final boolean passing = failure.kind().retryable() || failure.kind() == FailureKind.REFUSED
                        && failure.errorCode().map(FailureKind.LAG_SENSITIVE_CODES::contains).orElse(false);
                if (!passing || attempt >= SET_UP_ATTEMPTS) {
                    throw failure;
                }
                Thread.sleep(ThreadLocalRandom.current().nextLong(50, 100L + Math.min(2_000, 100L * attempt)));
            }
        }
    }

    /** One set-up transaction under a request id that every repetition reuses. */
    @FunctionalInterface
    private interface SetUpStep<T> {
        T call(RequestId id) throws Exception;
    }

    private static <T> List<T> all(final List<Future<T>> futures) throws Exception {
        final List<T> results = new ArrayList<>();
        for (final Future<T> future : futures) {
            try {
                results.add(future.get(10, TimeUnit.MINUTES));
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        }
        return results;
    }

    static X509Certificate certificate(final ClientIdentity identity) throws IOException {
        try (Reader reader = Files.newBufferedReader(identity.certificate())) {
            return Identities.readX509Certificate(reader);
        } catch (java.security.cert.CertificateException e) {
            throw new IOException(e);
        }
    }

    static PrivateKey privateKey(final ClientIdentity identity) throws IOException {
        try (Reader reader = Files.newBufferedReader(identity.privateKey())) {
            return Identities.readPrivateKey(reader);
        } catch (java.security.InvalidKeyException e) {
            throw new IOException(e);
        }
    }

    @Override
    public Ledger baseline() {
        return baseline;
    }

    @Override
    public DataCenterClient dataCenter() {
        return dataCenter;
    }

    @Override
    public int pairs() {
        return donors.size();
    }

    @Override
    public MeterClient donor(final int pair) {
        return donors.get(pair);
    }

    @Override
    public MeterClient recipient(final int pair) {
        return recipients.get(pair);
    }

    @Override
    public MeterClient distributor() {
        return distributor;
    }

    @Override
    public int distributorRecipients() {
        return served.size();
    }

    @Override
    public MeterClient distributorRecipient(final int index) {
        return served.get(index);
    }

    @Override
    public void close() {
        synchronized (connections) {
            connections.forEach(LedgerConnection::close);
            connections.clear();
        }
        synchronized (bridgeClients) {
            bridgeClients.forEach(PsdBridgeClient::close);
            bridgeClients.clear();
        }
    }
}
