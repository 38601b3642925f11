package org.postalfunds.hsm.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.postalfunds.hsm.testing.SoftHsmToken;

/**
 * {@code hsm-bridge/init-token.sh}: a SoftHSM2 token initialised with its PINs read from owner-only files (typed
 * into softhsm2-util's prompt through a pseudo-terminal, never on a command line), which the bridge then opens
 * with the same PIN file; and its refusals, before softhsm2-util is ever started.
 */
class InitTokenScriptTest {
    @Test
    void initialises_a_token_the_bridge_opens_with_the_pin_file_and_refuses_unsafe_or_invalid_pin_files()
            throws Exception {
        SoftHsmToken.ensureConfiguration();
        final Path directory = Files.createTempDirectory("init-token");
        final Path soPin = pinFile(directory.resolve("so.pin"), "so-4471-x", "rw-------");
        final Path userPin = pinFile(directory.resolve("user.pin"), "user-9023-y", "rw-------");

        // Refusals first, while SoftHSM2 is not yet loaded in this JVM (it reads its token directory once).
        final Path readable = pinFile(directory.resolve("readable.pin"), "user-5555", "rw-r--r--");
        final Result worldReadable = run("init-a", soPin.toString(), readable.toString());
        assertThat(worldReadable.exitCode()).isEqualTo(2);
        assertThat(worldReadable.output()).contains("must be readable by its owner only (chmod 600), is 644");
        final Path tooShort = pinFile(directory.resolve("short.pin"), "abc", "rw-------");
        final Result shortPin = run("init-b", soPin.toString(), tooShort.toString());
        assertThat(shortPin.exitCode()).isEqualTo(2);
        assertThat(shortPin.output()).contains("must have 4 to 255 characters");
        final Result badLabel = run("bad label", soPin.toString(), userPin.toString());
        assertThat(badLabel.exitCode()).isEqualTo(2);
        final Result missing = run("init-c", soPin.toString(), directory.resolve("absent.pin").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.output()).contains("cannot read the PIN file");

        final String label = "init-" + Long.toHexString(System.nanoTime());
        final Result initialised = run(label, soPin.toString(), userPin.toString());
        assertThat(initialised.exitCode()).as(initialised.output()).isZero();
        assertThat(initialised.output()).contains("token '" + label + "' initialised")
                .doesNotContain("so-4471-x", "user-9023-y");

        final TokenConfig config = TokenConfig.newBuilder().library(SoftHsmToken.library()).tokenLabel(label)
                .pinSource(PinSource.file(userPin)).build();
        try (PsdToken token = PsdToken.open(config)) {
            assertThat(token.createMeterKey("meter-init").meterId()).isEqualTo("meter-init");
            assertThat(token.signDigest("meter-init", new byte[32])).isNotEmpty();
        } finally {
            new ProcessBuilder("softhsm2-util", "--delete-token", "--token", label).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(final String... arguments) throws IOException, InterruptedException {
        final List<String> command = new java.util.ArrayList<>();
        command.add(SoftHsmToken.initScript().toString());
        command.addAll(List.of(arguments));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("init-token.sh did not finish: " + output);
        }
        return new Result(process.exitValue(), output);
    }

    private static Path pinFile(final Path file, final String pin, final String permissions) throws IOException {
        Files.writeString(file, pin, StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        return file;
    }
}
