package org.postalfunds.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.client.Consortium;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.RequestId;

/** {@code postal meter watch}: the policy file, the checkpoint file and the grant book on disk. */
class WatchCommandTest {
    @TempDir
    Path directory;

    @Test
    void the_watch_command_grants_by_policy_and_a_second_run_resumes_after_its_checkpoint() throws Exception {
        CliFixture cli = new CliFixture(directory);
        Path dataCenter = cli.profile("datacenter", cli.consortium.dataCenterIdentity, null);
        CliFixture.MeterFiles distributor = cli.meter("meter-D", Consortium.MAILER_B);
        cli.as(dataCenter, "datacenter", "register", "meter-D", "--owner-msp", "MailerBMSP", "--certificate",
                distributor.certificate().toString(), "--max-balance", "10000", "--max-postage-per-piece", "10",
                "--max-transfer", "5000");
        cli.as(dataCenter, "datacenter", "refill", "meter-D", "1000.00");
        MeterClient recipient = cli.consortium.registerMeter("meter-R", Consortium.MAILER_A);
        assertThat(cli.as(distributor.profile(), "meter", "authorise", "meter-R").exitCode()).isZero();
        long startBlock = cli.consortium.network.height();
        String first = recipient.request(RequestId.random(), "meter-D", 2_000,
                cli.consortium.clock().instant().plus(Duration.ofHours(1))).transferId();
        Path policy = Files.writeString(directory.resolve("policy.json"), "{\"meterId\":\"meter-D\",\"distributor\":"
                + "{\"recipients\":[{\"meterId\":\"meter-R\",\"maxPerRequest\":\"50.00\",\"maxPerDay\":\"100.00\"}],"
                + "\"maxPerDay\":\"100.00\",\"escrowHours\":12}}");
        Path checkpoint = directory.resolve("watch.checkpoint");

        CliFixture.Run firstRun = cli.as(distributor.profile(), "meter", "watch", "--policy", policy.toString(),
                "--checkpoint", checkpoint.toString(), "--from-block", Long.toString(startBlock), "--stop-when-idle", "1");
        String second = recipient.request(RequestId.random(), "meter-D", 7_000,
                cli.consortium.clock().instant().plus(Duration.ofHours(1))).transferId();
        String third = recipient.request(RequestId.random(), "meter-D", 3_000,
                cli.consortium.clock().instant().plus(Duration.ofHours(1))).transferId();
        CliFixture.Run secondRun = cli.as(distributor.profile(), "meter", "watch", "--policy", policy.toString(),
                "--checkpoint", checkpoint.toString(), "--stop-when-idle", "1");

        assertThat(firstRun.exitCode()).as(firstRun.toString()).isZero();
        assertThat(firstRun.out()).contains("GRANTED " + first);
        assertThat(firstRun.err()).contains("from block " + startBlock).contains("caught up");
        assertThat(secondRun.exitCode()).as(secondRun.toString()).isZero();
        assertThat(secondRun.out()).doesNotContain(first).contains("OVER_LIMIT " + second).contains("GRANTED " + third);
        assertThat(secondRun.err()).contains("after transaction");
        assertThat(recipient.transfer(first).transfer().state()).isEqualTo(TransferState.GRANTED);
        assertThat(recipient.transfer(second).transfer().state()).isEqualTo(TransferState.REQUESTED);
        assertThat(recipient.transfer(third).transfer().state()).isEqualTo(TransferState.GRANTED);
        assertThat(directory.resolve("watch.checkpoint.grants.json")).exists();
    }

    @Test
    void a_policy_file_with_an_error_stops_the_watch_before_it_starts_with_exit_code_5() throws Exception {
        CliFixture cli = new CliFixture(directory);
        CliFixture.MeterFiles meter = cli.meter("meter-D", Consortium.MAILER_B);
        Path policy = Files.writeString(directory.resolve("policy.json"), "{\"meterId\":\"meter-D\",\"recipient\":{}}");

        CliFixture.Run run = cli.as(meter.profile(), "meter", "watch", "--policy", policy.toString(), "--checkpoint",
                directory.resolve("c").toString(), "--stop-when-idle", "1");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).contains("policy.json").contains("recipient.donors");
    }
}
