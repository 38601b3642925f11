package org.postalfunds.console;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.postalfunds.api.model.Indicium;
import org.postalfunds.chaincode.fake.TestIdentity;
import org.postalfunds.client.Consortium;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.indicium.DataMatrixCodec;
import org.postalfunds.client.indicium.Indicia;
import org.postalfunds.client.model.Postage;
import org.postalfunds.client.model.PrintedPostage;

/**
 * The console against the real contract in-process: the consortium's four organisations, each with its own
 * identity and connection, a busy little ledger (refills, a printed piece, a settled pull, an open grant),
 * users of every role, and the server on an ephemeral port over TLS with a throwaway certificate.
 */
final class ConsoleFixture implements AutoCloseable {
    static final String PASSWORD = "correct horse battery staple";

    final Consortium consortium = new Consortium();
    final TestIdentity mailerBOperator = TestIdentity.p256(Consortium.MAILER_B, "mailer-b-operator");
    final MeterClient a1;
    final MeterClient a2;
    final MeterClient b1;
    final PrintedPostage printed;
    final String settledPull;
    final String openGrant;
    final TlsMaterial tls;
    /** Each organisation's connection, counting its replays. */
    final Map<String, CountingLedger> ledgers;
    final ConsoleServer server;
    final Path directory;

    ConsoleFixture() throws Exception {
        directory = Files.createTempDirectory("console-test");
        a1 = consortium.fundedMeter("meter-A1", Consortium.MAILER_A, 5_000);
        a2 = consortium.registerMeter("meter-A2", Consortium.MAILER_A);
        b1 = consortium.fundedMeter("meter-B1", Consortium.MAILER_B, 20_000);
        printed = a1.printPostage(RequestId.random(), new Postage(85, "10115", "DE", "LETTER-STD"));
        b1.authoriseRequester(RequestId.random(), "meter-A1");
        settledPull = a1.request(RequestId.random(), "meter-B1", 1_000, inHours(24)).transferId();
        b1.grant(RequestId.random(), settledPull, inHours(48));
        a1.accept(RequestId.random(), settledPull);
        openGrant = a1.request(RequestId.random(), "meter-B1", 250, inHours(24)).transferId();
        b1.grant(RequestId.random(), openGrant, inHours(72));

        Path users = directory.resolve("users.json");
        UserStore.addUser(users, "olivia", Consortium.DATA_CENTER, Role.OPERATOR, PASSWORD, 1_000);
        UserStore.addUser(users, "arthur", Consortium.POSTAL_AUTHORITY, Role.AUDITOR, PASSWORD, 1_000);
        UserStore.addUser(users, "anna", Consortium.MAILER_A, Role.MAILER, PASSWORD, 1_000);
        UserStore.addUser(users, "bert", Consortium.MAILER_B, Role.MAILER, PASSWORD, 1_000);
        UserStore.addUser(users, "locky", Consortium.MAILER_B, Role.MAILER, PASSWORD, 1_000);
        // A role the users file gives to the wrong organisation: refused at login by the ledger's consortium record.
        UserStore.addUser(users, "eve", Consortium.MAILER_A, Role.AUDITOR, PASSWORD, 1_000);
        tls = TlsMaterial.selfSigned(directory.resolve("tls"));
        ledgers = Map.of(
                Consortium.DATA_CENTER, new CountingLedger(consortium.connect(consortium.dataCenterIdentity)),
                Consortium.POSTAL_AUTHORITY, new CountingLedger(consortium.connect(consortium.auditorIdentity)),
                Consortium.MAILER_A, new CountingLedger(consortium.connect(consortium.mailerAOperator)),
                Consortium.MAILER_B, new CountingLedger(consortium.connect(mailerBOperator)));
        server = ConsoleServer.start(ConsoleServer.Settings.defaults().withPort(0), Map.copyOf(ledgers),
                UserStore.load(users), tls, consortium.clock());
    }

    /**
     * Waits (bounded) until every organisation's follower has applied the ledger's last event, so a page shows
     * what was committed before this call.
     */
    void awaitFollowersCaughtUp() throws InterruptedException {
        var events = consortium.network.events();
        long lastBlock = events.isEmpty() ? -1 : events.get(events.size() - 1).blockNumber();
        for (String msp : ledgers.keySet()) {
            if (!server.follower(msp).awaitBlock(lastBlock, Duration.ofSeconds(20))) {
                throw new AssertionError("the follower of " + msp + " did not reach block " + lastBlock + " in 20 s");
            }
        }
    }

    Instant inHours(final long hours) {
        return consortium.clock().instant().plus(Duration.ofHours(hours));
    }

    String base() {
        return "https://127.0.0.1:" + server.port();
    }

    SSLContext trustingConsole() throws GeneralSecurityException, IOException {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(tls.trustStore());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    /** The Data Matrix PNG print-postage wrote for the printed piece. */
    byte[] genuinePng() {
        return DataMatrixCodec.encodePng(Indicia.toJson(printed.record().indicium()));
    }

    /** The same piece with its amount raised and the PSD signature kept: an altered indicium. */
    byte[] tamperedPng() {
        Indicium genuine = printed.record().indicium();
        Indicium altered = new Indicium(genuine.meterId(), genuine.pieceNumber(), genuine.amountMinorUnits() + 1_000,
                genuine.mailingDate(), genuine.destinationPostalCode(), genuine.destinationCountryCode(),
                genuine.rateCode(), genuine.signature());
        return DataMatrixCodec.encodePng(Indicia.toJson(altered));
    }

    @Override
    public void close() throws IOException {
        server.close();
        try (var files = Files.walk(directory)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
