package org.postalfunds.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The console's files and sub-commands: the example configuration, add-user, the users file, the certificate. */
class ConsoleCommandsTest {
    @TempDir
    Path directory;

    private String run(final String stdin, final String... args) {
        InputStream in = System.in;
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try {
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            int code = new CommandLine(new ConsoleMain()).execute(args);
            return code + ":" + printed.toString(StandardCharsets.UTF_8);
        } finally {
            System.setIn(in);
            System.setOut(out);
        }
    }

    @Test
    void the_example_configuration_loads_with_paths_relative_to_its_directory() throws Exception {
        ConsoleConfig config = ConsoleConfig.load(Path.of("examples/console.json"));

        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.organisations()).containsOnlyKeys("DataCenterMSP", "PostalAuthorityMSP", "MailerAMSP", "MailerBMSP");
        assertThat(config.organisations().get("MailerAMSP")).isEqualTo(
                Path.of("examples/profiles/mailer-a-profile.json").toAbsolutePath());
        assertThat(config.idleTimeout()).isEqualTo(Duration.ofMinutes(15));
        assertThat(config.tlsCertificate()).isNull();
        assertThat(config.settings().requiredEndorsers()).containsExactly("DataCenterMSP");
    }

    @Test
    void an_unknown_field_in_the_configuration_is_an_error_naming_the_file() throws Exception {
        Path file = Files.writeString(directory.resolve("console.json"), "{\"organisations\": {\"A\": \"a.json\"}, \"prot\": 1}");

        assertThatThrownBy(() -> ConsoleConfig.load(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("console.json").hasMessageContaining("prot");
    }

    @Test
    void add_user_hashes_a_password_from_standard_input_into_an_owner_only_file() throws Exception {
        Path users = directory.resolve("console-users.json");

        String answer = run("a long enough password\n", "add-user", "--users", users.toString(), "--user", "alice",
                "--msp", "PostalAuthorityMSP", "--role", "auditor", "--iterations", "1000");

        assertThat(answer).startsWith("0:").contains("user alice (auditor, PostalAuthorityMSP)");
        assertThat(Files.readString(users)).contains("\"hash\"").contains("\"salt\"").doesNotContain("a long enough password");
        assertThat(Files.getPosixFilePermissions(users)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE);
        UserStore store = UserStore.load(users);
        assertThat(store.authenticate("alice", "a long enough password")).hasValueSatisfying(user -> {
            assertThat(user.role()).isEqualTo(Role.AUDITOR);
            assertThat(user.mspId()).isEqualTo("PostalAuthorityMSP");
        });
        assertThat(store.authenticate("alice", "a long enough passwore")).isEmpty();
    }

    @Test
    void add_user_generates_a_password_once_and_refuses_a_short_one() throws Exception {
        Path users = directory.resolve("console-users.json");

        String generated = run("", "add-user", "--users", users.toString(), "--user", "bob", "--msp", "MailerAMSP",
                "--role", "mailer", "--generate", "--iterations", "1000");
        String shortPassword = run("short\n", "add-user", "--users", users.toString(), "--user", "carl", "--msp",
                "MailerBMSP", "--role", "mailer");

        String password = generated.replaceAll("(?s).*password \\(shown once\\): (\\S+).*", "$1");
        assertThat(UserStore.load(users).authenticate("bob", password)).isPresent();
        assertThat(shortPassword).startsWith("2:").contains("at least 12 characters");
    }

    @Test
    void the_generated_certificate_is_for_localhost_and_kept_for_the_next_start() throws Exception {
        TlsMaterial first = TlsMaterial.selfSigned(directory.resolve("tls"));
        TlsMaterial second = TlsMaterial.selfSigned(directory.resolve("tls"));

        assertThat(first.fingerprint()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}").isEqualTo(second.fingerprint());
        assertThat(first.certificate().getSubjectAlternativeNames()).extracting(name -> (Object) name.get(1))
                .contains((Object) "localhost", (Object) "127.0.0.1");
        assertThat(Files.getPosixFilePermissions(directory.resolve("tls/console-key.pem")))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    }
}
