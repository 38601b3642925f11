package org.postalfunds.hsm.server;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

import javax.security.auth.x500.X500Principal;

import org.postalfunds.hsm.pkcs11.PinSource;
import org.postalfunds.hsm.pkcs11.TokenConfig;

/**
 * The bridge's configuration: a properties file, each key overridable by an environment variable
 * ({@code token.pinFile} -> {@code PSD_BRIDGE_TOKEN_PIN_FILE}). Relative paths are resolved against the
 * file's directory. Unknown keys are errors, so a typo cannot silently fall back to a default.
 *
 * <p>Immutable; holds no PIN (only where to read it), so {@link #toString()} is safe to log.
 */
public final class BridgeConfig {
    public static final String ENVIRONMENT_PREFIX = "PSD_BRIDGE_";

    /** Every key, with its default ("" = required or unset). */
    static final Map<String, String> KEYS = keys(
            "bridge.host", "127.0.0.1",
            "bridge.port", "7443",
            "bridge.workerThreads", "0",
            "bridge.batchThreads", "",
            "tls.certificateFile", "",
            "tls.privateKeyFile", "",
            "tls.clientCaFile", "",
            "tls.protocols", "TLSv1.3,TLSv1.2",
            "token.library", "/usr/lib/softhsm/libsofthsm2.so",
            "token.label", "",
            "token.pinFile", "",
            "token.pinEnvironmentVariable", "",
            "token.maxMeterKeys", String.valueOf(TokenConfig.DEFAULT_MAX_METER_KEYS),
            "access.operatorCommonNames", "",
            "access.operatorIssuers", "",
            "audit.file", "",
            "limits.maxInboundMessageBytes", String.valueOf(320 * 1024),
            "limits.maxConcurrentCallsPerConnection", "256",
            "limits.handshakeTimeoutSeconds", "10",
            "limits.maxConnectionIdleSeconds", "600",
            "health.probeSeconds", "10");

    private final String host;
    private final int port;
    private final int workerThreads;
    private final int batchThreads;
    private final Path tlsCertificateFile;
    private final Path tlsPrivateKeyFile;
    private final Path tlsClientCaFile;
    private final List<String> tlsProtocols;
    private final TokenConfig token;
    private final Set<String> operatorCommonNames;
    private final Set<X500Principal> operatorIssuers;
    private final Path auditFile;
    private final int maxInboundMessageBytes;
    private final int maxConcurrentCallsPerConnection;
    private final int handshakeTimeoutSeconds;
    private final int maxConnectionIdleSeconds;
    private final int healthProbeSeconds;

    private BridgeConfig(final Map<String, String> values, final Path baseDirectory, final Map<String, String> environment) {
        host = required(values, "bridge.host");
        port = integer(values, "bridge.port", 0, 65535);
        workerThreads = integer(values, "bridge.workerThreads", 0, 256);
        batchThreads = values.get("bridge.batchThreads").isEmpty()
                ? Math.max(2, Runtime.getRuntime().availableProcessors())
                : integer(values, "bridge.batchThreads", 0, 256);
        tlsCertificateFile = path(values, "tls.certificateFile", baseDirectory);
        tlsPrivateKeyFile = path(values, "tls.privateKeyFile", baseDirectory);
        tlsClientCaFile = path(values, "tls.clientCaFile", baseDirectory);
        tlsProtocols = list(values.get("tls.protocols"));
        for (final String protocol : tlsProtocols) {
            if (!protocol.equals("TLSv1.3") && !protocol.equals("TLSv1.2")) {
                throw new IllegalArgumentException("tls.protocols allows TLSv1.3 and TLSv1.2 only, not " + protocol);
            }
        }
        if (tlsProtocols.isEmpty()) {
            throw new IllegalArgumentException("tls.protocols is empty");
        }
        final String pinFile = values.get("token.pinFile");
        final String pinVariable = values.get("token.pinEnvironmentVariable");
        if (pinFile.isEmpty() == pinVariable.isEmpty()) {
            throw new IllegalArgumentException("set exactly one of token.pinFile and token.pinEnvironmentVariable");
        }
        final PinSource pinSource = pinFile.isEmpty() ? PinSource.environmentVariable(pinVariable, environment)
                : PinSource.file(baseDirectory.resolve(pinFile).normalize());
        token = TokenConfig.newBuilder()
                .library(path(values, "token.library", baseDirectory))
                .tokenLabel(required(values, "token.label"))
                .pinSource(pinSource)
                .maxMeterKeys(integer(values, "token.maxMeterKeys", 1, 1_000_000))
                .build();
        operatorCommonNames = Set.copyOf(list(values.get("access.operatorCommonNames")));
        final Set<X500Principal> issuers = new java.util.HashSet<>();
        // Issuer DNs may contain commas, so they are separated by ';'.
        for (final String issuer : values.get("access.operatorIssuers").split(";")) {
            if (!issuer.isBlank()) {
                issuers.add(new X500Principal(issuer.strip()));
            }
        }
        operatorIssuers = Set.copyOf(issuers);
        final String audit = values.get("audit.file");
        auditFile = audit.isEmpty() ? null : baseDirectory.resolve(audit).normalize();
        maxInboundMessageBytes = integer(values, "limits.maxInboundMessageBytes", 1024, 4 * 1024 * 1024);
        maxConcurrentCallsPerConnection = integer(values, "limits.maxConcurrentCallsPerConnection", 1, 10_000);
        handshakeTimeoutSeconds = integer(values, "limits.handshakeTimeoutSeconds", 1, 300);
        maxConnectionIdleSeconds = integer(values, "limits.maxConnectionIdleSeconds", 1, 86_400);
        healthProbeSeconds = integer(values, "health.probeSeconds", 1, 3600);
    }

    /** Reads the file, then applies {@code PSD_BRIDGE_*} overrides from the environment. */
    public static BridgeConfig load(final Path file, final Map<String, String> environment) throws IOException {
        final Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        final Map<String, String> values = new LinkedHashMap<>();
        for (final String key : properties.stringPropertyNames()) {
            values.put(key, properties.getProperty(key).strip());
        }
        final Path base = file.toAbsolutePath().getParent();
        return fromValues(values, base, environment);
    }

    /**
     * Builds a configuration from key/value pairs (same keys as the file), then applies environment overrides.
     *
     * @throws IllegalArgumentException naming the key that is unknown, missing or out of range
     */
    public static BridgeConfig fromValues(final Map<String, String> values, final Path baseDirectory,
            final Map<String, String> environment) {
        final Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(KEYS.keySet());
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown configuration keys " + unknown + "; known keys: " + KEYS.keySet());
        }
        final Map<String, String> merged = new LinkedHashMap<>(KEYS);
        merged.putAll(values);
        for (final String key : KEYS.keySet()) {
            final String override = environment.get(environmentName(key));
            if (override != null) {
                merged.put(key, override.strip());
            }
        }
        return new BridgeConfig(merged, baseDirectory, environment);
    }

    /** {@code token.pinFile} -> {@code PSD_BRIDGE_TOKEN_PIN_FILE}. */
    public static String environmentName(final String key) {
        return ENVIRONMENT_PREFIX + key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('.', '_').toUpperCase(java.util.Locale.ROOT);
    }

    public String host() {
        return host;
    }

    /** 0 picks a free port (tests). */
    public int port() {
        return port;
    }

    /**
     * Threads that run RPCs; 0 runs them on the gRPC transport threads (no thread hand-off per call, fine for
     * a local token whose operations take microseconds; a network HSM wants a pool).
     */
    public int workerThreads() {
        return workerThreads;
    }

    /**
     * Threads that sign parts of a SignDigests batch beside the thread that received it (unset: one fewer than
     * the processors, at least 1); 0 signs every batch on the receiving thread alone.
     */
    public int batchThreads() {
        return batchThreads;
    }

    public Path tlsCertificateFile() {
        return tlsCertificateFile;
    }

    public Path tlsPrivateKeyFile() {
        return tlsPrivateKeyFile;
    }

    /** CA certificates whose client certificates may connect (meter owners' CAs, the DataCenter's CA). */
    public Path tlsClientCaFile() {
        return tlsClientCaFile;
    }

    public List<String> tlsProtocols() {
        return tlsProtocols;
    }

    public TokenConfig token() {
        return token;
    }

    /** Certificate CNs that are operators even without OU=operator. */
    public Set<String> operatorCommonNames() {
        return operatorCommonNames;
    }

    /** When not empty, only certificates from these issuers can be operators (e.g. the DataCenter's CA). */
    public Set<X500Principal> operatorIssuers() {
        return operatorIssuers;
    }

    /** The audit trail file; empty means the audit logger's records go to the normal log. */
    public java.util.Optional<Path> auditFile() {
        return java.util.Optional.ofNullable(auditFile);
    }

    public int maxInboundMessageBytes() {
        return maxInboundMessageBytes;
    }

    public int maxConcurrentCallsPerConnection() {
        return maxConcurrentCallsPerConnection;
    }

    public int handshakeTimeoutSeconds() {
        return handshakeTimeoutSeconds;
    }

    public int maxConnectionIdleSeconds() {
        return maxConnectionIdleSeconds;
    }

    public int healthProbeSeconds() {
        return healthProbeSeconds;
    }

    @Override
    public String toString() {
        return "BridgeConfig[" + host + ":" + port + ", workerThreads=" + workerThreads + ", batchThreads=" + batchThreads
                + ", tls=" + tlsCertificateFile
                + ", clientCa=" + tlsClientCaFile + ", protocols=" + tlsProtocols + ", " + token
                + ", operatorCommonNames=" + operatorCommonNames + ", operatorIssuers=" + operatorIssuers
                + ", audit=" + (auditFile == null ? "log" : auditFile) + "]";
    }

    private static Map<String, String> keys(final String... pairs) {
        final Map<String, String> keys = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            keys.put(pairs[i], pairs[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(keys);
    }

    private static String required(final Map<String, String> values, final String key) {
        final String value = Objects.requireNonNullElse(values.get(key), "");
        if (value.isEmpty()) {
            throw new IllegalArgumentException(key + " is required (or " + environmentName(key) + ")");
        }
        return value;
    }

    private static Path path(final Map<String, String> values, final String key, final Path baseDirectory) {
        return baseDirectory.resolve(required(values, key)).normalize();
    }

    private static int integer(final Map<String, String> values, final String key, final int min, final int max) {
        final String text = required(values, key);
        final int value;
        try {
            value = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, not '" + text + "'", e);
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + " must be between " + min + " and " + max + ", not " + value);
        }
        return value;
    }

    private static List<String> list(final String text) {
        final List<String> items = new ArrayList<>();
        Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).forEach(items::add);
        return List.copyOf(items);
    }
}
