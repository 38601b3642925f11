package org.postalfunds.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postalfunds.client.Consortium;
import org.postalfunds.hsm.client.PsdBridgeClient;
import org.postalfunds.hsm.crypto.CertificateNames;
import org.postalfunds.hsm.crypto.Pem;
import org.postalfunds.hsm.dev.LocalFabricCa;
import org.postalfunds.hsm.testing.BridgeFixture;
import org.postalfunds.hsm.testing.TestPki;

/**
 * {@code postal ca register-meter}, {@code postal meter enrol} and {@code datacenter register --enrol} against a real
 * Fabric CA 1.5.21 and a real bridge over a SoftHSM2 token; the ledger is the contract in-process.
 */
@Tag("softhsm")
class FabricCaCommandsTest {
    private static Path directory;
    private static CliFixture cli;
    private static LocalFabricCa fabricCa;
    private static BridgeFixture bridge;
    private static Path dataCenter;
    private static Path operatorBridge;
    private static Path registrarCertificate;
    private static Path registrarKey;

    @BeforeAll
    static void start() throws Exception {
        directory = Files.createTempDirectory("cli-fabric-ca");
        cli = new CliFixture(directory);
        // The in-process ledger runs on a fixed clock; a Fabric CA certificate is valid from a few minutes ago.
        cli.consortium.clock().set(java.time.Instant.now());
        dataCenter = cli.profile("datacenter", cli.consortium.dataCenterIdentity, null);
        fabricCa = LocalFabricCa.start(directory.resolve("fabric-ca"), "ca.MailerA");
        registrarCertificate = directory.resolve("admin-cert.pem");
        registrarKey = directory.resolve("admin-key.pem");
        fabricCa.enrolBootstrapAdmin(registrarCertificate, registrarKey);
        bridge = BridgeFixture.start("cli-fabric-ca");
        operatorBridge = operatorBridgeSettings();
    }

    @AfterAll
    static void stop() throws Exception {
        if (bridge != null) {
            bridge.close();
        }
        if (fabricCa != null) {
            fabricCa.close();
        }
    }

    @Test
    void the_owner_registers_the_meter_the_operator_enrols_it_in_the_token_and_the_data_center_registers_it() throws Exception {
        final Path secret = directory.resolve("meter-C1.secret");
        final CliFixture.Run registered = cli.run(caArgs("ca", "register-meter", "meter-C1", "--registrar-certificate",
                registrarCertificate.toString(), "--registrar-key", registrarKey.toString(), "--secret-out", secret.toString()));
        assertThat(registered.exitCode()).as(registered.toString()).isZero();
        assertThat(Files.getPosixFilePermissions(secret)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        final Path certificateFile = directory.resolve("meter-C1.pem");
        final CliFixture.Run enrolled = cli.run(caArgs("meter", "enrol", "meter-C1", "--bridge", operatorBridge.toString(),
                "--owner-org", "MailerA", "--owner-msp", Consortium.MAILER_A, "--enrollment-secret-file", secret.toString(),
                "--certificate-out", certificateFile.toString()));
        assertThat(enrolled.exitCode()).as(enrolled.toString()).isZero();

        final X509Certificate certificate = Pem.readCertificates(certificateFile).get(0);
        try (PsdBridgeClient operator = bridge.operator()) {
            assertThat(certificate.getPublicKey().getEncoded()).isEqualTo(operator.publicKey("meter-C1").publicKey().getEncoded());
            assertThat(operator.publicKey("meter-C1").enrolled()).isTrue();
        }
        assertThat(CertificateNames.organizationalUnits(certificate)).containsExactly("client");
        assertThat(CertificateNames.commonName(certificate)).contains("meter-C1");
        certificate.verify(fabricCa.caCertificate().getPublicKey());

        final CliFixture.Run onLedger = cli.as(dataCenter, "datacenter", "register", "meter-C1", "--owner-msp",
                Consortium.MAILER_A, "--certificate", certificateFile.toString(), "--max-balance", "1000",
                "--max-postage-per-piece", "10", "--max-transfer", "100");
        assertThat(onLedger.exitCode()).as(onLedger.toString()).isZero();
    }

    @Test
    void the_data_center_enrols_and_registers_in_one_command() throws Exception {
        final Path secret = directory.resolve("meter-C2.secret");
        final CliFixture.Run registered = cli.run(caArgs("ca", "register-meter", "meter-C2", "--registrar-certificate",
                registrarCertificate.toString(), "--registrar-key", registrarKey.toString(), "--secret-out", secret.toString()));
        assertThat(registered.exitCode()).as(registered.toString()).isZero();

        final CliFixture.Run run = cli.as(dataCenter, caArgs("datacenter", "register", "meter-C2", "--owner-msp",
                Consortium.MAILER_A, "--enrol", "--bridge", operatorBridge.toString(), "--owner-org", "MailerA",
                "--enrollment-secret-file", secret.toString(), "--max-balance", "1000", "--max-postage-per-piece", "10",
                "--max-transfer", "100"));

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("registered meter meter-C2 of MailerAMSP");
    }

    @Test
    void a_second_registration_of_the_meter_is_refused_and_leaves_no_secret_file() throws Exception {
        final String[] register = {"--registrar-certificate", registrarCertificate.toString(), "--registrar-key",
                registrarKey.toString(), "--secret-out"};
        assertThat(cli.run(caArgs(concat(new String[] {"ca", "register-meter", "meter-C3"}, register,
                directory.resolve("meter-C3.secret").toString()))).exitCode()).isZero();

        final Path second = directory.resolve("meter-C3-again.secret");
        final CliFixture.Run again = cli.run(caArgs(concat(new String[] {"ca", "register-meter", "meter-C3"}, register,
                second.toString())));

        assertThat(again.exitCode()).as(again.toString()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(again.err()).contains("code 74").contains("Identity 'meter-C3' is already registered");
        assertThat(second).doesNotExist();
    }

    @Test
    void a_wrong_enrollment_secret_is_refused_with_the_cas_message_and_nothing_is_stored() throws Exception {
        final Path wrong = Files.writeString(directory.resolve("wrong.secret"), "not-the-secret\n");
        Files.setPosixFilePermissions(wrong, PosixFilePermissions.fromString("rw-------"));
        assertThat(cli.run(caArgs("ca", "register-meter", "meter-C4", "--registrar-certificate", registrarCertificate.toString(),
                "--registrar-key", registrarKey.toString(), "--secret-out", directory.resolve("meter-C4.secret").toString()))
                .exitCode()).isZero();

        final Path certificateFile = directory.resolve("meter-C4.pem");
        final CliFixture.Run run = cli.run(caArgs("meter", "enrol", "meter-C4", "--bridge", operatorBridge.toString(),
                "--owner-org", "MailerA", "--owner-msp", Consortium.MAILER_A, "--enrollment-secret-file", wrong.toString(),
                "--certificate-out", certificateFile.toString()));

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).contains("code 20").contains("Authentication failure");
        assertThat(certificateFile).doesNotExist();
        try (PsdBridgeClient operator = bridge.operator()) {
            assertThat(operator.publicKey("meter-C4").enrolled()).isFalse();
        }
    }

    @Test
    void enrolment_options_without_the_fabric_ca_are_refused_as_bad_input() {
        final CliFixture.Run run = cli.run("meter", "enrol", "meter-C5", "--bridge", operatorBridge.toString(),
                "--owner-org", "MailerA", "--owner-msp", Consortium.MAILER_A, "--enrollment-secret-file", "x",
                "--certificate-out", directory.resolve("meter-C5.pem").toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).contains("--fabric-ca");
    }

    private static String[] caArgs(final String... args) {
        return concat(args, new String[] {"--fabric-ca", fabricCa.url().toString(), "--fabric-ca-tls",
                fabricCa.caCertificateFile().toString()});
    }

    private static String[] concat(final String[] first, final String[] second, final String... third) {
        final List<String> all = new java.util.ArrayList<>(List.of(first));
        all.addAll(List.of(second));
        all.addAll(List.of(third));
        return all.toArray(String[]::new);
    }

    /** The operator's bridge settings file, as {@code --bridge} takes it. */
    private static Path operatorBridgeSettings() throws Exception {
        final Path folder = Files.createDirectories(directory.resolve("operator"));
        final TestPki.ClientCredentials client = bridge.pki().client(BridgeFixture.OPERATOR_CN, "operator");
        Pem.writeCertificates(folder.resolve("client.pem"), List.of(client.certificate()));
        Pem.writePrivateKey(folder.resolve("client-key.pem"), client.privateKey());
        Files.copy(bridge.caFile(), folder.resolve("bridge-ca.pem"));
        return Files.writeString(folder.resolve("bridge.json"), "{\"host\": \"127.0.0.1\", \"port\": " + bridge.port()
                + ", \"serverName\": \"localhost\", \"trustedCertificates\": \"bridge-ca.pem\", "
                + "\"clientCertificate\": \"client.pem\", \"clientKey\": \"client-key.pem\"}\n");
    }
}
