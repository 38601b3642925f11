package org.postalfunds.client.faults;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import org.hyperledger.fabric.client.identity.Identities;
import org.hyperledger.fabric.client.identity.Signer;
import org.hyperledger.fabric.client.identity.Signers;
import org.hyperledger.fabric.client.identity.X509Identity;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.journal.FlowJournal;
import org.postalfunds.client.journal.Flows;
import org.postalfunds.client.ledger.LedgerConnection;
import org.postalfunds.client.ledger.RetryListener;
import org.postalfunds.client.ledger.RetryPolicy;
import org.postalfunds.hsm.client.PsdBridgeClient;

/**
 * A meter of the crash harness as any of its clients opens it, in the test's JVM or in a client process: its name,
 * owner, certificate, how it signs (a private key file, or the HSM bridge's token: then {@code privateKey} is null and
 * {@code bridge} says how to reach it) and its journal file. Written to and read from properties, so that a client
 * process is told about its meters in a file.
 */
record CrashMeter(String name, String organisation, String mspId, Path certificate, Path privateKey,
        BridgeProcess.Access bridge, Path journal) {

    boolean bridged() {
        return bridge != null;
    }

    /** A running client of this meter: its gateway connection, its bridge connection if any, its journalled flows. */
    record Session(LedgerConnection connection, PsdBridgeClient bridgeClient, Flows flows) implements AutoCloseable {
        @Override
        public void close() {
            connection.close();
            if (bridgeClient != null) {
                bridgeClient.close();
            }
        }
    }

    /** Connects through the meter's owner's peer, signing with its key file or through the bridge; opens its journal. */
    Session open(final LiveNetwork net, final RetryPolicy policy, final Duration commitWait, final RetryListener listener)
            throws Exception {
        final PsdBridgeClient bridgeClient = bridged() ? bridge.connect() : null;
        try {
            final Signer signer = bridged() ? bridgeClient.signer(name)
                    : Signers.newPrivateKeySigner(readKey(privateKey));
            final LedgerConnection connection = net.open(organisation, new X509Identity(mspId, readCertificate(certificate)),
                    signer, policy, commitWait, listener);
            final MeterClient meter = MeterClient.builder().ledger(connection).meterId(name).psdSigner(signer)
                    .clock(Clock.systemUTC()).build();
            return new Session(connection, bridgeClient, new Flows(meter, FlowJournal.open(journal, name), Clock.systemUTC()));
        } catch (Exception | Error e) {
            if (bridgeClient != null) {
                bridgeClient.close();
            }
            throw e;
        }
    }

    void write(final Properties out, final String prefix) {
        out.setProperty(prefix + "name", name);
        out.setProperty(prefix + "organisation", organisation);
        out.setProperty(prefix + "mspId", mspId);
        out.setProperty(prefix + "certificate", certificate.toString());
        out.setProperty(prefix + "journal", journal.toString());
        if (bridged()) {
            out.setProperty(prefix + "bridge.port", Integer.toString(bridge.port()));
            out.setProperty(prefix + "bridge.ca", bridge.caFile().toString());
            out.setProperty(prefix + "bridge.certificate", bridge.clientCertificate().toString());
            out.setProperty(prefix + "bridge.key", bridge.clientKey().toString());
        } else {
            out.setProperty(prefix + "privateKey", privateKey.toString());
        }
    }

    static CrashMeter read(final Properties in, final String prefix) {
        final String port = in.getProperty(prefix + "bridge.port");
        final BridgeProcess.Access bridge = port == null ? null : new BridgeProcess.Access(Integer.parseInt(port),
                Path.of(in.getProperty(prefix + "bridge.ca")), Path.of(in.getProperty(prefix + "bridge.certificate")),
                Path.of(in.getProperty(prefix + "bridge.key")));
        final String key = in.getProperty(prefix + "privateKey");
        return new CrashMeter(in.getProperty(prefix + "name"), in.getProperty(prefix + "organisation"),
                in.getProperty(prefix + "mspId"), Path.of(in.getProperty(prefix + "certificate")),
                key == null ? null : Path.of(key), bridge, Path.of(in.getProperty(prefix + "journal")));
    }

    private static X509Certificate readCertificate(final Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file)) {
            return Identities.readX509Certificate(reader);
        } catch (java.security.cert.CertificateException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static java.security.PrivateKey readKey(final Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file)) {
            return Identities.readPrivateKey(reader);
        } catch (java.security.InvalidKeyException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }
}
