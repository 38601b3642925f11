package org.postalfunds.console;

import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.postalfunds.client.cli.GatewayConnector;
import org.postalfunds.client.cli.Profile;
import org.postalfunds.client.cli.Session;
import org.postalfunds.client.ledger.Ledger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code java -jar postal-console.jar serve --config console.json} and {@code add-user}. */
@Command(name = "postal-console", mixinStandardHelpOptions = true, version = "postal-console 0.1.0",
        description = "The auditor and operator web console of the postal funds ledger.",
        subcommands = {ConsoleMain.Serve.class, ConsoleMain.AddUser.class})
public final class ConsoleMain {
    public static void main(final String[] args) {
        System.exit(new CommandLine(new ConsoleMain()).execute(args));
    }

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Start the console over HTTPS with the organisations' ledger connections from their profiles.")
    static final class Serve implements Callable<Integer> {
        @Option(names = "--config", required = true, paramLabel = "FILE", description = "the console's configuration (JSON)")
        Path config;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
            ConsoleConfig settings = ConsoleConfig.load(config);
            UserStore users = UserStore.load(settings.usersFile());
            if (users.isEmpty()) {
                out.println("no users in " + settings.usersFile() + ": add one with `add-user` first");
                return 2;
            }
            Running running = start(settings, users);
            ConsoleServer server = running.server();
            TlsMaterial tls = running.tls();
            Map<String, Ledger> ledgers = running.ledgers();
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                running.close();
                stopped.countDown();
            }));
            out.println("postal console on https://" + (settings.host().contains(":") ? "[" + settings.host() + "]"
                    : settings.host()) + ":" + server.port() + "/ for " + ledgers.keySet());
            out.println("TLS certificate SHA-256 fingerprint: " + tls.fingerprint());
            stopped.await();
            return 0;
        }
    }

    /** The server and the organisations' gateway sessions it reads through; closing it closes both. */
    record Running(ConsoleServer server, TlsMaterial tls, Map<String, Ledger> ledgers, List<Session> sessions)
            implements AutoCloseable {
        @Override
        public void close() {
            server.close();
            sessions.forEach(session -> {
                try {
                    session.close();
                } catch (Exception e) {
                    // closing anyway
                }
            });
        }
    }

    /**
     * What {@code serve} starts: one gateway session per organisation from its profile (checked to be of that MSP),
     * the TLS material, the server. Tests on the real network start the console this way.
     */
    static Running start(final ConsoleConfig settings, final UserStore users) throws Exception {
        TlsMaterial tls = settings.tlsCertificate() != null
                ? TlsMaterial.fromPem(settings.tlsCertificate(), settings.tlsPrivateKey())
                : TlsMaterial.selfSigned(settings.generatedTlsDirectory());
        List<Session> sessions = new ArrayList<>();
        Map<String, Ledger> ledgers = new LinkedHashMap<>();
        GatewayConnector connector = new GatewayConnector();
        try {
            for (Map.Entry<String, Path> organisation : settings.organisations().entrySet()) {
                Profile profile = Profile.load(organisation.getValue());
                if (!profile.mspId().equals(organisation.getKey())) {
                    throw new IllegalArgumentException(organisation.getValue() + " is a profile of " + profile.mspId()
                            + ", not of " + organisation.getKey());
                }
                Session session = connector.open(profile);
                sessions.add(session);
                ledgers.put(organisation.getKey(), session.ledger());
            }
            ConsoleServer server = ConsoleServer.start(settings.settings(), ledgers, users, tls, Clock.systemUTC());
            return new Running(server, tls, java.util.Collections.unmodifiableMap(ledgers), List.copyOf(sessions));
        } catch (Exception | Error e) {
            for (Session session : sessions) {
                try {
                    session.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    @Command(name = "add-user", mixinStandardHelpOptions = true,
            description = "Add (or replace) a console user. The password is read from the console or standard input, "
                    + "or generated and printed once with --generate.")
    static final class AddUser implements Callable<Integer> {
        @Option(names = "--users", required = true, paramLabel = "FILE", description = "the users file (created if absent)")
        Path usersFile;

        @Option(names = "--user", required = true, description = "user name: 1-32 of a-z 0-9 . _ -")
        String user;

        @Option(names = "--msp", required = true, description = "the user's organisation, e.g. MailerAMSP")
        String msp;

        @Option(names = "--role", required = true, description = "operator (of the data center), auditor (of the postal authority) or mailer (of a meter owner); "
                + "checked at login against the ledger's consortium record")
        String role;

        @Option(names = "--generate", description = "generate a password and print it once")
        boolean generate;

        @Option(names = "--iterations", defaultValue = "" + UserStore.DEFAULT_ITERATIONS,
                description = "PBKDF2 iterations (default ${DEFAULT-VALUE})")
        int iterations;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
            String password;
            if (generate) {
                password = UserStore.generatePassword();
            } else {
                Console console = System.console();
                if (console != null) {
                    char[] typed = console.readPassword("password for %s: ", user);
                    char[] again = console.readPassword("again: ");
                    if (typed == null || again == null || !new String(typed).equals(new String(again))) {
                        out.println("the two passwords differ");
                        return 2;
                    }
                    password = new String(typed);
                } else {
                    password = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                    if (password == null) {
                        out.println("no password on standard input");
                        return 2;
                    }
                }
            }
            try {
                UserStore.addUser(usersFile, user, msp, Role.parse(role), password, iterations);
            } catch (IllegalArgumentException e) {
                out.println(e.getMessage());
                return 2;
            }
            out.println("user " + user + " (" + role + ", " + msp + ") written to " + usersFile);
            if (generate) {
                out.println("password (shown once): " + password);
            }
            return 0;
        }
    }
}
