package org.postalfunds.console;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The console's users, from a JSON file: name, organisation (MSP id), role, and a PBKDF2-HMAC-SHA256 hash of
 * the password with its salt and iteration count. Passwords are never stored; the file is written owner-only.
 *
 * <pre>{"users": [{"user": "alice", "mspId": "PostalAuthorityMSP", "role": "auditor",
 *                 "salt": "...", "hash": "...", "iterations": 210000}]}</pre>
 */
public final class UserStore {
    public static final int DEFAULT_ITERATIONS = 210_000;
    public static final int MIN_ITERATIONS = 1_000;
    public static final int MIN_PASSWORD_CHARS = 12;
    private static final Pattern USER = Pattern.compile("[a-z0-9][a-z0-9._-]{0,31}");
    private static final Pattern MSP = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]{0,63}");
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).enable(SerializationFeature.INDENT_OUTPUT);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One user as the file stores it. */
    public record StoredUser(@JsonProperty("user") String user, @JsonProperty("mspId") String mspId,
            @JsonProperty("role") String role, @JsonProperty("salt") String salt, @JsonProperty("hash") String hash,
            @JsonProperty("iterations") int iterations) {
    }

    record UsersFile(@JsonProperty("users") List<StoredUser> users) {
    }

    /** A logged-in (or logging-in) user. */
    public record User(String name, String mspId, Role role) {
    }

    private final Map<String, StoredUser> users;
    private final StoredUser dummy;

    private UserStore(final Map<String, StoredUser> users) {
        this.users = users;
        this.dummy = hash(Base64.getEncoder().encodeToString(new byte[16]), "nobody", "AnyMSP", Role.MAILER, "not a password at all", DEFAULT_ITERATIONS);
    }

    public static UserStore load(final Path file) throws IOException {
        Map<String, StoredUser> users = new TreeMap<>();
        for (StoredUser stored : read(file)) {
            validate(stored);
            if (users.put(stored.user(), stored) != null) {
                throw new IllegalArgumentException(file + ": user " + stored.user() + " appears twice");
            }
        }
        return new UserStore(users);
    }

    private static List<StoredUser> read(final Path file) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        if (Files.size(file) > 1024 * 1024) {
            throw new IllegalArgumentException(file + " is larger than 1 MiB");
        }
        try {
            UsersFile parsed = JSON.readValue(Files.readString(file, StandardCharsets.UTF_8), UsersFile.class);
            return parsed == null || parsed.users() == null ? List.of() : parsed.users();
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException(file + " is not a valid users file: " + e.getOriginalMessage(), e);
        }
    }

    private static void validate(final StoredUser stored) {
        requireName(stored.user());
        if (stored.mspId() == null || !MSP.matcher(stored.mspId()).matches()) {
            throw new IllegalArgumentException("user " + stored.user() + ": mspId is not an MSP id");
        }
        Role.parse(stored.role());
        if (stored.iterations() < MIN_ITERATIONS) {
            throw new IllegalArgumentException("user " + stored.user() + ": at least " + MIN_ITERATIONS + " iterations");
        }
        Base64.getDecoder().decode(stored.salt());
        Base64.getDecoder().decode(stored.hash());
    }

    static void requireName(final String name) {
        if (name == null || !USER.matcher(name).matches()) {
            throw new IllegalArgumentException("user names are 1-32 of a-z 0-9 . _ - starting with a letter or digit");
        }
    }

    /**
     * Adds (or replaces) a user in the file, writing it atomically and owner-only.
     *
     * @return the user as stored
     */
    public static StoredUser addUser(final Path file, final String name, final String mspId, final Role role,
            final String password, final int iterations) throws IOException {
        requireName(name);
        if (password.length() < MIN_PASSWORD_CHARS) {
            throw new IllegalArgumentException("passwords have at least " + MIN_PASSWORD_CHARS + " characters");
        }
        StoredUser stored = hash(new String(Base64.getEncoder().encode(salt())), name, mspId, role, password, iterations);
        validate(stored);
        List<StoredUser> all = new ArrayList<>();
        for (StoredUser existing : read(file)) {
            if (!existing.user().equals(name)) {
                all.add(existing);
            }
        }
        all.add(stored);
        Path absolute = file.toAbsolutePath();
        Files.createDirectories(absolute.getParent());
        Path temporary = Files.createTempFile(absolute.getParent(), ".users", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(temporary, JSON.writeValueAsString(new UsersFile(all)), StandardCharsets.UTF_8);
        Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return stored;
    }

    /** A random password of 20 characters (about 119 bits), for add-user --generate. */
    public static String generatePassword() {
        String alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        StringBuilder password = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            password.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return password.toString();
    }

    /** The user when the password is right; the same work is done for unknown users. */
    public Optional<User> authenticate(final String name, final String password) {
        StoredUser stored = users.get(name);
        StoredUser against = stored == null ? dummy : stored;
        byte[] expected = Base64.getDecoder().decode(against.hash());
        byte[] actual = pbkdf2(password, Base64.getDecoder().decode(against.salt()), against.iterations());
        boolean matches = MessageDigest.isEqual(expected, actual);
        if (stored == null || !matches) {
            return Optional.empty();
        }
        return Optional.of(new User(stored.user(), stored.mspId(), Role.parse(stored.role())));
    }

    public boolean isEmpty() {
        return users.isEmpty();
    }

    private static byte[] salt() {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return salt;
    }

    private static StoredUser hash(final String saltBase64, final String name, final String mspId, final Role role,
            final String password, final int iterations) {
        byte[] hash = pbkdf2(password, Base64.getDecoder().decode(saltBase64), iterations);
        return new StoredUser(name, mspId, role.label(), saltBase64, Base64.getEncoder().encodeToString(hash), iterations);
    }

    private static byte[] pbkdf2(final String password, final byte[] salt, final int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available", e);
        } finally {
            spec.clearPassword();
        }
    }
}
