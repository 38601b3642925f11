package org.postalfunds.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postalfunds.client.Consortium;

/**
 * Refunds through the command line, against the real contract in-process: the meter asks ({@code meter refund}),
 * the postal authority approves or rejects ({@code auditor approve-refund | reject-refund}), both list them; a
 * refunded indicium fails verification and scanning with exit code 6 (REFUNDED), a refusal exits 3 with its code.
 */
class RefundCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path directory;
    private CliFixture cli;
    private Path auditor;
    private CliFixture.MeterFiles a;
    private Path printed;

    @BeforeEach
    void aMeterThatPrintedTwoPieces() throws Exception {
        cli = new CliFixture(directory);
        Path dataCenter = cli.profile("datacenter", cli.consortium.dataCenterIdentity, null);
        auditor = cli.profile("auditor", cli.consortium.auditorIdentity, null);
        a = cli.meter("meter-A", Consortium.MAILER_A);
        assertThat(cli.as(dataCenter, "datacenter", "register", "meter-A", "--owner-msp", Consortium.MAILER_A,
                "--certificate", a.certificate().toString(), "--max-balance", "10000.00", "--max-postage-per-piece",
                "100.00", "--max-transfer", "5000.00").exitCode()).isZero();
        assertThat(cli.as(dataCenter, "datacenter", "refill", "meter-A", "100.00").exitCode()).isZero();
        printed = directory.resolve("printed");
        for (String amount : new String[] {"0.85", "0.60"}) {
            CliFixture.Run print = cli.as(a.profile(), "meter", "print-postage", amount, "--postal-code", "10115",
                    "--country", "DE", "--out", printed.toString());
            assertThat(print.exitCode()).as(print.toString()).isZero();
        }
    }

    @Test
    void a_refund_is_requested_approved_listed_and_the_refunded_indicium_fails_every_check() throws Exception {
        CliFixture.Run requested = cli.as(a.profile(), "--request-id", "refund-1", "meter", "refund", "1", "0.85",
                "--reason", "envelope jammed", "--json");
        assertThat(requested.exitCode()).as(requested.toString()).isZero();
        JsonNode answer = JSON.readTree(requested.out());
        assertThat(answer.at("/event").asText()).isEqualTo("RefundRequested");
        assertThat(answer.at("/refund/state").asText()).isEqualTo("REQUESTED");
        // The same request id again: the first answer, nothing twice.
        CliFixture.Run again = cli.as(a.profile(), "--request-id", "refund-1", "meter", "refund", "1", "0.85",
                "--reason", "envelope jammed", "--json");
        assertThat(JSON.readTree(again.out()).at("/txId")).isEqualTo(answer.at("/txId"));

        CliFixture.Run approved = cli.as(auditor, "auditor", "approve-refund", "meter-A", "1");
        assertThat(approved.exitCode()).as(approved.toString()).isZero();
        assertThat(approved.out()).contains("RefundApproved: refund of piece 1 of meter meter-A  0.85  APPROVED")
                .contains("moved 0.85  POSTAGE_REVENUE:meter-A -> METER:meter-A").contains("available 99.40");
        assertThat(cli.as(a.profile(), "meter", "balance").out())
                .containsPattern("postage refunded \\(of this meter's pieces\\) +0\\.85");

        CliFixture.Run verified = cli.as(auditor, "auditor", "verify-indicium", printed.resolve("meter-A-1.json").toString(),
                "--json");
        assertThat(verified.exitCode()).as(verified.toString()).isEqualTo(ExitCodes.CHECK_FAILED);
        assertThat(JSON.readTree(verified.out()).path("verdict").asText()).isEqualTo("REFUNDED");
        assertThat(verified.err()).contains("REFUNDED").contains("refunded");
        CliFixture.Run scanned = cli.as(auditor, "auditor", "scan", printed.resolve("meter-A-1.png").toString());
        assertThat(scanned.exitCode()).as(scanned.toString()).isEqualTo(ExitCodes.CHECK_FAILED);
        assertThat(scanned.out()).contains("ledger verdict: REFUNDED");

        CliFixture.Run listed = cli.as(a.profile(), "meter", "refunds", "--state", "approved", "--json");
        assertThat(listed.exitCode()).as(listed.toString()).isZero();
        assertThat(JSON.readTree(listed.out())).hasSize(1);
        assertThat(cli.as(auditor, "auditor", "refunds", "meter-A").out()).contains("APPROVED").contains("envelope jammed");
        CliFixture.Run audit = cli.as(auditor, "auditor", "audit");
        assertThat(audit.exitCode()).as(audit.toString()).isZero();
    }

    @Test
    void refusals_exit_3_with_the_contract_s_code_and_a_rejection_moves_nothing() throws Exception {
        CliFixture.Run mismatch = cli.as(a.profile(), "meter", "refund", "2", "0.61", "--reason", "smudged");
        assertThat(mismatch.exitCode()).as(mismatch.toString()).isEqualTo(ExitCodes.REFUSED);
        assertThat(mismatch.err()).contains("REFUND_AMOUNT_MISMATCH");
        CliFixture.Run unknown = cli.as(auditor, "auditor", "approve-refund", "meter-A", "2");
        assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(ExitCodes.REFUSED);
        assertThat(unknown.err()).contains("UNKNOWN_REFUND");
        CliFixture.Run noReason = cli.as(a.profile(), "meter", "refund", "2", "0.60", "--reason", " ");
        assertThat(noReason.exitCode()).as(noReason.toString()).isEqualTo(ExitCodes.BAD_INPUT);
        CliFixture.Run badState = cli.as(a.profile(), "meter", "refunds", "--state", "GRANTED");
        assertThat(badState.exitCode()).as(badState.toString()).isEqualTo(ExitCodes.BAD_INPUT);

        assertThat(cli.as(a.profile(), "meter", "refund", "2", "0.60", "--reason", "smudged").exitCode()).isZero();
        CliFixture.Run rejected = cli.as(auditor, "auditor", "reject-refund", "meter-A", "2", "--reason", "looks fine",
                "--json");
        assertThat(rejected.exitCode()).as(rejected.toString()).isZero();
        assertThat(JSON.readTree(rejected.out()).at("/refund/state").asText()).isEqualTo("REJECTED");
        assertThat(JSON.readTree(rejected.out()).has("movements")).isFalse();
        CliFixture.Run twice = cli.as(a.profile(), "meter", "refund", "2", "0.60", "--reason", "smudged again");
        assertThat(twice.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(twice.err()).contains("REFUND_ALREADY_REQUESTED");
        assertThat(cli.as(auditor, "auditor", "verify-indicium", printed.resolve("meter-A-2.json").toString()).exitCode())
                .isZero();
    }
}
