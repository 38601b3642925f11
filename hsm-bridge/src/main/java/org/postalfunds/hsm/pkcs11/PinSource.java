package org.postalfunds.hsm.pkcs11;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Where the token's user PIN comes from: a file or an environment variable, never the configuration file.
 *
 * <p>Holds only the location. {@link #read()} returns a fresh array that the caller wipes after login;
 * {@link #toString()} names the location, never the PIN.
 */
public final class PinSource {
    /** PINs are short; a longer "PIN file" is the wrong file. */
    public static final int MAX_PIN_LENGTH = 256;

    private static final Logger LOG = Logger.getLogger(PinSource.class.getName());

    private final Path file;
    private final String variable;
    private final Map<String, String> environment;

    private PinSource(final Path file, final String variable, final Map<String, String> environment) {
        this.file = file;
        this.variable = variable;
        this.environment = environment;
    }

    /** The PIN is the content of the file, without a trailing line break. */
    public static PinSource file(final Path file) {
        return new PinSource(Objects.requireNonNull(file, "file"), null, null);
    }

    /** The PIN is the value of an environment variable of this process. */
    public static PinSource environmentVariable(final String variable) {
        return environmentVariable(variable, System.getenv());
    }

    /** The PIN is the value of a variable in the given environment (tests pass their own map). */
    public static PinSource environmentVariable(final String variable, final Map<String, String> environment) {
        if (variable == null || variable.isBlank()) {
            throw new IllegalArgumentException("PIN environment variable name is empty");
        }
        return new PinSource(null, variable, Map.copyOf(environment));
    }

    /** A fresh copy of the PIN; wipe it with {@code Arrays.fill(pin, '\0')} after use. */
    public char[] read() throws TokenException {
        final char[] pin = file != null ? readFile() : readVariable();
        if (pin.length == 0) {
            throw new TokenException(TokenException.Reason.PIN_UNAVAILABLE, "the PIN from " + this + " is empty");
        }
        if (pin.length > MAX_PIN_LENGTH) {
            Arrays.fill(pin, '\0');
            throw new TokenException(TokenException.Reason.PIN_UNAVAILABLE,
                    "the PIN from " + this + " is longer than " + MAX_PIN_LENGTH + " characters");
        }
        return pin;
    }

    private char[] readFile() throws TokenException {
        if (!Files.isRegularFile(file)) {
            throw new TokenException(TokenException.Reason.PIN_UNAVAILABLE, "PIN file " + file + " does not exist");
        }
        warnIfReadableByOthers();
        final byte[] bytes;
        try {
            if (Files.size(file) > MAX_PIN_LENGTH + 2) {
                throw new TokenException(TokenException.Reason.PIN_UNAVAILABLE,
                        "PIN file " + file + " is longer than a PIN can be");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new TokenException(TokenException.Reason.PIN_UNAVAILABLE, null,
                    "PIN file " + file + " cannot be read: " + e.getMessage(), e);
        }
        final CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(bytes));
        Arrays.fill(bytes, (byte) 0);
        int end = chars.limit();
        while (end > 0 && (chars.get(end - 1) == '\n' || chars.get(end - 1) == '\r')) {
            end--;
        }
        final char[] pin = new char[end];
        chars.get(pin, 0, end);
        Arrays.fill(chars.array(), '\0');
        return pin;
    }

    private char[] readVariable() throws TokenException {
        final String value = environment.get(variable);
        if (value == null) {
            throw new TokenException(TokenException.Reason.PIN_UNAVAILABLE,
                    "environment variable " + variable + " holding the PIN is not set");
        }
        return value.toCharArray();
    }

    private void warnIfReadableByOthers() {
        try {
            final Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.contains(PosixFilePermission.GROUP_READ)
                    || permissions.contains(PosixFilePermission.OTHERS_READ)) {
                LOG.warning("PIN file " + file + " is readable by group or others; make it owner-only (chmod 600)");
            }
        } catch (IOException | UnsupportedOperationException e) {
            // Not a POSIX file system: nothing to check.
        }
    }

    @Override
    public String toString() {
        return file != null ? "PIN file " + file : "environment variable " + variable;
    }
}
