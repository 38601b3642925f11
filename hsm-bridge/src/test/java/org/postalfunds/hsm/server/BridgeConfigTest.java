package org.postalfunds.hsm.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import javax.security.auth.x500.X500Principal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration file, its environment overrides and its refusals. */
class BridgeConfigTest {
    @TempDir
    Path directory;

    @Test
    void reads_a_properties_file_resolving_relative_paths_against_its_directory() throws Exception {
        final Path file = write("""
                bridge.port = 9443
                tls.certificateFile = tls/bridge.pem
                tls.privateKeyFile = tls/bridge-key.pem
                tls.clientCaFile = tls/ca.pem
                token.label = psd-org1
                token.pinFile = secrets/token.pin
                access.operatorCommonNames = dc-operator, dc-night-shift
                access.operatorIssuers = CN=ca.DataCenter,O=DataCenter;CN=ca2,O=DataCenter
                audit.file = audit/bridge-audit.log
                """);

        final BridgeConfig config = BridgeConfig.load(file, Map.of());

        assertThat(config.port()).isEqualTo(9443);
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.tlsCertificateFile()).isEqualTo(directory.resolve("tls/bridge.pem"));
        assertThat(config.token().pinSource().toString()).contains(directory.resolve("secrets/token.pin").toString());
        assertThat(config.operatorCommonNames()).containsExactlyInAnyOrder("dc-operator", "dc-night-shift");
        assertThat(config.operatorIssuers()).containsExactlyInAnyOrder(
                new X500Principal("CN=ca.DataCenter,O=DataCenter"), new X500Principal("CN=ca2,O=DataCenter"));
        assertThat(config.auditFile()).contains(directory.resolve("audit/bridge-audit.log"));
        assertThat(config.tlsProtocols()).containsExactly("TLSv1.3", "TLSv1.2");
        assertThat(config.maxInboundMessageBytes()).isEqualTo(320 * 1024);
    }

    @Test
    void environment_variables_override_the_file() throws Exception {
        final Path file = write(minimal());

        final BridgeConfig config = BridgeConfig.load(file, Map.of(
                "PSD_BRIDGE_BRIDGE_PORT", "10443",
                "PSD_BRIDGE_TOKEN_LABEL", "psd-from-env",
                "PSD_BRIDGE_TOKEN_PIN_FILE", "",
                "PSD_BRIDGE_TOKEN_PIN_ENVIRONMENT_VARIABLE", "PSD_PIN",
                "PSD_PIN", "1234"));

        assertThat(config.port()).isEqualTo(10443);
        assertThat(config.token().tokenLabel()).isEqualTo("psd-from-env");
        assertThat(config.token().pinSource().toString()).isEqualTo("environment variable PSD_PIN");
        assertThat(config.toString()).doesNotContain("1234");
    }

    @Test
    void environment_names_are_the_key_in_upper_snake_case_with_the_bridge_prefix() {
        assertThat(BridgeConfig.environmentName("token.pinFile")).isEqualTo("PSD_BRIDGE_TOKEN_PIN_FILE");
        assertThat(BridgeConfig.environmentName("limits.maxInboundMessageBytes"))
                .isEqualTo("PSD_BRIDGE_LIMITS_MAX_INBOUND_MESSAGE_BYTES");
        assertThat(BridgeConfig.environmentName("bridge.port")).isEqualTo("PSD_BRIDGE_BRIDGE_PORT");
    }

    @Test
    void an_unknown_key_is_refused_by_name() throws Exception {
        final Path file = write(minimal() + "token.pin = 1234\n");

        assertThatThrownBy(() -> BridgeConfig.load(file, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[token.pin]");
    }

    @Test
    void exactly_one_pin_source_is_required() throws Exception {
        final Path neither = write(minimal().replace("token.pinFile = token.pin\n", ""));
        final Path both = write(minimal() + "token.pinEnvironmentVariable = PSD_PIN\n");

        assertThatThrownBy(() -> BridgeConfig.load(neither, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exactly one");
        assertThatThrownBy(() -> BridgeConfig.load(both, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exactly one");
    }

    @Test
    void a_missing_required_key_names_the_key_and_its_environment_variable() throws Exception {
        final Path file = write(minimal().replace("token.label = psd-org1\n", ""));

        assertThatThrownBy(() -> BridgeConfig.load(file, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token.label").hasMessageContaining("PSD_BRIDGE_TOKEN_LABEL");
    }

    @Test
    void numbers_outside_their_limits_are_refused() throws Exception {
        assertThatThrownBy(() -> BridgeConfig.load(write(minimal() + "bridge.port = 70000\n"), Map.of()))
                .hasMessageContaining("bridge.port must be between 0 and 65535");
        assertThatThrownBy(() -> BridgeConfig.load(write(minimal() + "limits.maxInboundMessageBytes = 100\n"), Map.of()))
                .hasMessageContaining("limits.maxInboundMessageBytes");
        assertThatThrownBy(() -> BridgeConfig.load(write(minimal() + "bridge.workerThreads = many\n"), Map.of()))
                .hasMessageContaining("whole number");
    }

    @Test
    void only_tls_1_3_and_1_2_are_allowed() throws Exception {
        assertThatThrownBy(() -> BridgeConfig.load(write(minimal() + "tls.protocols = TLSv1.1\n"), Map.of()))
                .hasMessageContaining("TLSv1.1");
    }

    @Test
    void bridge_main_without_arguments_prints_usage_with_every_key_and_exits_with_code_2() {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();

        final int exit = BridgeMain.run(new String[0], new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(exit).isEqualTo(BridgeMain.EXIT_USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--config", "token.pinFile", "PSD_BRIDGE_TOKEN_PIN_FILE");
    }

    @Test
    void bridge_main_with_a_broken_configuration_names_the_problem_and_exits_with_code_2() throws Exception {
        final Path file = write(minimal() + "surprise = yes\n");
        final ByteArrayOutputStream err = new ByteArrayOutputStream();

        final int exit = BridgeMain.run(new String[] {"--config", file.toString()},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(exit).isEqualTo(BridgeMain.EXIT_USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("surprise");
    }

    private static String minimal() {
        return """
                tls.certificateFile = bridge.pem
                tls.privateKeyFile = bridge-key.pem
                tls.clientCaFile = ca.pem
                token.label = psd-org1
                token.pinFile = token.pin
                """;
    }

    private Path write(final String text) throws Exception {
        final Path file = Files.createTempFile(directory, "bridge", ".properties");
        Files.writeString(file, text);
        return file;
    }
}
