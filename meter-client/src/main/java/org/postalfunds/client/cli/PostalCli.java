package org.postalfunds.client.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.concurrent.Callable;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.ledger.FailureKind;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.hsm.client.BridgeException;
import org.postalfunds.hsm.enrol.EnrolmentException;
import org.postalfunds.hsm.enrol.FabricCaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code postal}: one command line for the three roles of the postal funds ledger. The profile says who
 * you are (data center operator, meter, auditor) and how to reach your peer.
 */
@Command(name = "postal", mixinStandardHelpOptions = true, version = "postal 0.1.0",
        description = "Postal funds ledger: meters, the data center and auditors on Hyperledger Fabric.",
        subcommands = {DataCenterCommands.class, MeterCommands.class, AuditorCommands.class, CaCommands.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Exit codes:", "  0 ok", "  1 internal error (a bug: please report it)", "  2 usage: the command line does not parse",
                "  3 refused by the chaincode; its error code is printed", "  4 ledger or HSM bridge unreachable after retries;",
                "    repeat with the same --request-id (safe)", "  5 bad local input: profile, key, certificate, file, value",
                "  6 a check failed: audit discrepancy, indicium not genuine or a duplicate"})
public final class PostalCli implements Callable<Integer> {
    @Option(names = "--profile", scope = ScopeType.INHERIT, paramLabel = "FILE",
            defaultValue = "${env:POSTAL_PROFILE}",
            description = "Connection profile (JSON) of your identity; default: $POSTAL_PROFILE.")
    Path profileFile;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Print JSON for scripts instead of tables.")
    boolean json;

    @Option(names = "--request-id", scope = ScopeType.INHERIT, paramLabel = "ID",
            description = "Request id of a submit (1-64 of A-Z a-z 0-9 . _ -); repeating a command with the same "
                    + "id never acts twice. Default: a new random id, printed with the result.")
    String requestIdText;

    @Spec
    CommandSpec spec;

    private final Connector connector;
    private final PrintWriter out;
    private final PrintWriter err;

    PostalCli(final Connector connector, final PrintWriter out, final PrintWriter err) {
        this.connector = connector;
        this.out = out;
        this.err = err;
    }

    public static void main(final String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(new GatewayConnector(), out, err, args));
    }

    /** Runs one command line and returns its exit code (see {@link ExitCodes}). */
    public static int run(final Connector connector, final PrintWriter out, final PrintWriter err, final String... args) {
        PostalCli root = new PostalCli(connector, out, err);
        CommandLine commandLine = new CommandLine(root);
        commandLine.setOut(out);
        commandLine.setErr(err);
        // Counts, hours, days, blocks and piece numbers: the contract's grammar, not Integer.parseInt's (which takes
        // "+7" and "٥"). Registered on the root, it applies to every subcommand.
        commandLine.registerConverter(Integer.class, text -> (int) wholeNumber(text, Integer.MAX_VALUE));
        commandLine.registerConverter(Integer.TYPE, text -> (int) wholeNumber(text, Integer.MAX_VALUE));
        commandLine.registerConverter(Long.class, text -> wholeNumber(text, Long.MAX_VALUE));
        commandLine.registerConverter(Long.TYPE, text -> wholeNumber(text, Long.MAX_VALUE));
        commandLine.setExecutionExceptionHandler((failure, cmd, parsed) -> root.report(failure, cmd));
        return commandLine.execute(args);
    }

    /** ASCII digits, no sign, spaces or leading zero (only "0" itself), at most {@code max}. */
    static long wholeNumber(final String text, final long max) {
        if (text == null || !text.matches("0|[1-9][0-9]{0,18}")) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a whole number: ASCII digits only,"
                    + " no sign, spaces or leading zeros");
        }
        try {
            long value = Long.parseLong(text);
            if (value > max) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException tooLarge) {
            throw new CommandLine.TypeConversionException("'" + text + "' is larger than " + max);
        }
    }

    // ---- for the role commands -----------------------------------------------------------------------------------

    Session open() throws BadInputException, IOException, GeneralSecurityException {
        if (profileFile == null) {
            throw new BadInputException("no profile: pass --profile FILE or set POSTAL_PROFILE");
        }
        return connector.open(Profile.load(profileFile));
    }

    Output output(final Session session) {
        return new Output(out, err, json, session.profile().money());
    }

    /** Where commands without a profile (e.g. {@code ca register-meter}) print. */
    PrintWriter out() {
        return out;
    }

    /** The request id of this command's submit: the user's, or a fresh one. */
    RequestId requestId() {
        return requestIdText == null ? RequestId.random() : RequestId.of(requestIdText);
    }

    // ---- exit codes --------------------------------------------------------------------------------------------

    private int report(final Exception failure, final CommandLine command) {
        if (failure instanceof CommandLine.ParameterException usage) {
            err.println(usage.getMessage());
            err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help'.");
            return ExitCodes.USAGE;
        }
        if (failure instanceof LedgerException ledger) {
            String retry = ledger.requestId().map(id -> " (request id " + id + ")").orElse("");
            if (ledger.kind() == FailureKind.REFUSED) {
                err.println("refused by the chaincode: " + ledger.errorCode().map(Enum::name).orElse("UNKNOWN") + retry);
                err.println(ledger.getMessage());
                return ExitCodes.REFUSED;
            }
            err.println("not done: " + ledger.getMessage());
            err.println(ledger.requestId()
                    .map(id -> "the outcome may be unknown: repeat the same command with --request-id " + id
                            + " (safe: it never acts twice)")
                    .orElse("check the peer and the profile, then run the command again"));
            return ExitCodes.UNAVAILABLE;
        }
        if (failure instanceof CheckFailedException check) {
            err.println(check.getMessage());
            return ExitCodes.CHECK_FAILED;
        }
        FabricCaException caCause = causeOfType(failure, FabricCaException.class);
        if (caCause != null) {
            // A refusal (wrong secret, name taken) is the caller's input; no answer at all is worth retrying.
            err.println(failure == caCause ? caCause.getMessage() : failure.getMessage());
            return caCause.httpStatus() == 0 ? ExitCodes.UNAVAILABLE : ExitCodes.BAD_INPUT;
        }
        BridgeException bridgeCause = causeOfType(failure, BridgeException.class);
        if (bridgeCause != null) {
            err.println("HSM bridge: " + bridgeCause.getMessage());
            if (bridgeCause.keyRevoked()) {
                // As the chaincode's METER_KEY_REVOKED: a refusal, nothing was signed or changed.
                return ExitCodes.REFUSED;
            }
            return switch (bridgeCause.code()) {
                case UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED -> ExitCodes.UNAVAILABLE;
                default -> ExitCodes.BAD_INPUT;
            };
        }
        if (failure instanceof BadInputException || failure instanceof IllegalArgumentException
                || failure instanceof IOException || failure instanceof GeneralSecurityException
                || failure instanceof EnrolmentException
                || failure instanceof org.postalfunds.client.secure.SealingException) {
            err.println(failure.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        if (failure instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            err.println("interrupted");
            return ExitCodes.UNAVAILABLE;
        }
        err.println("internal error (please report): " + failure);
        failure.printStackTrace(err);
        return ExitCodes.INTERNAL_ERROR;
    }

    private static <T extends Throwable> T causeOfType(final Throwable failure, final Class<T> type) {
        Throwable current = failure;
        for (int depth = 0; current != null && depth < 10; depth++, current = current.getCause()) {
            if (type.isInstance(current)) {
                return type.cast(current);
            }
        }
        return null;
    }

    /** Without a subcommand there is nothing to do: show what there is. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

}
