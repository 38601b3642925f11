package org.postalfunds.client.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.hyperledger.fabric.client.identity.Identities;
import org.hyperledger.fabric.client.identity.Signers;
import org.hyperledger.fabric.client.identity.X509Identity;
import org.postalfunds.api.model.MeterLimits;
import org.postalfunds.api.model.MeterRegistration;
import org.postalfunds.client.AuditorClient;
import org.postalfunds.client.DataCenterClient;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.SoftwareKeyAgreement;
import org.postalfunds.client.audit.AuditReport;
import org.postalfunds.client.ledger.FailureKind;
import org.postalfunds.client.ledger.LedgerConnection;
import org.postalfunds.client.ledger.RetryListener;
import org.postalfunds.client.ledger.RetryPolicy;
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
import org.postalfunds.testnetwork.ClientIdentities;
import org.postalfunds.testnetwork.NetworkDescription;

/**
 * What the real-peer tests share: identities enrolled at each organisation's Fabric CA, gateway connections over TLS
 * to a chosen organisation's peer, meters registered by the data center, the retries every connection made (by kind
 * and error code), and the postal authority's conservation audit. Close it after the test class.
 */
final class RealPeers implements AutoCloseable {
    static final MeterLimits LIMITS = new MeterLimits(1_000_000, 100_000, 500_000);

    private static final AtomicLong NEXT = new AtomicLong();

    final NetworkDescription network;
    final String run = UUID.randomUUID().toString().substring(0, 8);
    /** Every retry any connection of this fixture made: "READ_CONFLICT", "ENDORSER_BEHIND UNKNOWN_TRANSFER", ... */
    final Map<String, AtomicLong> retries = new ConcurrentHashMap<>();
    private final List<LedgerConnection> connections = new ArrayList<>();
    /** One connection per peer organisation, to read each peer's block height. */
    private final Map<String, LedgerConnection> byPeer = new ConcurrentHashMap<>();
    private DataCenterClient dataCenter;
    private AuditorClient auditor;

    RealPeers(final NetworkDescription network) {
        this.network = network;
    }

    /** A fresh client of {@code organisation}, enrolled at its CA, named uniquely for this run. */
    ClientIdentity enrol(final String organisation, final String name) {
        return ClientIdentities.enrol(network, organisation, name + "-" + run + "-" + NEXT.incrementAndGet());
    }

    /** A connection as {@code identity} through the gateway of {@code peerOrganisation}'s peer. */
    synchronized LedgerConnection connect(final String peerOrganisation, final ClientIdentity identity,
            final RetryPolicy policy) throws IOException, GeneralSecurityException {
        final NetworkDescription.Organisation org = network.organisation(peerOrganisation);
        final NetworkDescription.Peer peer = org.requirePeer();
        final RetryListener counting = (call, attempt, kind, errorCode) ->
                retries.computeIfAbsent(kind + (errorCode == null ? "" : " " + errorCode), k -> new AtomicLong())
                        .incrementAndGet();
        final LedgerConnection connection = LedgerConnection.builder()
                .peerEndpoint(peer.endpoint()).serverName(peer.serverName()).tlsRootCertificate(org.tlsRootCertificate())
                .channel(network.channel()).chaincode(network.chaincodeName())
                .identity(new X509Identity(identity.mspId(), certificate(identity)))
                .signer(Signers.newPrivateKeySigner(privateKey(identity)))
                .retryPolicy(policy).retryListener(counting)
                .connect();
        connections.add(connection);
        byPeer.putIfAbsent(peerOrganisation, connection);
        return connection;
    }

    /**
     * Waits (at most {@code limit}) until every peer this fixture talks to has the highest block any of them has: the
     * Gateway reports a commit once the submitter's own peer has it, and another organisation's peer can still be a
     * block behind (a set-up's last authorisation not yet there for the first request through another peer).
     */
    void awaitPeersInStep(final java.time.Duration limit) throws Exception {
        final long until = System.nanoTime() + limit.toNanos();
        while (true) {
            long lowest = Long.MAX_VALUE;
            long highest = 0;
            for (final LedgerConnection c : byPeer.values()) {
                final long height = c.blockHeight();
                lowest = Math.min(lowest, height);
                highest = Math.max(highest, height);
            }
            if (lowest >= highest) {
                return;
            }
            if (System.nanoTime() > until) {
                throw new AssertionError("the peers are not at one height within " + limit + ": " + lowest + " to "
                        + highest);
            }
            Thread.sleep(100);
        }
    }

    /** Through the identity's own organisation's peer, with the default retry policy. */
    LedgerConnection connect(final String organisation, final ClientIdentity identity)
            throws IOException, GeneralSecurityException {
        return connect(organisation, identity, RetryPolicy.DEFAULT);
    }

    /**
     * A meter whose key is made in the HSM bridge's token and never leaves it: registered at its owner's Fabric CA,
     * enrolled with a CSR signed in the token (the certificate stored beside the key), registered on the ledger by the
     * data center with its key-agreement certificate, refilled when funds are given.
     */
    EnrolledMeter bridgedMeter(final String organisation, final String name, final long funds,
            final PsdBridgeClient operatorBridge) throws Exception {
        final NetworkDescription.Organisation org = network.organisation(organisation);
        final NetworkDescription.CertificateAuthority ca = org.ca();
        final String meterId = name + "-" + run + "-" + NEXT.incrementAndGet();
        final FabricCaClient client = FabricCaClient.newBuilder()
                .url(ca.url()).tlsRootCertificates(ca.tlsCertificate()).caName(ca.name()).build();
        final Path registrarKey;
        try (java.util.stream.Stream<Path> keys = Files.list(ca.registrarHome().resolve("msp/keystore"))) {
            registrarKey = keys.filter(p -> p.getFileName().toString().endsWith("_sk")).findFirst().orElseThrow();
        }
        final String secret = UUID.randomUUID().toString().replace("-", "");
        client.register(FabricCaRegistrar.fromPemFiles(
                ca.registrarHome().resolve("msp/signcerts/cert.pem"), registrarKey), meterId, secret, "client");
        final EnrolledMeter enrolled = new MeterEnrolment(operatorBridge,
                new FabricCaIssuer(client, meterId, secret), org.mspId())
                .enrol(MeterSubject.client(meterId, org.name()));
        dataCenter().register(RequestId.random(), MeterRegistration.builder().meterId(meterId).ownerMsp(org.mspId())
                .certificate(enrolled.certificate()).model("PM-2000").limits(LIMITS)
                .keyAgreementCertificate(enrolled.keyAgreementCertificate()).build());
        if (funds > 0) {
            dataCenter().refill(RequestId.random(), meterId, funds);
        }
        return enrolled;
    }

    /** The bridged meter's client through {@code peerOrganisation}'s gateway: every proposal and PSD signature made in the token. */
    MeterClient bridgedMeter(final String peerOrganisation, final EnrolledMeter meter,
            final PsdBridgeClient meterBridge) throws IOException {
        final NetworkDescription.Organisation org = network.organisation(peerOrganisation);
        final NetworkDescription.Peer peer = org.requirePeer();
        final LedgerConnection connection = LedgerConnection.builder()
                .peerEndpoint(peer.endpoint()).serverName(peer.serverName()).tlsRootCertificate(org.tlsRootCertificate())
                .channel(network.channel()).chaincode(network.chaincodeName())
                .identity(meter.identity()).signer(meterBridge.signer(meter.meterId()))
                .retryPolicy(RetryPolicy.DEFAULT).connect();
        synchronized (this) {
            connections.add(connection);
        }
        return MeterClient.builder().ledger(connection).meterId(meter.meterId())
                .psdSigner(meterBridge.signer(meter.meterId())).clock(Clock.systemUTC()).build();
    }

    MeterClient meter(final String organisation, final ClientIdentity meter) throws IOException, GeneralSecurityException {
        return MeterClient.builder().ledger(connect(organisation, meter)).meterId(meter.name())
                .psdSigner(Signers.newPrivateKeySigner(privateKey(meter))).clock(Clock.systemUTC()).build();
    }

    synchronized DataCenterClient dataCenter() throws IOException, GeneralSecurityException {
        if (dataCenter == null) {
            dataCenter = DataCenterClient.of(connect("DataCenter", enrol("DataCenter", "operator")));
        }
        return dataCenter;
    }

    synchronized AuditorClient auditor() throws IOException, GeneralSecurityException {
        if (auditor == null) {
            auditor = AuditorClient.of(connect("PostalAuthority", enrol("PostalAuthority", "auditor")));
        }
        return auditor;
    }

    /** Enrols a meter at its owner's CA and has the data center register it (and refill it, when funds > 0). */
    ClientIdentity registeredMeter(final String organisation, final String name, final long funds) throws Exception {
        final ClientIdentity meter = enrol(organisation, name);
        dataCenter().register(RequestId.random(), MeterRegistration.builder().meterId(meter.name())
                .ownerMsp(meter.mspId()).certificate(certificate(meter)).model("PM-2000").limits(LIMITS)
                .keyAgreementCertificate(SoftwareKeyAgreement.certificate(meter.name(), privateKey(meter))).build());
        if (funds > 0) {
            dataCenter().refill(RequestId.random(), meter.name(), funds);
        }
        return meter;
    }

    /** The postal authority's audit, through its own peer: every check passes. */
    AuditReport auditPasses() throws Exception {
        final AuditReport audit = auditor().audit(progress -> { });
        assertThat(audit.passed()).as("conservation audit on the real ledger: %s", audit.checks()).isTrue();
        return audit;
    }

    long retriesOf(final FailureKind kind) {
        return retries.entrySet().stream().filter(e -> e.getKey().startsWith(kind.name()))
                .mapToLong(e -> e.getValue().get()).sum();
    }

    /** {@code ledger} with every call endorsed by exactly these organisations' peers (the gateway's own choice overridden). */
    static org.postalfunds.client.ledger.Ledger endorsedBy(final org.postalfunds.client.ledger.Ledger ledger,
            final String... mspIds) {
        return new org.postalfunds.client.ledger.Ledger() {
            @Override
            public byte[] submit(final org.postalfunds.client.ledger.LedgerCall call)
                    throws org.postalfunds.client.ledger.LedgerException {
                return ledger.submit(call.withEndorsingOrganizations(mspIds));
            }

            @Override
            public byte[] evaluate(final org.postalfunds.client.ledger.LedgerCall call)
                    throws org.postalfunds.client.ledger.LedgerException {
                return ledger.evaluate(call.withEndorsingOrganizations(mspIds));
            }

            @Override
            public org.postalfunds.client.ledger.EventFeed follow(final org.hyperledger.fabric.client.Checkpoint after)
                    throws org.postalfunds.client.ledger.LedgerException {
                return ledger.follow(after);
            }

            @Override
            public org.postalfunds.client.ledger.EventFeed replay() throws org.postalfunds.client.ledger.LedgerException {
                return ledger.replay();
            }

            @Override
            public org.postalfunds.client.ledger.BlockFeed blocks() throws org.postalfunds.client.ledger.LedgerException {
                return ledger.blocks();
            }
        };
    }

    /** The meter's PSD side of unsealing, here with a software key-agreement key (the bridge opens it beside a token). */
    static RecipientPsd psd(final ClientIdentity meter) {
        return SoftwareKeyAgreement.recipient(meter.name());
    }

    static X509Certificate certificate(final ClientIdentity identity) throws IOException {
        try (Reader reader = Files.newBufferedReader(identity.certificate())) {
            return Identities.readX509Certificate(reader);
        } catch (java.security.cert.CertificateException e) {
            throw new IOException(e);
        }
    }

    static PrivateKey privateKey(final ClientIdentity identity) throws IOException {
        final Path file = identity.privateKey();
        try (Reader reader = Files.newBufferedReader(file)) {
            return Identities.readPrivateKey(reader);
        } catch (java.security.InvalidKeyException e) {
            throw new IOException(e);
        }
    }

    @Override
    public synchronized void close() {
        connections.forEach(LedgerConnection::close);
        connections.clear();
    }
}
