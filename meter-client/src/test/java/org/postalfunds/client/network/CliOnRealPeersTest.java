package org.postalfunds.client.network;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.LedgerFunction;
import org.postalfunds.api.format.SealedPackage;
import org.postalfunds.api.model.InformationTransfer;
import org.postalfunds.api.model.PsdRegisters;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.api.model.TransferView;
import org.postalfunds.client.AuditorClient;
import org.postalfunds.client.cli.ExitCodes;
import org.postalfunds.client.ledger.LedgerCall;
import org.postalfunds.client.model.Json;
import org.postalfunds.testnetwork.NetworkDescription;
import org.postalfunds.testnetwork.PostalNetwork;

/**
 * The {@code postal} command line, command by command, against the live network: the data center and the auditor with
 * the network's admin profiles, meters with profiles that sign (and unseal) in a SoftHSM2 token behind the bridge. Each
 * command's exit code and {@code --json} output are checked, then the ledger's state read through another
 * organisation's peer (the postal authority's).
 */
@PostalNetwork
@Tag("softhsm")
class CliOnRealPeersTest {
    private static RealCli cli;

    @BeforeAll
    static void start(final NetworkDescription network) throws Exception {
        cli = new RealCli(network, "cli-real");
    }

    @AfterAll
    static void close() throws Exception {
        if (cli != null) {
            cli.close();
        }
    }

    @AfterEach
    void conservation() throws Exception {
        final RealCli.Run audit = cli.auditorCli("audit", "--json").ok();
        assertThat(audit.json().path("checks")).as(audit.toString()).hasSize(6)
                .allSatisfy(check -> assertThat(check.path("passed").asBoolean()).as(check.toString()).isTrue());
        assertThat(audit.json().at("/totals/proof/balanced").asBoolean()).isTrue();
    }

    @Test
    void the_ledger_s_consortium_record_is_the_one_deploy_wrote_from_the_network_description() throws Exception {
        final String consortium = cli.dataCenter("consortium", "--json").ok().json().toString();
        assertThat(consortium).contains("\"dataCenterMsp\":\"DataCenterMSP\"")
                .contains("\"postalAuthorityMsp\":\"PostalAuthorityMSP\"")
                .contains("\"meterOwnerMsps\":[\"MailerAMSP\",\"MailerBMSP\"]");
    }

    @Test
    void funds_refill_print_verify_scan_pull_push_and_a_distributors_watcher() throws Exception {
        final RealCli.Meter a = cli.meter("MailerA", "cli-A", null);
        final RealCli.Meter a2 = cli.meter("MailerA", "cli-A2", null);
        final RealCli.Meter b = cli.meter("MailerB", "cli-B", null);

        // refill
        final RealCli.Run refill = cli.dataCenter("refill", a.id(), "300.00", "--json").ok();
        assertThat(refill.json().toString()).contains(a.id());
        assertThat(registers(a).descendingRegisterMinorUnits()).isEqualTo(30_000);

        // print-postage, verify-indicium, scan
        final Path pieces = Files.createDirectories(cli.file("pieces"));
        final JsonNode printed = cli.as(a, "print-postage", "1.25", "--postal-code", "10115", "--country", "DE", "--out",
                pieces.toString(), "--json").ok().json();
        final Path indicium = Path.of(printed.path("indiciumFile").asText());
        assertThat(indicium).exists();
        assertThat(Path.of(printed.path("dataMatrixFile").asText())).exists();
        assertThat(registers(a).pieceCount()).isEqualTo(1);
        assertThat(registers(a).descendingRegisterMinorUnits()).isEqualTo(30_000 - 125);
        assertThat(registers(a).ascendingRegisterMinorUnits()).isEqualTo(125);

        final JsonNode verified = cli.auditorCli("verify-indicium", indicium.toString(), "--json").ok().json();
        assertThat(verified.path("verdict").asText()).isEqualTo("GENUINE");
        assertThat(verified.path("signatureValid").asBoolean()).isTrue();
        final JsonNode png = cli.auditorCli("verify-indicium", printed.path("dataMatrixFile").asText(), "--json").ok().json();
        assertThat(png.path("verdict").asText()).isEqualTo("GENUINE");
        final Path forged = Files.writeString(cli.file("forged.json"), Files.readString(indicium)
                .replaceAll("\"amountMinorUnits\"\\s*:\\s*125", "\"amountMinorUnits\":99999"));
        final RealCli.Run forgery = cli.auditorCli("verify-indicium", forged.toString(), "--json");
        assertThat(forgery.exitCode()).as(forgery.toString()).isEqualTo(ExitCodes.CHECK_FAILED);
        assertThat(forgery.json().path("verdict").asText()).isEqualTo("FORGED");

        final JsonNode firstScan = cli.auditorCli("scan", indicium.toString(), "--json").ok().json();
        assertThat(firstScan.path("verdict").asText()).isEqualTo("GENUINE");
        assertThat(firstScan.path("sightingsBefore").asLong()).isZero();
        final RealCli.Run secondScan = cli.auditorCli("scan", indicium.toString(), "--json");
        assertThat(secondScan.exitCode()).as(secondScan.toString()).isEqualTo(ExitCodes.CHECK_FAILED);
        assertThat(secondScan.json().path("verdict").asText()).isEqualTo("DUPLICATE");
        assertThat(secondScan.json().path("alreadySeen").asBoolean()).isTrue();
        final RealCli.Run afterScan = cli.auditorCli("verify-indicium", indicium.toString(), "--json");
        assertThat(afterScan.exitCode()).as(afterScan.toString()).isEqualTo(ExitCodes.CHECK_FAILED);
        assertThat(afterScan.json().path("sightingsBefore").asLong()).isEqualTo(2); // both scans were recorded

        // refund: a second piece spoiled and refunded (its postage back); its indicium then fails as REFUNDED
        final JsonNode spoiled = cli.as(a, "print-postage", "0.85", "--postal-code", "10115", "--country", "DE", "--out",
                pieces.toString(), "--json").ok().json();
        final JsonNode requested = cli.as(a, "refund", "2", "0.85", "--reason", "envelope jammed", "--json").ok().json();
        assertThat(requested.at("/refund/state").asText()).isEqualTo("REQUESTED");
        final JsonNode approved = cli.auditorCli("approve-refund", a.id(), "2", "--json").ok().json();
        assertThat(approved.at("/refund/state").asText()).isEqualTo("APPROVED");
        assertThat(registers(a).descendingRegisterMinorUnits()).isEqualTo(30_000 - 125);
        assertThat(registers(a).refundedMinorUnits()).isEqualTo(85);
        final RealCli.Run refunded = cli.auditorCli("verify-indicium", spoiled.path("indiciumFile").asText(), "--json");
        assertThat(refunded.exitCode()).as(refunded.toString()).isEqualTo(ExitCodes.CHECK_FAILED);
        assertThat(refunded.json().path("verdict").asText()).isEqualTo("REFUNDED");
        final RealCli.Run twice = cli.as(a, "refund", "2", "0.85", "--reason", "envelope jammed");
        assertThat(twice.exitCode()).as(twice.toString()).isEqualTo(ExitCodes.REFUSED);
        assertThat(twice.err()).contains("REFUND_ALREADY_REQUESTED");

        // pull: request -> grant -> accept; request -> deny; request -> cancel
        cli.as(a, "authorise", a2.id()).ok();
        final String pull = transferId(cli.as(a2, "request", a.id(), "40.00", "--json").ok(), TransferState.REQUESTED);
        assertThat(transfer(pull).transfer().state()).isEqualTo(TransferState.REQUESTED);
        transferId(cli.as(a, "grant", pull, "--json").ok(), TransferState.GRANTED);
        final TransferView granted = transfer(pull);
        assertThat(granted.transfer().state()).isEqualTo(TransferState.GRANTED);
        assertThat(granted.escrow().heldMinorUnits()).isEqualTo(4_000);
        transferId(cli.as(a2, "accept", pull, "--json").ok(), TransferState.ACCEPTED);
        assertThat(transfer(pull).transfer().state()).isEqualTo(TransferState.ACCEPTED);
        assertThat(registers(a2).descendingRegisterMinorUnits()).isEqualTo(4_000);

        final String denied = transferId(cli.as(a2, "request", a.id(), "5.00", "--json").ok(), TransferState.REQUESTED);
        transferId(cli.as(a, "deny", denied, "--reason", "not this week", "--json").ok(), TransferState.DENIED);
        assertThat(transfer(denied).transfer().reason()).contains("not this week");
        final String cancelled = transferId(cli.as(a2, "request", a.id(), "6.00", "--json").ok(), TransferState.REQUESTED);
        transferId(cli.as(a2, "cancel", cancelled, "--json").ok(), TransferState.CANCELLED);
        assertThat(transfer(cancelled).transfer().state()).isEqualTo(TransferState.CANCELLED);

        // push: offer -> acknowledge; offer -> reject
        final String push = transferId(cli.as(a, "offer", b.id(), "25.00", "--json").ok(), TransferState.OFFERED);
        assertThat(transfer(push).escrow().heldMinorUnits()).isEqualTo(2_500);
        transferId(cli.as(b, "acknowledge", push, "--json").ok(), TransferState.ACKNOWLEDGED);
        assertThat(registers(b).descendingRegisterMinorUnits()).isEqualTo(2_500);
        final String rejected = transferId(cli.as(a, "offer", b.id(), "7.00", "--json").ok(), TransferState.OFFERED);
        transferId(cli.as(b, "reject", rejected, "--reason", "not ordered", "--json").ok(), TransferState.REJECTED);
        assertThat(transfer(rejected).transfer().state()).isEqualTo(TransferState.REJECTED);
        assertThat(registers(a).descendingRegisterMinorUnits()).isEqualTo(30_000 - 125 - 4_000 - 2_500);

        // A refused command: a grant of an accepted transfer (exit code 3, the contract's code on stderr)
        final RealCli.Run again = cli.as(a, "grant", pull);
        assertThat(again.exitCode()).as(again.toString()).isEqualTo(ExitCodes.REFUSED);

        // watch: meter B as a distributor grants A's request within its policy and denies the one over it
        cli.as(b, "authorise", a.id()).ok();
        final Path policy = Files.writeString(cli.file("policy.json"), "{ \"meterId\": \"" + b.id() + "\",\n"
                + "  \"distributor\": { \"recipients\": [ { \"meterId\": \"" + a.id() + "\", \"maxPerRequest\": \"15.00\","
                + " \"maxPerDay\": \"20.00\" } ], \"maxPerDay\": \"20.00\", \"escrowHours\": 24, \"denyOverLimit\": true } }\n");
        final long from = cli.auditorLedger().blockHeight();
        final String within = transferId(cli.as(a, "request", b.id(), "10.00", "--json").ok(), TransferState.REQUESTED);
        final String over = transferId(cli.as(a, "request", b.id(), "16.00", "--json").ok(), TransferState.REQUESTED);
        final RealCli.Run watched = cli.as(b, "watch", "--policy", policy.toString(), "--checkpoint",
                cli.file("b.checkpoint").toString(), "--from-block", Long.toString(from), "--stop-when-idle", "3");
        assertThat(watched.exitCode()).as(watched.toString()).isZero();
        assertThat(transfer(within).transfer().state()).as(watched.toString()).isEqualTo(TransferState.GRANTED);
        assertThat(transfer(over).transfer().state()).as(watched.toString()).isEqualTo(TransferState.DENIED);
        assertThat(transfer(over).transfer().reason()).startsWith("OVER_LIMIT");
        // Restarted from its checkpoint, the watcher sees nothing new and changes nothing.
        final RealCli.Run rewatched = cli.as(b, "watch", "--policy", policy.toString(), "--checkpoint",
                cli.file("b.checkpoint").toString(), "--stop-when-idle", "2");
        assertThat(rewatched.exitCode()).as(rewatched.toString()).isZero();
        assertThat(rewatched.err() + rewatched.out()).contains("stopped after 0 events");
        transferId(cli.as(a, "accept", within, "--json").ok(), TransferState.ACCEPTED);
        assertThat(registers(b).descendingRegisterMinorUnits()).isEqualTo(2_500 - 1_000);

        // the data center's and the auditor's reads, and the chain
        final JsonNode shown = cli.dataCenter("show", a.id(), "--json").ok().json();
        assertThat(shown.toString()).contains(a.id());
        cli.auditorCli("verify-chain", "--json").ok();
    }

    @Test
    void secure_information_pull_push_download_and_expiry_of_funds_and_information() throws Exception {
        final RealCli.Meter a = cli.meter("MailerA", "cli-C", "50.00");
        final RealCli.Meter b = cli.meter("MailerB", "cli-D", null);
        final Path rates = Files.writeString(cli.file("rates.json"), "{\"LETTER-STD\":\"1.25\"}");
        final Path config = Files.write(cli.file("config.bin"), new byte[] {0, 1, 2, (byte) 0xFE});

        // Two short deadlines first, so that the waiting overlaps the rest of the story.
        final String expiring = transferId(cli.as(a, "offer", b.id(), "3.00", "--deadline-seconds", "10", "--json").ok(),
                TransferState.OFFERED);
        final String expiringInfo = SealedPackage.transferIdFor(a.id(), "expiring-" + cli.run);
        infoState(cli.as(a, "info-offer", b.id(), "short-lived", "--file", rates.toString(), "--deadline-seconds", "10",
                "--request-id", "expiring-" + cli.run, "--json").ok(), expiringInfo, TransferState.OFFERED);
        final Instant deadline = Instant.ofEpochSecond(transfer(expiring).transfer().deadlineEpochSeconds());
        final RealCli.Run early = cli.as(b, "expire", expiring);
        assertThat(early.exitCode()).as(early.toString()).isEqualTo(ExitCodes.REFUSED);
        assertThat(early.err()).contains("DEADLINE_NOT_REACHED");

        // pull: info-request -> info-grant -> receive -> info-accept
        final String pull = SealedPackage.transferIdFor(b.id(), "pull-" + cli.run);
        infoState(cli.as(b, "info-request", a.id(), "rate-table", "--request-id", "pull-" + cli.run, "--json").ok(), pull,
                TransferState.REQUESTED);
        infoState(cli.as(a, "info-grant", pull, "--file", rates.toString(), "--content-type", "application/json", "--json")
                .ok(), pull, TransferState.GRANTED);
        assertThat(information(pull).packageHeld()).isTrue();
        final JsonNode received = cli.as(b, "receive", pull, "--json").ok().json();
        assertThat(received.path("itemName").asText()).isEqualTo("rate-table");
        assertThat(received.path("content").asText()).isEqualTo("{\"LETTER-STD\":\"1.25\"}");
        infoState(cli.as(b, "info-accept", pull, "--json").ok(), pull, TransferState.ACCEPTED);
        assertThat(information(pull).packageHeld()).isFalse();
        // The sender cannot open what it sealed to B's PSD (its own token key does not fit).
        assertThat(cli.as(a, "receive", pull).exitCode()).isNotZero();

        // info-request -> info-deny; info-request -> info-cancel
        final String denied = SealedPackage.transferIdFor(b.id(), "deny-" + cli.run);
        infoState(cli.as(b, "info-request", a.id(), "rate-table", "--request-id", "deny-" + cli.run, "--json").ok(), denied,
                TransferState.REQUESTED);
        infoState(cli.as(a, "info-deny", denied, "--reason", "no such table", "--json").ok(), denied, TransferState.DENIED);
        final String cancelled = SealedPackage.transferIdFor(b.id(), "cancel-" + cli.run);
        infoState(cli.as(b, "info-request", a.id(), "rate-table", "--request-id", "cancel-" + cli.run, "--json").ok(),
                cancelled, TransferState.REQUESTED);
        infoState(cli.as(b, "info-cancel", cancelled, "--json").ok(), cancelled, TransferState.CANCELLED);

        // push: info-offer -> receive --out -> info-acknowledge; info-offer -> info-reject
        final String push = SealedPackage.transferIdFor(a.id(), "push-" + cli.run);
        infoState(cli.as(a, "info-offer", b.id(), "meter-config", "--file", config.toString(), "--request-id",
                "push-" + cli.run, "--json").ok(), push, TransferState.OFFERED);
        final Path out = cli.file("received.bin");
        cli.as(b, "receive", push, "--out", out.toString(), "--json").ok();
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(config));
        infoState(cli.as(b, "info-acknowledge", push, "--json").ok(), push, TransferState.ACKNOWLEDGED);
        assertThat(information(push).packageHeld()).isFalse();
        final String rejected = SealedPackage.transferIdFor(a.id(), "reject-" + cli.run);
        infoState(cli.as(a, "info-offer", b.id(), "meter-config", "--file", config.toString(), "--request-id",
                "reject-" + cli.run, "--json").ok(), rejected, TransferState.OFFERED);
        infoState(cli.as(b, "info-reject", rejected, "--reason", "not ordered", "--json").ok(), rejected,
                TransferState.REJECTED);
        assertThat(information(rejected).packageHeld()).isFalse();

        // the data center's download (I/O module): sealed to B's PSD, received and acknowledged by B
        final String download = SealedPackage.transferIdFor("DataCenterMSP", "download-" + cli.run);
        final Path bundle = Files.writeString(cli.file("bundle.txt"), "rate table 2027: LETTER-STD 0.95");
        infoState(cli.dataCenter("download", b.id(), "rates", "--file", bundle.toString(), "--content-type", "text/plain",
                "--request-id", "download-" + cli.run, "--json").ok(), download, TransferState.OFFERED);
        assertThat(cli.as(b, "receive", download, "--json").ok().json().path("content").asText())
                .isEqualTo("rate table 2027: LETTER-STD 0.95");
        infoState(cli.as(b, "info-acknowledge", download, "--json").ok(), download, TransferState.ACKNOWLEDGED);

        // expiry, once the deadline has passed on the ledger's clock (the transaction timestamp)
        final RealCli.Run expired = awaitExpiry(deadline, () -> cli.as(b, "expire", expiring, "--json"));
        transferId(expired.ok(), TransferState.EXPIRED);
        assertThat(transfer(expiring).escrow() == null || transfer(expiring).escrow().heldMinorUnits() == 0).isTrue();
        // The information offer was made a moment after the funds offer: its own deadline is a little later.
        final Instant infoDeadline = Instant.ofEpochSecond(information(expiringInfo).deadlineEpochSeconds());
        infoState(awaitExpiry(infoDeadline, () -> cli.as(b, "info-expire", expiringInfo, "--json")).ok(), expiringInfo,
                TransferState.EXPIRED);
        assertThat(information(expiringInfo).packageHeld()).isFalse();
        assertThat(registers(a).descendingRegisterMinorUnits()).isEqualTo(5_000);
        assertThat(registers(b).descendingRegisterMinorUnits()).isZero();
    }

    /** Retries {@code expire} while the ledger says the deadline is not reached (bounded), then returns its last run. */
    private static RealCli.Run awaitExpiry(final Instant deadline, final java.util.function.Supplier<RealCli.Run> expire)
            throws InterruptedException {
        final Instant giveUp = deadline.plusSeconds(30);
        while (true) {
            final long wait = Duration.between(Instant.now(), deadline).toMillis();
            if (wait > 0) {
                Thread.sleep(wait + 200);
            }
            final RealCli.Run run = expire.get();
            if (run.exitCode() != ExitCodes.REFUSED || !run.err().contains("DEADLINE_NOT_REACHED")
                    || Instant.now().isAfter(giveUp)) {
                return run;
            }
            Thread.sleep(500);
        }
    }

    /** The transfer id of a transfer command's {@code --json} output, checked to be in {@code state}. */
    private static String transferId(final RealCli.Run run, final TransferState state) {
        final JsonNode transfer = run.json().path("transfer");
        assertThat(transfer.path("state").asText()).as(run.toString()).isEqualTo(state.name());
        return transfer.path("transferId").asText();
    }

    private static void infoState(final RealCli.Run run, final String transferId, final TransferState state)
            throws Exception {
        final JsonNode transfer = run.json().path("informationTransfer");
        assertThat(transfer.path("transferId").asText()).as(run.toString()).isEqualTo(transferId);
        assertThat(transfer.path("state").asText()).as(run.toString()).isEqualTo(state.name());
        assertThat(information(transferId).state()).isEqualTo(state);
    }

    private static PsdRegisters registers(final RealCli.Meter meter) throws Exception {
        return auditor().meter(meter.id()).registers();
    }

    private static TransferView transfer(final String transferId) throws Exception {
        return auditor().transfer(transferId);
    }

    /** Through the postal authority's peer (the public record; the package itself stays with the two owners). */
    private static InformationTransfer information(final String transferId) throws Exception {
        return Json.convert(Json.treeFromLedger(cli.auditorLedger().evaluate(
                LedgerCall.query(LedgerFunction.GET_INFORMATION_TRANSFER, transferId))).path("informationTransfer"),
                InformationTransfer.class);
    }

    private static AuditorClient auditor() throws Exception {
        return cli.auditor();
    }
}
