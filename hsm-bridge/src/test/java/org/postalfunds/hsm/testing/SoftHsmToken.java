package org.postalfunds.hsm.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.postalfunds.hsm.pkcs11.PinSource;
import org.postalfunds.hsm.pkcs11.TokenConfig;

/**
 * A real SoftHSM2 token made for one test class with {@code softhsm2-util --init-token --free}, deleted on close.
 *
 * <p>SoftHSM2 reads SOFTHSM2_CONF once per process, so the test JVM's configuration (set by the Maven build
 * to a file under target/) is shared; each test class still gets a token of its own, with a unique label,
 * in that private token directory. Nothing outside target/ is touched.
 *
 * <p>SoftHSM2 sees only the tokens that exist when a process first loads it, so a test class creates every
 * token it needs before it opens any (the build runs each test class in a JVM of its own).
 */
public final class SoftHsmToken implements AutoCloseable {
    /** The script that initialises a token with its PINs read from files (never on a command line). */
    public static final String INIT_SCRIPT = "hsm-bridge/init-token.sh";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long UTIL_TIMEOUT_SECONDS = 30;

    private final String label;
    private final String pin;
    private final Path directory;
    private final Path pinFile;

    private SoftHsmToken(final String label, final String pin, final Path directory) throws IOException {
        this.label = label;
        this.pin = pin;
        this.directory = directory;
        this.pinFile = directory.resolve("token.pin");
        Files.createFile(pinFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(pinFile, pin, StandardCharsets.US_ASCII);
    }

    /** Initialises a fresh token labelled {@code <purpose>-<random>} with a random user PIN. */
    public static SoftHsmToken create(final String purpose) throws IOException, InterruptedException {
        ensureConfiguration();
        final String suffix = HexFormat.of().formatHex(randomBytes(4));
        final String label = (purpose.length() > 20 ? purpose.substring(0, 20) : purpose) + "-" + suffix;
        final String pin = "pin-" + HexFormat.of().formatHex(randomBytes(6));
        final SoftHsmToken token = new SoftHsmToken(label, pin, Files.createTempDirectory("psd-token-" + label));
        // The SO PIN is only needed to initialise; it lives in an owner-only file as long as the call.
        final Path soPinFile = token.directory.resolve("so.pin");
        Files.createFile(soPinFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(soPinFile, "so-" + HexFormat.of().formatHex(randomBytes(6)), StandardCharsets.US_ASCII);
        try {
            run(List.of(initScript().toString(), label, soPinFile.toString(), token.pinFile.toString()));
        } finally {
            Files.delete(soPinFile);
        }
        return token;
    }

    /** {@value #INIT_SCRIPT}, found from the module the tests run in (hsm-bridge, or meter-client beside it). */
    public static Path initScript() {
        for (Path folder = Path.of("").toAbsolutePath(); folder != null; folder = folder.getParent()) {
            final Path script = folder.resolve(INIT_SCRIPT);
            if (Files.isExecutable(script)) {
                return script;
            }
        }
        throw new IllegalStateException(INIT_SCRIPT + " not found above " + Path.of("").toAbsolutePath());
    }

    public static Path library() {
        return Path.of(System.getProperty("psd.test.pkcs11Library", "/usr/lib/softhsm/libsofthsm2.so"));
    }

    public String label() {
        return label;
    }

    public String pin() {
        return pin;
    }

    /** Owner-only file holding the PIN, as the bridge is meant to read it. */
    public Path pinFile() {
        return pinFile;
    }

    /** A scratch directory that lives as long as the token (TLS files, audit trail). */
    public Path directory() {
        return directory;
    }

    public TokenConfig config() {
        return TokenConfig.newBuilder().library(library()).tokenLabel(label).pinSource(PinSource.file(pinFile)).build();
    }

    @Override
    public void close() throws IOException {
        try {
            run(List.of("softhsm2-util", "--delete-token", "--token", label));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while deleting token " + label, e);
        }
        try (var files = Files.walk(directory)) {
            final List<Path> paths = new ArrayList<>(files.toList());
            java.util.Collections.reverse(paths);
            for (final Path path : paths) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** Writes the SoftHSM2 configuration SOFTHSM2_CONF names, with a token directory beside it. */
    public static synchronized void ensureConfiguration() throws IOException {
        final String conf = System.getenv("SOFTHSM2_CONF");
        if (conf == null || conf.isBlank()) {
            throw new IllegalStateException("SOFTHSM2_CONF is not set; run the tests through Maven, which points it "
                    + "at a private configuration under target/");
        }
        final Path file = Path.of(conf);
        final Path tokens = file.toAbsolutePath().getParent().resolve("tokens");
        // Written every time (same content): a cleaned token directory must not break the next run.
        Files.createDirectories(tokens);
        Files.writeString(file, String.join("\n",
                "directories.tokendir = " + tokens,
                "objectstore.backend = file",
                "log.level = ERROR",
                "slots.removable = false",
                ""), StandardCharsets.US_ASCII);
    }

    private static void run(final List<String> command) throws IOException, InterruptedException {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(UTIL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(command.get(0) + " " + command.get(1) + " did not finish");
        }
        if (process.exitValue() != 0) {
            // The PINs are test values, but keep them out of failure output all the same.
            throw new IOException(command.get(0) + " " + command.get(1) + " failed (" + process.exitValue() + "): " + output);
        }
    }

    private static byte[] randomBytes(final int count) {
        final byte[] bytes = new byte[count];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
