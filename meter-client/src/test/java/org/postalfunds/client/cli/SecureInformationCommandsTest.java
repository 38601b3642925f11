package org.postalfunds.client.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postalfunds.api.format.SealedPackage;
import org.postalfunds.api.model.MeterKind;
import org.postalfunds.api.model.MeterRegistration;
import org.postalfunds.client.Consortium;
import org.postalfunds.client.RequestId;
import org.postalfunds.hsm.MeterSubject;
import org.postalfunds.hsm.client.PsdBridgeClient;
import org.postalfunds.hsm.crypto.Pem;
import org.postalfunds.hsm.enrol.MeterEnrolment;
import org.postalfunds.hsm.enrol.OrgCertificateAuthority;
import org.postalfunds.hsm.testing.BridgeFixture;
import org.postalfunds.hsm.testing.TestPki;

/**
 * {@code postal meter info-*} and {@code receive} with meter profiles whose PSD keys sit in a real SoftHSM2 token
 * behind the real bridge (mutual TLS from the profile's files); the ledger is the contract in-process.
 */
@Tag("softhsm")
class SecureInformationCommandsTest {
    @TempDir
    static Path directory;

    private static BridgeFixture bridge;
    private static CliFixture cli;
    private static Path meterA;
    private static Path meterB;

    @BeforeAll
    static void metersWithBridgeProfiles() throws Exception {
        bridge = BridgeFixture.start("cli-info");
        cli = new CliFixture(directory);
        cli.consortium.clock().set(Instant.now());
        // Enrolled as in production: key in the token, CSR signed there, certificate from the owner's CA imported.
        try (PsdBridgeClient operator = bridge.operator()) {
            register("mA1", Consortium.MAILER_A, new MeterEnrolment(operator, OrgCertificateAuthority.create("MailerA"),
                    Consortium.MAILER_A).enrol(MeterSubject.client("mA1", "MailerA")));
            register("mB1", Consortium.MAILER_B, new MeterEnrolment(operator, OrgCertificateAuthority.create("MailerB"),
                    Consortium.MAILER_B).enrol(MeterSubject.client("mB1", "MailerB")));
        }
        meterA = bridgeProfile("mA1", Consortium.MAILER_A);
        meterB = bridgeProfile("mB1", Consortium.MAILER_B);
    }

    @AfterAll
    static void stop() throws Exception {
        if (bridge != null) {
            bridge.close();
        }
    }

    private static void register(final String meterId, final String ownerMsp,
            final org.postalfunds.hsm.enrol.EnrolledMeter enrolled) throws Exception {
        cli.consortium.dataCenter.register(RequestId.random(), MeterRegistration.builder().meterId(meterId)
                .ownerMsp(ownerMsp).certificate(enrolled.certificate())
                .keyAgreementCertificate(enrolled.keyAgreementCertificate()).kind(MeterKind.POSTAL_METER)
                .model("PM-2000").limits(Consortium.LIMITS).build());
    }

    /** A meter profile that signs and unseals through the bridge, with the meter's own TLS client certificate. */
    private static Path bridgeProfile(final String meterId, final String mspId) throws Exception {
        final Path folder = Files.createDirectories(directory.resolve(meterId));
        final TestPki.ClientCredentials client = bridge.pki().client(meterId, "client");
        Pem.writeCertificates(folder.resolve("bridge-client.pem"), List.of(client.certificate()));
        Pem.writePrivateKey(folder.resolve("bridge-client-key.pem"), client.privateKey());
        Files.copy(bridge.caFile(), folder.resolve("bridge-ca.pem"));
        Files.copy(bridge.caFile(), folder.resolve("peer-ca.pem"));
        final Path profile = folder.resolve("profile.json");
        Files.writeString(profile, "{\n  \"peerEndpoint\": \"127.0.0.1:7051\",\n  \"serverName\": \"peer0.example\",\n"
                + "  \"tlsRootCertificate\": \"peer-ca.pem\",\n  \"mspId\": \"" + mspId + "\",\n"
                + "  \"meterId\": \"" + meterId + "\",\n  \"hsmBridge\": {\n    \"host\": \"127.0.0.1\", \"port\": "
                + bridge.port() + ", \"serverName\": \"localhost\",\n    \"trustedCertificates\": \"bridge-ca.pem\",\n"
                + "    \"clientCertificate\": \"bridge-client.pem\",\n    \"clientKey\": \"bridge-client-key.pem\"\n  }\n}\n",
                UTF_8);
        return profile;
    }

    @Test
    void a_pull_is_requested_granted_from_a_file_received_and_accepted() throws Exception {
        final Path rateTable = Files.writeString(directory.resolve("rates.json"), "{\"LETTER-STD\":95}");
        final String transferId = SealedPackage.transferIdFor("mB1", "pull-cli-1");

        final CliFixture.Run requested = cli.as(meterB, "meter", "info-request", "mA1", "rate-table",
                "--request-id", "pull-cli-1");
        final CliFixture.Run granted = cli.as(meterA, "meter", "info-grant", transferId, "--file", rateTable.toString(),
                "--content-type", "application/json");
        final CliFixture.Run received = cli.as(meterB, "meter", "receive", transferId);
        final CliFixture.Run accepted = cli.as(meterB, "meter", "info-accept", transferId);

        assertThat(requested.exitCode()).as(requested.toString()).isZero();
        assertThat(granted.exitCode()).as(granted.toString()).isZero();
        assertThat(granted.out()).contains("InformationGranted").contains("SHA-256");
        assertThat(received.exitCode()).as(received.toString()).isZero();
        assertThat(received.out()).contains("received 'rate-table'").contains("{\"LETTER-STD\":95}");
        assertThat(accepted.exitCode()).as(accepted.toString()).isZero();
        assertThat(accepted.out()).contains("ACCEPTED").contains("(purged)");
    }

    @Test
    void a_push_is_offered_received_into_a_file_and_acknowledged() throws Exception {
        final byte[] configuration = {0, 1, 2, (byte) 0xFE, (byte) 0xFF};
        final Path file = Files.write(directory.resolve("config.bin"), configuration);
        final Path out = directory.resolve("received.bin");
        final String transferId = SealedPackage.transferIdFor("mA1", "push-cli-1");

        final CliFixture.Run offered = cli.as(meterA, "meter", "info-offer", "mB1", "meter-config", "--file",
                file.toString(), "--request-id", "push-cli-1");
        final CliFixture.Run received = cli.as(meterB, "meter", "receive", transferId, "--out", out.toString());
        final CliFixture.Run acknowledged = cli.as(meterB, "meter", "info-acknowledge", transferId);

        assertThat(offered.exitCode()).as(offered.toString()).isZero();
        assertThat(received.exitCode()).as(received.toString()).isZero();
        assertThat(Files.readAllBytes(out)).isEqualTo(configuration);
        assertThat(acknowledged.exitCode()).as(acknowledged.toString()).isZero();
        assertThat(acknowledged.out()).contains("ACKNOWLEDGED");
    }

    @Test
    void the_data_center_downloads_a_file_that_the_meter_receives_and_acknowledges() throws Exception {
        final Path dataCenter = cli.profile("dc", cli.consortium.dataCenterIdentity, null);
        final Path bundle = Files.writeString(directory.resolve("bundle.txt"), "rate table 2027: LETTER-STD 0.95");
        final String transferId = SealedPackage.transferIdFor("DataCenterMSP", "dl-cli-1");

        final CliFixture.Run downloaded = cli.as(dataCenter, "datacenter", "download", "mB1", "rates", "--file",
                bundle.toString(), "--content-type", "text/plain", "--request-id", "dl-cli-1");
        final CliFixture.Run received = cli.as(meterB, "meter", "receive", transferId, "--json");
        final CliFixture.Run acknowledged = cli.as(meterB, "meter", "info-acknowledge", transferId);

        assertThat(downloaded.exitCode()).as(downloaded.toString()).isZero();
        assertThat(downloaded.out()).contains("DOWNLOAD DataCenterMSP -> mB1");
        assertThat(received.exitCode()).as(received.toString()).isZero();
        assertThat(received.out()).contains("\"content\" : \"rate table 2027: LETTER-STD 0.95\"");
        assertThat(acknowledged.exitCode()).as(acknowledged.toString()).isZero();
    }

    @Test
    void an_oversize_file_is_refused_before_anything_is_sealed_or_sent() throws Exception {
        final Path large = Files.write(directory.resolve("large.bin"), new byte[SealedPackage.MAX_CONTENT_BYTES + 1]);

        final CliFixture.Run offered = cli.as(meterA, "meter", "info-offer", "mB1", "firmware", "--file", large.toString());

        assertThat(offered.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(offered.err()).contains("at most " + SealedPackage.MAX_CONTENT_BYTES);
    }
}
