package org.postalfunds.console;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.postalfunds.client.Money;

/**
 * The console's configuration file. Paths are relative to the file's own directory.
 *
 * <pre>
 * {
 *   "host": "127.0.0.1", "port": 8443,
 *   "usersFile": "console-users.json",
 *   "organisations": { "DataCenterMSP": "profiles/operator.json", "PostalAuthorityMSP": "profiles/auditor.json",
 *                      "MailerAMSP": "profiles/mailer-a.json" },
 *   "tlsCertificate": "tls/console-cert.pem", "tlsPrivateKey": "tls/console-key.pem",   (optional)
 *   "generatedTlsDirectory": ".console-tls",                                              (when the two are absent)
 *   "sessionIdleMinutes": 15, "chaincode": "postal-ledger", "requiredEndorsers": ["DataCenterMSP"],
 *   "fractionDigits": 2
 * }
 * </pre>
 */
public record ConsoleConfig(String host, int port, Path usersFile, Map<String, Path> organisations, Path tlsCertificate,
        Path tlsPrivateKey, Path generatedTlsDirectory, Duration idleTimeout, String chaincode,
        Set<String> requiredEndorsers, int fractionDigits) {

    record ConfigFile(@JsonProperty("host") String host, @JsonProperty("port") Integer port,
            @JsonProperty("usersFile") String usersFile, @JsonProperty("organisations") Map<String, String> organisations,
            @JsonProperty("tlsCertificate") String tlsCertificate, @JsonProperty("tlsPrivateKey") String tlsPrivateKey,
            @JsonProperty("generatedTlsDirectory") String generatedTlsDirectory,
            @JsonProperty("sessionIdleMinutes") Integer sessionIdleMinutes, @JsonProperty("chaincode") String chaincode,
            @JsonProperty("requiredEndorsers") List<String> requiredEndorsers,
            @JsonProperty("fractionDigits") Integer fractionDigits) {
    }

    public static ConsoleConfig load(final Path file) throws IOException {
        if (Files.size(file) > 64 * 1024) {
            throw new IllegalArgumentException(file + " is larger than 64 KiB");
        }
        ConfigFile raw;
        try {
            raw = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue(Files.readString(file, StandardCharsets.UTF_8), ConfigFile.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException(file + " is not a valid console configuration: " + e.getOriginalMessage(), e);
        }
        Path directory = file.toAbsolutePath().getParent();
        if (raw.organisations() == null || raw.organisations().isEmpty()) {
            throw new IllegalArgumentException(file + ": organisations must map at least one MSP id to a profile");
        }
        Map<String, Path> organisations = new TreeMap<>();
        raw.organisations().forEach((msp, profile) -> organisations.put(msp, directory.resolve(profile)));
        if ((raw.tlsCertificate() == null) != (raw.tlsPrivateKey() == null)) {
            throw new IllegalArgumentException(file + ": give both tlsCertificate and tlsPrivateKey, or neither");
        }
        int port = raw.port() == null ? 8443 : raw.port();
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException(file + ": port must be 0-65535");
        }
        int idle = raw.sessionIdleMinutes() == null ? 15 : raw.sessionIdleMinutes();
        if (idle < 1 || idle > 24 * 60) {
            throw new IllegalArgumentException(file + ": sessionIdleMinutes must be 1-1440");
        }
        return new ConsoleConfig(raw.host() == null ? "127.0.0.1" : raw.host(), port,
                directory.resolve(raw.usersFile() == null ? "console-users.json" : raw.usersFile()), organisations,
                raw.tlsCertificate() == null ? null : directory.resolve(raw.tlsCertificate()),
                raw.tlsPrivateKey() == null ? null : directory.resolve(raw.tlsPrivateKey()),
                directory.resolve(raw.generatedTlsDirectory() == null ? ".console-tls" : raw.generatedTlsDirectory()),
                Duration.ofMinutes(idle), raw.chaincode() == null ? "postal-ledger" : raw.chaincode(),
                Set.copyOf(raw.requiredEndorsers() == null ? List.of("DataCenterMSP") : raw.requiredEndorsers()),
                raw.fractionDigits() == null ? 2 : raw.fractionDigits());
    }

    public ConsoleServer.Settings settings() {
        return new ConsoleServer.Settings(host, port, idleTimeout, chaincode, requiredEndorsers, new Money(fractionDigits));
    }
}
