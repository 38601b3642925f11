package org.postalfunds.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postalfunds.client.Consortium;
import org.postalfunds.client.RequestId;
import picocli.CommandLine;

/** What scripts rely on: --help everywhere, and an exit code that says what kind of failure happened. */
class ExitCodesTest {
    @TempDir
    Path directory;
    private CliFixture cli;
    private Path dataCenter;
    private Path mailerOperator;
    private CliFixture.MeterFiles a;

    @BeforeEach
    void aRegisteredMeter() throws Exception {
        cli = new CliFixture(directory);
        dataCenter = cli.profile("datacenter", cli.consortium.dataCenterIdentity, null);
        mailerOperator = cli.profile("mailer-a", cli.consortium.mailerAOperator, null);
        a = cli.meter("meter-A", Consortium.MAILER_A);
        CliFixture.Run registered = cli.as(dataCenter, "datacenter", "register", "meter-A", "--owner-msp", "MailerAMSP",
                "--certificate", a.certificate().toString(), "--max-balance", "1000", "--max-postage-per-piece", "10",
                "--max-transfer", "500");
        assertThat(registered.exitCode()).as(registered.toString()).isZero();
        cli.as(dataCenter, "datacenter", "refill", "meter-A", "100.00");
    }

    @Test
    void every_command_answers_help_with_its_usage_and_exit_code_0() {
        List<String[]> commands = new ArrayList<>();
        collect(new CommandLine(new PostalCli(cli.connector, new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()))), new ArrayList<>(), commands);

        assertThat(commands).hasSizeGreaterThan(30);
        for (String[] command : commands) {
            CliFixture.Run help = cli.run(command);
            assertThat(help.exitCode()).as(String.join(" ", command)).isZero();
            assertThat(help.out()).as(String.join(" ", command)).contains("Usage: postal").contains("--help");
        }
    }

    private static void collect(final CommandLine command, final List<String> path, final List<String[]> into) {
        List<String> withHelp = new ArrayList<>(path);
        withHelp.add("--help");
        into.add(withHelp.toArray(new String[0]));
        command.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help")) {
                List<String> deeper = new ArrayList<>(path);
                deeper.add(name);
                collect(sub, deeper, into);
            }
        });
    }

    @Test
    void a_command_line_that_does_not_parse_exits_with_2_and_says_what_to_try() {
        CliFixture.Run nothing = cli.run();
        CliFixture.Run unknown = cli.as(a.profile(), "meter", "frobnicate");
        CliFixture.Run missing = cli.as(dataCenter, "datacenter", "refill", "meter-A");
        CliFixture.Run group = cli.as(a.profile(), "meter");

        assertThat(nothing.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(nothing.err()).contains("Usage: postal");
        assertThat(unknown.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.err()).contains("AMOUNT");
        assertThat(group.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(group.err()).contains("print-postage");
    }

    @Test
    void numbers_follow_the_contracts_grammar_nothing_is_trimmed_or_taken_loosely() {
        // Amounts: " 5.00" used to be trimmed; the contract refuses " 500", so the client refuses " 5.00" (exit 5).
        for (String amount : List.of(" 5.00", "5.00 ", "+5.00", "05.00", "٥", "1e3", "92233720368547758.07")) {
            CliFixture.Run run = cli.as(dataCenter, "datacenter", "refill", "meter-A", amount);
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(run.err()).contains("amount");
        }
        // Hours and counts: picocli's own int conversion took "+7" and Arabic-Indic digits.
        for (String hours : List.of("+7", "٧", " 7", "07", "7.0")) {
            CliFixture.Run run = cli.as(a.profile(), "meter", "offer", "meter-A", "1.00", "--deadline-hours", hours);
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
            assertThat(run.err()).contains("whole number");
        }
    }

    @Test
    void refusals_by_the_chaincode_exit_with_3_and_print_its_code() throws Exception {
        CliFixture.MeterFiles b = cli.meter("meter-B", Consortium.MAILER_B);
        cli.as(dataCenter, "datacenter", "register", "meter-B", "--owner-msp", "MailerBMSP", "--certificate",
                b.certificate().toString(), "--max-balance", "1000", "--max-postage-per-piece", "10", "--max-transfer", "500");
        String offer = new ObjectMapper().readTree(cli.as(a.profile(), "meter", "offer", "meter-B", "1.00", "--json").out())
                .at("/transfer/transferId").asText();

        CliFixture.Run otherMeter = cli.as(a.profile(), "meter", "acknowledge", offer);
        CliFixture.Run mailerRefill = cli.as(mailerOperator, "datacenter", "refill", "meter-A", "1.00");
        CliFixture.Run mailerAudit = cli.as(mailerOperator, "auditor", "audit");
        CliFixture.Run overdraft = cli.as(a.profile(), "meter", "offer", "meter-B", "400.00");

        for (CliFixture.Run refused : List.of(otherMeter, mailerRefill, mailerAudit)) {
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(ExitCodes.REFUSED);
            assertThat(refused.err()).contains("refused by the chaincode: NOT_AUTHORISED");
        }
        assertThat(overdraft.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(overdraft.err()).contains("INSUFFICIENT_FUNDS").contains("request id req-");
    }

    @Test
    void repeating_a_command_with_its_request_id_acts_once_and_reusing_it_for_something_else_is_refused()
            throws Exception {
        CliFixture.Run first = cli.as(dataCenter, "datacenter", "refill", "meter-A", "10.00", "--request-id", "refill-a-1");
        CliFixture.Run again = cli.as(dataCenter, "datacenter", "refill", "meter-A", "10.00", "--request-id", "refill-a-1");
        CliFixture.Run other = cli.as(dataCenter, "datacenter", "refill", "meter-A", "20.00", "--request-id", "refill-a-1");

        assertThat(first.exitCode()).isZero();
        assertThat(again.out()).isEqualTo(first.out());
        assertThat(other.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(other.err()).contains("REQUEST_ID_REUSED");
        assertThat(cli.consortium.available("meter-A")).isEqualTo(11_000);
    }

    @Test
    void bad_local_input_exits_with_5_and_names_the_problem() throws Exception {
        Path garbage = Files.writeString(directory.resolve("garbage.json"), "{\"meterId\": 5}");
        Path brokenProfile = Files.writeString(directory.resolve("broken.json"), "{\"peerEndpoint\":\"x:1\",\"mspId\":\"M\","
                + "\"tlsRootCertificate\":\"ca.pem\",\"certificate\":\"c.pem\"}");

        CliFixture.Run noProfile = cli.run("meter", "balance", "--profile", directory.resolve("absent.json").toString());
        CliFixture.Run noSigner = cli.run("meter", "balance", "--profile", brokenProfile.toString());
        CliFixture.Run subCent = cli.as(dataCenter, "datacenter", "refill", "meter-A", "1.005");
        CliFixture.Run notAnIndicium = cli.as(dataCenter, "auditor", "verify-indicium", garbage.toString());
        CliFixture.Run noMeter = cli.as(dataCenter, "meter", "balance");
        CliFixture.Run badRequestId = cli.as(dataCenter, "datacenter", "refill", "meter-A", "1", "--request-id", "no spaces");

        assertThat(noProfile.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(noProfile.err()).contains("cannot read profile");
        assertThat(noSigner.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(noSigner.err()).contains("exactly one signer");
        assertThat(subCent.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(subCent.err()).contains("more than 2 decimal places");
        assertThat(notAnIndicium.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(notAnIndicium.err()).contains("cannot read an indicium");
        assertThat(noMeter.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(noMeter.err()).contains("names no meter");
        assertThat(badRequestId.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(cli.consortium.available("meter-A")).isEqualTo(10_000);
    }

    @Test
    void json_output_is_the_ledgers_answer_for_scripts() throws Exception {
        CliFixture.Run balance = cli.as(a.profile(), "meter", "balance", "--json");
        CliFixture.Run refill = cli.as(dataCenter, "datacenter", "refill", "meter-A", "2.50", "--json",
                "--request-id", RequestId.random().value());

        var json = new ObjectMapper().readTree(balance.out());
        assertThat(json.at("/registers/descendingRegisterMinorUnits").asLong()).isEqualTo(10_000);
        assertThat(json.at("/meter/status").asText()).isEqualTo("ACTIVE");
        var receipt = new ObjectMapper().readTree(refill.out());
        assertThat(receipt.get("event").asText()).isEqualTo("Refilled");
        assertThat(receipt.get("amountMinorUnits").asLong()).isEqualTo(250);
        assertThat(receipt.get("movements")).hasSize(1);
    }
}
