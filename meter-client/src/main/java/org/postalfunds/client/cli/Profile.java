package org.postalfunds.client.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.postalfunds.client.Money;
import org.postalfunds.client.model.Json;

/**
 * Connection settings of one identity, from a JSON file. Paths in it are relative to the file's own
 * directory. It names key files, never holds keys: the data center's and the auditor's private keys sit
 * in files beside it (kept out of git), and a meter's key never leaves its PSD token.
 *
 * <pre>
 * {
 *   "peerEndpoint": "127.0.0.1:7051", "serverName": "peer0.mailer-a.postal.example",
 *   "tlsRootCertificate": "tls/peer-ca.pem", "channel": "postal", "chaincode": "postal-ledger",
 *   "mspId": "MailerAMSP", "meterId": "meter-A1",
 *   "certificate": "meter-A1-cert.pem",                     (optional with hsmBridge: read from the bridge)
 *   "privateKey": "keys/operator-key.pem",                  (data center / auditor identities)
 *   "hsmBridge": { "host": "127.0.0.1", "port": 7443, "serverName": "psd-bridge",   (meters)
 *                  "trustedCertificates": "tls/bridge-ca.pem",
 *                  "clientCertificate": "tls/meter-A1-client.pem", "clientKey": "tls/meter-A1-client-key.pem" },
 *   "fractionDigits": 2
 * }
 * </pre>
 */
public record Profile(
        Path directory,
        String peerEndpoint,
        String serverName,
        Path tlsRootCertificate,
        String channel,
        String chaincode,
        String mspId,
        String meterId,
        Path certificate,
        Path privateKey,
        BridgeSettings hsmBridge,
        Money money) {

    public static final int MAX_PROFILE_CHARS = 64 * 1024;

    /** How a meter reaches its PSD token through the HSM bridge (mutual TLS). */
    public record BridgeSettings(String host, int port, String serverName, Path trustedCertificates,
            Path clientCertificate, Path clientKey) {
    }

    record BridgeFile(String host, Integer port, String serverName, String trustedCertificates, String clientCertificate,
            String clientKey) {
    }

    record ProfileFile(String peerEndpoint, String serverName, String tlsRootCertificate, String channel,
            String chaincode, String mspId, String meterId, String certificate, String privateKey, BridgeFile hsmBridge,
            Integer fractionDigits) {
    }

    public Optional<String> meter() {
        return Optional.ofNullable(meterId);
    }

    /**
     * Reads and checks a profile file.
     *
     * @throws BadInputException naming the file and what is wrong with it
     */
    public static Profile load(final Path file) throws BadInputException {
        String text;
        try {
            if (Files.size(file) > MAX_PROFILE_CHARS) {
                throw new BadInputException("profile " + file + " is larger than " + MAX_PROFILE_CHARS + " bytes");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BadInputException("cannot read profile " + file + ": " + e.getMessage(), e);
        }
        ProfileFile raw;
        try {
            raw = Json.strict(text, ProfileFile.class, "profile " + file);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage(), e);
        }
        Path directory = file.toAbsolutePath().getParent();
        String where = "profile " + file + ": ";
        require(raw.peerEndpoint(), where + "peerEndpoint (host:port of the peer gateway) is required");
        require(raw.mspId(), where + "mspId is required");
        require(raw.tlsRootCertificate(), where + "tlsRootCertificate (the peer's TLS CA, PEM) is required");
        if ((raw.privateKey() == null) == (raw.hsmBridge() == null)) {
            throw new BadInputException(where + "give exactly one signer: privateKey (an org identity's key file) "
                    + "or hsmBridge (a meter's PSD key through the bridge)");
        }
        if (raw.privateKey() != null) {
            require(raw.certificate(), where + "certificate is required with privateKey");
        }
        BridgeSettings bridge = null;
        if (raw.hsmBridge() != null) {
            require(raw.meterId(), where + "meterId is required with hsmBridge: the bridge signs for one meter");
            bridge = bridgeSettings(raw.hsmBridge(), directory, where + "hsmBridge.");
        }
        int fractionDigits = raw.fractionDigits() == null ? 2 : raw.fractionDigits();
        Money money;
        try {
            money = new Money(fractionDigits);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(where + e.getMessage(), e);
        }
        return new Profile(directory, raw.peerEndpoint(), raw.serverName(), resolve(directory, raw.tlsRootCertificate()),
                raw.channel() == null ? "postal" : raw.channel(),
                raw.chaincode() == null ? "postal-ledger" : raw.chaincode(), raw.mspId(), raw.meterId(),
                raw.certificate() == null ? null : resolve(directory, raw.certificate()),
                raw.privateKey() == null ? null : resolve(directory, raw.privateKey()), bridge, money);
    }

    /**
     * Reads a bridge settings file (the {@code hsmBridge} object of a profile on its own), e.g. the data
     * center operator's connection for enrolling meters.
     */
    static BridgeSettings loadBridge(final Path file) throws BadInputException {
        String text;
        try {
            if (Files.size(file) > MAX_PROFILE_CHARS) {
                throw new BadInputException("bridge settings " + file + " are larger than " + MAX_PROFILE_CHARS + " bytes");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BadInputException("cannot read bridge settings " + file + ": " + e.getMessage(), e);
        }
        BridgeFile b;
        try {
            b = Json.strict(text, BridgeFile.class, "bridge settings " + file);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage(), e);
        }
        return bridgeSettings(b, file.toAbsolutePath().getParent(), "bridge settings " + file + ": ");
    }

    private static BridgeSettings bridgeSettings(final BridgeFile b, final Path directory, final String where)
            throws BadInputException {
        require(b.host(), where + "host is required");
        if (b.port() == null || b.port() < 1 || b.port() > 65535) {
            throw new BadInputException(where + "port must be 1..65535");
        }
        require(b.trustedCertificates(), where + "trustedCertificates is required");
        require(b.clientCertificate(), where + "clientCertificate is required");
        require(b.clientKey(), where + "clientKey is required");
        return new BridgeSettings(b.host(), b.port(), b.serverName(), resolve(directory, b.trustedCertificates()),
                resolve(directory, b.clientCertificate()), resolve(directory, b.clientKey()));
    }

    private static Path resolve(final Path directory, final String path) {
        Path given = Path.of(path);
        return given.isAbsolute() ? given : directory.resolve(given).normalize();
    }

    private static void require(final String value, final String message) throws BadInputException {
        if (value == null || value.isBlank()) {
            throw new BadInputException(message);
        }
    }
}
