package org.postalfunds.client.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Arrays;
import org.hyperledger.fabric.client.identity.Identities;
import org.hyperledger.fabric.client.identity.Signer;
import org.postalfunds.chaincode.fake.TestIdentity;
import org.postalfunds.client.Consortium;
import org.postalfunds.client.ledger.Ledger;

/**
 * The command line against the in-process consortium: profiles, certificates and key files on disk as a
 * user would have them, read by the real profile and credential code; only the transport is in-process.
 */
final class CliFixture {
    /** What one command line run printed and returned. */
    record Run(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    final Consortium consortium = new Consortium();
    private final Path directory;

    CliFixture(final Path directory) {
        this.directory = directory;
    }

    /** Opens sessions on the in-process network with the identity and signer the profile's files describe. */
    final Connector connector = profile -> {
        Credentials credentials = Credentials.open(profile);
        Ledger ledger = consortium.network.connect(profile.mspId(), credentials.identity().getCertificate(),
                credentials.signer());
        return new Session() {
            @Override
            public Profile profile() {
                return profile;
            }

            @Override
            public Ledger ledger() {
                return ledger;
            }

            @Override
            public Signer signer() {
                return credentials.signer();
            }

            @Override
            public Clock clock() {
                return consortium.clock();
            }

            @Override
            public org.postalfunds.client.secure.RecipientPsd recipientPsd() throws BadInputException {
                return credentials.recipientPsd(profile.meter().orElseThrow())
                        .orElseThrow(() -> new BadInputException("profile has no hsmBridge"));
            }

            @Override
            public void close() {
                credentials.close();
            }
        };
    };

    Run run(final String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = PostalCli.run(connector, new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    /** {@code postal --profile <name>.json args...} */
    Run as(final Path profile, final String... args) {
        String[] full = new String[args.length + 2];
        System.arraycopy(args, 0, full, 0, args.length);
        full[args.length] = "--profile";
        full[args.length + 1] = profile.toString();
        return run(full);
    }

    /** Writes an organisation identity's profile: certificate, private key (owner-only) and the JSON. */
    Path profile(final String name, final TestIdentity identity, final String meterId) throws IOException {
        Path folder = Files.createDirectories(directory.resolve(name));
        Files.writeString(folder.resolve("cert.pem"), identity.certificatePem(), StandardCharsets.US_ASCII);
        Path key = folder.resolve("key.pem");
        Files.writeString(key, Identities.toPemString(identity.keyPair().getPrivate()), StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(folder.resolve("peer-ca.pem"), identity.certificatePem(), StandardCharsets.US_ASCII);
        String json = "{\n  \"peerEndpoint\": \"127.0.0.1:7051\",\n  \"serverName\": \"peer0.example\",\n"
                + "  \"tlsRootCertificate\": \"peer-ca.pem\",\n  \"mspId\": \"" + identity.mspId() + "\",\n"
                + (meterId == null ? "" : "  \"meterId\": \"" + meterId + "\",\n")
                + "  \"certificate\": \"cert.pem\",\n  \"privateKey\": \"key.pem\"\n}\n";
        Path profile = folder.resolve("profile.json");
        Files.writeString(profile, json, StandardCharsets.UTF_8);
        return profile;
    }

    /** A new meter key with its certificate file and profile (the meter is not registered yet). */
    MeterFiles meter(final String meterId, final String ownerMsp) throws IOException {
        TestIdentity key = TestIdentity.p256(ownerMsp, meterId);
        Path profile = profile(meterId, key, meterId);
        return new MeterFiles(meterId, key, profile, profile.resolveSibling("cert.pem"));
    }

    record MeterFiles(String meterId, TestIdentity key, Path profile, Path certificate) {
    }

    Path file(final String name) {
        return directory.resolve(name);
    }

    static String[] args(final String... parts) {
        return Arrays.copyOf(parts, parts.length);
    }
}
