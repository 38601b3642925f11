package org.postalfunds.client.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.hyperledger.fabric.client.identity.Identities;
import org.hyperledger.fabric.client.identity.Signer;
import org.hyperledger.fabric.client.identity.Signers;
import org.hyperledger.fabric.client.identity.X509Identity;
import org.postalfunds.client.AuditorClient;
import org.postalfunds.client.DataCenterClient;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.SoftwareKeyAgreement;
import org.postalfunds.client.audit.AuditReport;
import org.postalfunds.client.audit.ChainReport;
import org.postalfunds.client.ledger.LedgerConnection;
import org.postalfunds.client.ledger.RetryListener;
import org.postalfunds.client.ledger.RetryPolicy;
import org.postalfunds.api.model.MeterKind;
import org.postalfunds.api.model.MeterLimits;
import org.postalfunds.api.model.MeterRegistration;
import org.postalfunds.client.secure.RecipientPsd;
import org.postalfunds.hsm.MeterSubject;
import org.postalfunds.hsm.client.PsdBridgeClient;
import org.postalfunds.hsm.enrol.EnrolledMeter;
import org.postalfunds.hsm.enrol.FabricCaClient;
import org.postalfunds.hsm.enrol.FabricCaIssuer;
import org.postalfunds.hsm.enrol.FabricCaRegistrar;
import org.postalfunds.hsm.enrol.MeterEnrolment;
import org.postalfunds.testnetwork.ClientIdentities;
import org.postalfunds.testnetwork.ClientIdentities.ClientIdentity;
import org.postalfunds.testnetwork.NetworkDescription;

/**
 * The scenario, concurrency and crash tests' view of the real network: identities from each organisation's Fabric CA
 * (file keys), gateway connections through a chosen organisation's peer, meters registered and refilled by the data
 * center, every retry counted by kind and error code, and the auditor's checks from the ledger alone (conservation
 * audit, chain verification). Close it after the test class.
 */
public final class LiveNetwork implements AutoCloseable {
    public static final MeterLimits LIMITS = new MeterLimits(10_000_000, 100_000, 1_000_000);
    private static final AtomicLong NEXT = new AtomicLong();

    public final NetworkDescription network;
    public final String run = UUID.randomUUID().toString().substring(0, 6);
    /** Every retry made by a connection of this fixture: "READ_CONFLICT", "ENDORSER_BEHIND UNKNOWN_TRANSFER", ... */
    public final Map<String, AtomicLong> retries = new ConcurrentHashMap<>();
    private final List<LedgerConnection> connections = new ArrayList<>();
    /** With {@link #signingThroughBridge}: the operator's bridge client, and a bridge client per meter (its own TLS certificate). */
    private PsdBridgeClient operatorBridge;
    private java.util.function.Function<String, PsdBridgeClient> meterBridge;
    private final Map<String, PsdBridgeClient> meterBridges = new ConcurrentHashMap<>();
    private DataCenterClient dataCenter;
    private ClientIdentity dataCenterIdentity;
    private AuditorClient auditor;

    public LiveNetwork(final NetworkDescription network) {
        this.network = network;
    }

    /**
     * From now on {@link #registeredMeter} creates each meter's key in the HSM bridge's token (through {@code operator})
     * and its clients sign proposals, transactions and indicia, and agree keys, through the bridge as that meter
     * ({@code meterBridge}: a bridge client with the meter's own TLS certificate; closed with this fixture). Such a
     * meter's identity has no private key file.
     */
    public LiveNetwork signingThroughBridge(final PsdBridgeClient operator,
            final java.util.function.Function<String, PsdBridgeClient> meterBridge) {
        this.operatorBridge = operator;
        this.meterBridge = meterBridge;
        return this;
    }

    private PsdBridgeClient bridgeOf(final ClientIdentity meter) {
        return meterBridges.computeIfAbsent(meter.name(), meterBridge);
    }

    /** How the identity signs: its private key file, or (a meter without one) the bridge as that meter. */
    public Signer signerOf(final ClientIdentity identity) throws IOException {
        return identity.privateKey() == null ? bridgeOf(identity).signer(identity.name()) : signer(identity);
    }

    /** The meter's key agreement for secure information: its private key, or its key in the bridge's token. */
    public RecipientPsd psdOf(final ClientIdentity meter) throws IOException {
        return meter.privateKey() == null ? RecipientPsd.throughBridge(bridgeOf(meter), meter.name()) : psd(meter);
    }

    public ClientIdentity enrol(final String organisation, final String name) {
        return ClientIdentities.enrol(network, organisation, name + "-" + run + "-" + NEXT.incrementAndGet());
    }

    public RetryListener counting() {
        return (call, attempt, kind, errorCode) ->
                retries.computeIfAbsent(kind + (errorCode == null ? "" : " " + errorCode), k -> new AtomicLong())
                        .incrementAndGet();
    }

    /** A connection not tracked by the fixture (the caller closes it): for clients that are killed and rebuilt. */
    public LedgerConnection open(final String peerOrganisation, final ClientIdentity identity, final RetryPolicy policy,
            final Duration commitWait) throws IOException {
        final NetworkDescription.Organisation org = network.organisation(peerOrganisation);
        final NetworkDescription.Peer peer = org.requirePeer();
        return LedgerConnection.builder()
                .peerEndpoint(peer.endpoint()).serverName(peer.serverName()).tlsRootCertificate(org.tlsRootCertificate())
                .channel(network.channel()).chaincode(network.chaincodeName())
                .identity(new X509Identity(identity.mspId(), certificate(identity)))
                .signer(signerOf(identity))
                .retryPolicy(policy).retryListener(counting())
                .timeouts(Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofSeconds(5), commitWait)
                .connect();
    }

    /**
     * A connection not tracked by the fixture with the given identity and signer (e.g. the HSM bridge's) and retry
     * listener (a client process reports its retries to its parent through it).
     */
    public LedgerConnection open(final String peerOrganisation, final X509Identity identity, final Signer signer,
            final RetryPolicy policy, final Duration commitWait, final RetryListener listener) throws IOException {
        final NetworkDescription.Organisation org = network.organisation(peerOrganisation);
        final NetworkDescription.Peer peer = org.requirePeer();
        return LedgerConnection.builder()
                .peerEndpoint(peer.endpoint()).serverName(peer.serverName()).tlsRootCertificate(org.tlsRootCertificate())
                .channel(network.channel()).chaincode(network.chaincodeName())
                .identity(identity).signer(signer)
                .retryPolicy(policy).retryListener(listener)
                .timeouts(Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofSeconds(5), commitWait)
                .connect();
    }

    /**
     * A meter whose key is created in the HSM bridge's token and never leaves it: registered at its owner's Fabric CA
     * as a client identity, enrolled with a CSR signed in the token (the certificate stored beside the key), then
     * registered on the ledger by the data center and refilled when funds are given.
     */
    public EnrolledMeter bridgedMeter(final String organisation, final String name, final long funds,
            final PsdBridgeClient operatorBridge) throws Exception {
        final EnrolledMeter enrolled = enrolInBridge(organisation, name, operatorBridge);
        register(enrolled.meterId(), enrolled.identity().getMspId(), enrolled.certificate(),
                enrolled.keyAgreementCertificate(), funds, MeterKind.POSTAL_METER);
        return enrolled;
    }

    private EnrolledMeter enrolInBridge(final String organisation, final String name, final PsdBridgeClient operatorBridge)
            throws Exception {
        final NetworkDescription.Organisation org = network.organisation(organisation);
        final NetworkDescription.CertificateAuthority ca = org.ca();
        final String meterId = name + "-" + run + "-" + NEXT.incrementAndGet();
        final FabricCaClient client = FabricCaClient.newBuilder().url(ca.url()).tlsRootCertificates(ca.tlsCertificate())
                .caName(ca.name()).build();
        final Path registrarKey;
        try (java.util.stream.Stream<Path> keys = Files.list(ca.registrarHome().resolve("msp/keystore"))) {
            registrarKey = keys.filter(p -> p.getFileName().toString().endsWith("_sk")).findFirst().orElseThrow();
        }
        final FabricCaRegistrar registrar = FabricCaRegistrar.fromPemFiles(
                ca.registrarHome().resolve("msp/signcerts/cert.pem"), registrarKey);
        final String secret = UUID.randomUUID().toString().replace("-", "");
        client.register(registrar, meterId, secret, "client");
        return new MeterEnrolment(operatorBridge, new FabricCaIssuer(client, meterId, secret), org.mspId())
                .enrol(MeterSubject.client(meterId, org.name()));
    }

    private void register(final String meterId, final String mspId, final X509Certificate certificate,
            final X509Certificate keyAgreementCertificate, final long funds, final MeterKind kind) throws Exception {
        dataCenter().register(RequestId.random(), MeterRegistration.builder().meterId(meterId)
                .ownerMsp(mspId).certificate(certificate).model("PM-2000").kind(kind).limits(LIMITS)
                .keyAgreementCertificate(keyAgreementCertificate).build());
        if (funds > 0) {
            dataCenter().refill(RequestId.random(), meterId, funds);
        }
    }

    public synchronized LedgerConnection connect(final String peerOrganisation, final ClientIdentity identity)
            throws IOException {
        final LedgerConnection connection = open(peerOrganisation, identity, RetryPolicy.DEFAULT, Duration.ofSeconds(10));
        connections.add(connection);
        byPeer.putIfAbsent(peerOrganisation, connection);
        return connection;
    }

    private final Map<String, LedgerConnection> byPeer = new ConcurrentHashMap<>();

    /**
     * Waits (at most {@code limit}) until the postal authority's peer has every block the other peers this fixture
     * talks to have: the Gateway reports a commit once the submitter's own peer has it, and the auditor reads
     * through its own peer, which can be a block behind.
     */
    public void awaitPeersInStep(final Duration limit) throws Exception {
        auditor();
        final LedgerConnection authority = byPeer.get("PostalAuthority");
        final long until = System.nanoTime() + limit.toNanos();
        while (true) {
            long highest = 0;
            for (final LedgerConnection c : byPeer.values()) {
                highest = Math.max(highest, c.blockHeight());
            }
            if (authority.blockHeight() >= highest || System.nanoTime() > until) {
                return;
            }
            Thread.sleep(100);
        }
    }

    public MeterClient meter(final ClientIdentity meter) throws IOException {
        return meterOn(connect(organisationOf(meter), meter), meter);
    }

    /** The meter's client on the given ledger, its indicia signed as the meter signs (key file or bridge). */
    public MeterClient meterOn(final org.postalfunds.client.ledger.Ledger ledger, final ClientIdentity meter)
            throws IOException {
        return MeterClient.builder().ledger(ledger).meterId(meter.name()).psdSigner(signerOf(meter))
                .clock(Clock.systemUTC()).build();
    }

    public static MeterClient meter(final org.postalfunds.client.ledger.Ledger ledger, final ClientIdentity meter)
            throws IOException {
        return MeterClient.builder().ledger(ledger).meterId(meter.name()).psdSigner(signer(meter))
                .clock(Clock.systemUTC()).build();
    }

    public String organisationOf(final ClientIdentity identity) {
        return network.organisation(identity.mspId()).name();
    }

    public synchronized DataCenterClient dataCenter() throws IOException {
        if (dataCenter == null) {
            dataCenterIdentity = enrol("DataCenter", "operator");
            dataCenter = DataCenterClient.of(connect("DataCenter", dataCenterIdentity));
        }
        return dataCenter;
    }

    /** The data center operator's signer, for the packages it seals (downloads). */
    public synchronized Signer dataCenterSigner() throws IOException {
        dataCenter();
        return signer(dataCenterIdentity);
    }

    public synchronized AuditorClient auditor() throws IOException {
        if (auditor == null) {
            auditor = AuditorClient.of(connect("PostalAuthority", enrol("PostalAuthority", "auditor")));
        }
        return auditor;
    }

    public ClientIdentity registeredMeter(final String organisation, final String name, final long funds) throws Exception {
        return registeredMeter(organisation, name, funds, MeterKind.POSTAL_METER);
    }

    /** Enrols a meter at its owner's CA; the data center registers it (and refills it when funds > 0). */
    public ClientIdentity registeredMeter(final String organisation, final String name, final long funds,
            final MeterKind kind) throws Exception {
        if (operatorBridge != null) {
            final EnrolledMeter enrolled = enrolInBridge(organisation, name, operatorBridge);
            register(enrolled.meterId(), enrolled.identity().getMspId(), enrolled.certificate(),
                enrolled.keyAgreementCertificate(), funds, kind);
            final Path certificate = Files.createTempFile("bridged-" + enrolled.meterId(), ".pem");
            Files.writeString(certificate, Identities.toPemString(enrolled.certificate()));
            return new ClientIdentity(enrolled.meterId(), enrolled.identity().getMspId(), certificate, null);
        }
        final ClientIdentity meter = enrol(organisation, name);
        register(meter.name(), meter.mspId(), certificate(meter),
                SoftwareKeyAgreement.certificate(meter.name(), privateKey(meter)), funds, kind);
        return meter;
    }

    /** The postal authority's conservation audit from the ledger alone: every check passes. */
    public AuditReport auditPasses() throws Exception {
        awaitPeersInStep(Duration.ofSeconds(10));
        final AuditReport audit = auditor().audit(progress -> { });
        assertThat(audit.passed()).as("conservation audit on the real ledger: %s", audit.checks()).isTrue();
        return audit;
    }

    /** The chain verified block by block from the blocks the peer serves; every valid transaction endorsed by DataCenterMSP. */
    public ChainReport chainVerifies() throws Exception {
        final ChainReport chain = auditor().verifyChain(network.chaincodeName(), Set.of("DataCenterMSP"), progress -> { });
        assertThat(chain.passed()).as("chain verification: %s", chain.checks()).isTrue();
        return chain;
    }

    public Map<String, Long> retriesSnapshot() {
        final Map<String, Long> copy = new TreeMap<>();
        retries.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    /** The meter's PSD side of unsealing, here with a software key-agreement key (the bridge opens it beside a token). */
    public static RecipientPsd psd(final ClientIdentity meter) {
        return SoftwareKeyAgreement.recipient(meter.name());
    }

    public static Signer signer(final ClientIdentity identity) throws IOException {
        return Signers.newPrivateKeySigner(privateKey(identity));
    }

    public static X509Certificate certificate(final ClientIdentity identity) throws IOException {
        try (Reader reader = Files.newBufferedReader(identity.certificate())) {
            return Identities.readX509Certificate(reader);
        } catch (java.security.cert.CertificateException e) {
            throw new IOException(e);
        }
    }

    public static PrivateKey privateKey(final ClientIdentity identity) throws IOException {
        try (Reader reader = Files.newBufferedReader(identity.privateKey())) {
            return Identities.readPrivateKey(reader);
        } catch (java.security.InvalidKeyException e) {
            throw new IOException(e);
        }
    }

    @Override
    public synchronized void close() {
        connections.forEach(LedgerConnection::close);
        connections.clear();
        meterBridges.values().forEach(PsdBridgeClient::close);
        meterBridges.clear();
    }

}
