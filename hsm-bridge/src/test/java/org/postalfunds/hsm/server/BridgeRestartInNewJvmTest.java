package org.postalfunds.hsm.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postalfunds.hsm.client.PsdBridgeClient;
import org.postalfunds.hsm.testing.BridgeFixture;
import org.postalfunds.hsm.testing.TestPki;

/**
 * The bridge as operators run it: {@code BridgeMain --config file} in a JVM of its own, over the same token
 * the previous bridge used.
 */
class BridgeRestartInNewJvmTest {
    private static final Pattern LISTENING = Pattern.compile("psd-bridge listening on 127\\.0\\.0\\.1:(\\d+) token=\\S+");
    private static final long START_TIMEOUT_SECONDS = 60;

    private static BridgeFixture bridge;

    @BeforeAll
    static void startBridge() throws Exception {
        bridge = BridgeFixture.start("new-jvm");
    }

    @AfterAll
    static void stopBridge() throws Exception {
        bridge.close();
    }

    @Test
    void a_bridge_started_in_a_new_jvm_finds_the_meter_key_and_signs_with_it() throws Exception {
        final ECPublicKey created;
        try (PsdBridgeClient operator = bridge.operator()) {
            created = operator.createMeterKey("meter-jvm").publicKey();
        }
        bridge.stopServer();

        final Process child = startBridgeMain(bridge.writeConfigFile(Map.of()), Map.of());
        try {
            final int port = awaitListening(child);
            final TestPki.ClientCredentials meterCredentials = bridge.pki().client("meter-jvm", "client");
            try (PsdBridgeClient meter = PsdBridgeClient.newBuilder().target("127.0.0.1", port)
                    .trustedCertificates(bridge.caFile())
                    .clientCertificate(meterCredentials.certificate(), meterCredentials.privateKey())
                    .build()) {
                assertThat(meter.publicKey("meter-jvm").publicKey().getEncoded()).isEqualTo(created.getEncoded());
                final byte[] digest = new byte[32];
                digest[0] = 7;
                final Signature verifier = Signature.getInstance("NONEwithECDSA");
                verifier.initVerify(created);
                verifier.update(digest);
                assertThat(verifier.verify(meter.signDigest("meter-jvm", digest))).isTrue();
            }
        } finally {
            child.destroy();
            assertThat(child.waitFor(20, TimeUnit.SECONDS)).as("bridge stops on SIGTERM").isTrue();
            bridge.startServer();
        }
    }

    @Test
    void bridge_main_names_a_wrong_pin_from_the_environment_override_and_exits_with_code_3() throws Exception {
        final Path wrongPin = Files.writeString(bridge.token().directory().resolve("wrong.pin"), "definitely-wrong\n");
        final Process child = startBridgeMain(bridge.writeConfigFile(Map.of()),
                Map.of(BridgeConfig.environmentName("token.pinFile"), wrongPin.toString()));

        final String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(START_TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).isEqualTo(BridgeMain.EXIT_TOKEN);
        assertThat(output).contains("PIN_INCORRECT", bridge.token().label()).doesNotContain("definitely-wrong");
    }

    @Test
    void bridge_main_names_a_missing_token_label_and_exits_with_code_3() throws Exception {
        final Process child = startBridgeMain(bridge.writeConfigFile(Map.of("token.label", "no-such-psd")), Map.of());

        final String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(START_TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).isEqualTo(BridgeMain.EXIT_TOKEN);
        assertThat(output).contains("TOKEN_NOT_FOUND", "no-such-psd");
    }

    private static Process startBridgeMain(final Path configFile, final Map<String, String> environment) throws IOException {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--add-exports");
        command.add("jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED");
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BridgeMain.class.getName());
        command.add("--config");
        command.add(configFile.toString());
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        return builder.start();
    }

    /** Reads the child's output until it prints the port; the rest is drained in the background. */
    private static int awaitListening(final Process child) throws Exception {
        final BufferedReader reader = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        final CompletableFuture<Integer> port = new CompletableFuture<>();
        final StringBuilder seen = new StringBuilder();
        final Thread drain = new Thread(() -> {
            try {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    final Matcher matcher = LISTENING.matcher(line);
                    if (matcher.find()) {
                        port.complete(Integer.parseInt(matcher.group(1)));
                    } else if (!port.isDone()) {
                        seen.append(line).append('\n');
                    }
                }
                port.completeExceptionally(new IOException("bridge exited before listening:\n" + seen));
            } catch (IOException e) {
                port.completeExceptionally(e);
            }
        }, "bridge-output");
        drain.setDaemon(true);
        drain.start();
        return port.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
}
