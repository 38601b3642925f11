package org.postalfunds.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postalfunds.client.Consortium;

/**
 * The patent's story through the command line: three meters registered and refilled, a pull transfer
 * A <- B, a push B -> C, a denied and a cancelled request, postage printed with a Data Matrix, indicia
 * verified and scanned, and an audit, each step with the role's own profile.
 */
class CommandLineStoryTest {
    @TempDir
    Path directory;
    private CliFixture cli;
    private Path dataCenter;
    private Path auditor;
    private CliFixture.MeterFiles a;
    private CliFixture.MeterFiles b;
    private CliFixture.MeterFiles c;

    @BeforeEach
    void threeRegisteredAndRefilledMeters() throws Exception {
        cli = new CliFixture(directory);
        dataCenter = cli.profile("datacenter", cli.consortium.dataCenterIdentity, null);
        auditor = cli.profile("auditor", cli.consortium.auditorIdentity, null);
        a = cli.meter("meter-A", Consortium.MAILER_A);
        b = cli.meter("meter-B", Consortium.MAILER_B);
        c = cli.meter("meter-C", Consortium.MAILER_A);
        for (CliFixture.MeterFiles meter : new CliFixture.MeterFiles[] {a, b, c}) {
            String owner = meter.key().mspId();
            CliFixture.Run registered = cli.as(dataCenter, "datacenter", "register", meter.meterId(), "--owner-msp", owner,
                    "--certificate", meter.certificate().toString(), "--max-balance", "10000.00",
                    "--max-postage-per-piece", "100.00", "--max-transfer", "5000.00");
            assertThat(registered.exitCode()).as(registered.toString()).isZero();
            assertThat(registered.out()).contains("registered meter " + meter.meterId() + " of " + owner);
        }
        assertThat(cli.as(dataCenter, "datacenter", "refill", "meter-A", "100.00").out())
                .contains("refilled meter meter-A with 100.00: available 100.00");
        assertThat(cli.as(dataCenter, "datacenter", "refill", "meter-B", "500.00").exitCode()).isZero();
    }

    private String transferIdOf(final CliFixture.Run run) throws Exception {
        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonNode json = new ObjectMapper().readTree(run.out());
        return json.at("/transfer/transferId").asText();
    }

    @Test
    void the_whole_story_runs_with_readable_output_and_the_books_balance() throws Exception {
        assertThat(cli.as(b.profile(), "meter", "authorise", "meter-A").out()).contains("meter-A may now request from meter-B");

        // Pull A <- B: request, grant, accept.
        String pull = transferIdOf(cli.as(a.profile(), "meter", "request", "meter-B", "40.00", "--json"));
        CliFixture.Run granted = cli.as(b.profile(), "meter", "grant", pull);
        assertThat(granted.out()).contains("TransferGranted").contains("meter-B -> meter-A  40.00  GRANTED")
                .contains("moved 40.00  METER:meter-B -> ESCROW:" + pull);
        assertThat(cli.as(a.profile(), "meter", "accept", pull).out()).contains("ACCEPTED");

        // Push B -> C: offer, acknowledge.
        String push = transferIdOf(cli.as(b.profile(), "meter", "offer", "meter-C", "25.50", "--json"));
        assertThat(cli.as(c.profile(), "meter", "acknowledge", push).out()).contains("ACKNOWLEDGED");

        // A denied and a cancelled request.
        String denied = transferIdOf(cli.as(a.profile(), "meter", "request", "meter-B", "900.00", "--json"));
        assertThat(cli.as(b.profile(), "meter", "deny", denied, "--reason", "too much").out()).contains("DENIED");
        String cancelled = transferIdOf(cli.as(a.profile(), "meter", "request", "meter-B", "1.00", "--json"));
        assertThat(cli.as(a.profile(), "meter", "cancel", cancelled).out()).contains("CANCELLED");

        // Balances as each meter sees itself, and as the auditor sees them all.
        assertThat(cli.as(a.profile(), "meter", "balance").out()).containsPattern("available \\(descending register\\) +140\\.00");
        CliFixture.Run balances = cli.as(auditor, "auditor", "balances");
        assertThat(balances.exitCode()).as(balances.toString()).isZero();
        assertThat(balances.out()).contains("meter-A").contains("meter-B").contains("meter-C")
                .contains("434.50").contains("3 meters, 600.00 available in all");
        assertThat(balances.err()).contains("replayed");

        // The transfers the meter still has open, and one transfer's steps.
        assertThat(cli.as(a.profile(), "meter", "transfers", "--state", "ALL").out()).contains(pull).contains(denied)
                .contains(cancelled);
        assertThat(cli.as(a.profile(), "meter", "transfer", pull).out()).contains("REQUEST").contains("GRANT").contains("ACCEPT");
        // The registers' history: the accepted 40.00 waits on the meter's inflow key until a debit needs it.
        assertThat(cli.as(a.profile(), "meter", "history").out()).contains("account METER:meter-A, newest first")
                .contains("available 100.00").contains("pending inflow 40.00");

        CliFixture.Run audit = cli.as(auditor, "auditor", "audit");
        assertThat(audit.exitCode()).as(audit.toString()).isZero();
        assertThat(audit.out()).containsPattern("ok +all accounts sum to zero").contains("the books balance");

        CliFixture.Run chain = cli.as(auditor, "auditor", "verify-chain");
        assertThat(chain.exitCode()).as(chain.toString()).isZero();
        assertThat(chain.out()).containsPattern("ok +every endorsement signature verifies").contains("the chain verifies");
    }

    @Test
    void printed_postage_is_verified_from_its_png_and_its_json_and_a_second_scan_is_a_duplicate() throws Exception {
        Path out = directory.resolve("printed");
        CliFixture.Run printed = cli.as(a.profile(), "meter", "print-postage", "0.85", "--postal-code", "10115",
                "--country", "DE", "--out", out.toString());
        assertThat(printed.exitCode()).as(printed.toString()).isZero();
        assertThat(printed.out()).contains("printed piece 1 of meter meter-A: 0.85 to 10115 DE; available 99.15");
        Path png = out.resolve("meter-A-1.png");
        Path json = out.resolve("meter-A-1.json");
        assertThat(png).exists();
        assertThat(json).exists();

        CliFixture.Run verified = cli.as(auditor, "auditor", "verify-indicium", png.toString());
        CliFixture.Run scanned = cli.as(auditor, "auditor", "scan", json.toString());
        CliFixture.Run replayed = cli.as(auditor, "auditor", "scan", png.toString(), "--json");

        assertThat(verified.exitCode()).as(verified.toString()).isZero();
        assertThat(verified.out()).contains("PSD signature verifies").contains("ledger verdict: GENUINE").contains("accepted");
        assertThat(scanned.exitCode()).isZero();
        assertThat(replayed.exitCode()).isEqualTo(ExitCodes.CHECK_FAILED);
        assertThat(new ObjectMapper().readTree(replayed.out()).get("verdict").asText()).isEqualTo("DUPLICATE");
        assertThat(replayed.err()).contains("DUPLICATE").contains("second mail piece");
        assertThat(verified.out()).contains("not seen before");

        // The new user's case: after two scans, verifying the same genuine indicium must not say GENUINE/accepted.
        CliFixture.Run afterScans = cli.as(auditor, "auditor", "verify-indicium", json.toString());
        assertThat(afterScans.exitCode()).as(afterScans.toString()).isEqualTo(ExitCodes.CHECK_FAILED);
        assertThat(afterScans.out()).contains("ledger verdict: DUPLICATE").contains("ALREADY SEEN")
                .contains("2 earlier sighting(s)").doesNotContain("accepted");
        CliFixture.Run afterScansJson = cli.as(auditor, "auditor", "verify-indicium", png.toString(), "--json");
        var report = new ObjectMapper().readTree(afterScansJson.out());
        assertThat(report.get("verdict").asText()).isEqualTo("DUPLICATE");
        assertThat(report.get("alreadySeen").asBoolean()).isTrue();
        assertThat(report.get("accepted").asBoolean()).isFalse();
    }

    @Test
    void an_indicium_with_one_byte_changed_is_reported_forged_with_exit_code_6() throws Exception {
        Path out = directory.resolve("printed");
        cli.as(a.profile(), "meter", "print-postage", "0.85", "--postal-code", "10115", "--country", "DE", "--out",
                out.toString());
        Path json = out.resolve("meter-A-1.json");
        Files.writeString(json, Files.readString(json).replace("\"amountMinorUnits\":85", "\"amountMinorUnits\":95"));

        CliFixture.Run verified = cli.as(auditor, "auditor", "verify-indicium", json.toString());

        assertThat(verified.exitCode()).as(verified.toString()).isEqualTo(ExitCodes.CHECK_FAILED);
        assertThat(verified.out()).contains("PSD signature does NOT verify").contains("ledger verdict: FORGED");
        assertThat(verified.err()).contains("is FORGED");
    }

    @Test
    void the_data_center_suspends_resumes_inspects_and_withdraws_and_shows_the_meter() throws Exception {
        assertThat(cli.as(dataCenter, "datacenter", "suspend", "meter-C", "--reason", "seal broken").out())
                .contains("meter meter-C: ACTIVE -> SUSPENDED (seal broken)");
        assertThat(cli.as(dataCenter, "datacenter", "resume", "meter-C").out()).contains("SUSPENDED -> ACTIVE");
        assertThat(cli.as(dataCenter, "datacenter", "inspect", "meter-C").out()).contains("inspection of meter meter-C recorded");
        assertThat(cli.as(dataCenter, "datacenter", "inspection-periods", "--due-after-days", "60",
                "--overdue-after-days", "90").out()).contains("due after 60 days, overdue after 90 days");
        assertThat(cli.as(dataCenter, "datacenter", "inspection-periods").out()).contains("due after 60 days");
        assertThat(cli.as(dataCenter, "datacenter", "withdraw", "meter-A").out()).contains("ACTIVE -> WITHDRAWN")
                .contains("moved 100.00  METER:meter-A -> ISSUED_FUNDS:meter-A");
        assertThat(cli.as(dataCenter, "datacenter", "show", "meter-A").out()).contains("WITHDRAWN")
                .containsPattern("withdrawn +100\\.00");
    }

    @Test
    void a_distributor_allots_and_releases_and_a_push_can_be_rejected_or_expired() throws Exception {
        cli.as(b.profile(), "meter", "authorise", "meter-C");
        assertThat(cli.as(b.profile(), "meter", "allot", "meter-C", "50.00").out())
                .contains("AllotmentFunded: allotment meter-B -> meter-C holds 50.00; meter available 450.00");
        assertThat(cli.as(b.profile(), "meter", "release", "meter-C", "20.00").out()).contains("holds 30.00");
        assertThat(cli.as(b.profile(), "meter", "allotment", "meter-C").out()).contains("available 30.00")
                .contains("control sum holds");
        assertThat(cli.as(b.profile(), "meter", "requesters").out()).contains("meter-C");
        assertThat(cli.as(b.profile(), "meter", "revoke", "meter-C").out()).contains("may no longer request");

        String rejected = transferIdOf(cli.as(b.profile(), "meter", "offer", "meter-A", "5.00", "--json"));
        assertThat(cli.as(a.profile(), "meter", "reject", rejected, "--reason", "unexpected").out()).contains("REJECTED");
        String lapsed = transferIdOf(cli.as(b.profile(), "meter", "offer", "meter-A", "5.00", "--deadline-hours", "1", "--json"));
        cli.consortium.clock().advance(java.time.Duration.ofHours(2));
        assertThat(cli.as(c.profile(), "meter", "expire", lapsed).out()).contains("EXPIRED");
        assertThat(cli.as(b.profile(), "meter", "balance").out()).as("allotment 30.00 still held; both offers came back")
                .containsPattern("available \\(descending register\\) +470\\.00");
    }
}
