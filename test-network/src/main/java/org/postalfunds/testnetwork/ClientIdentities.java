package org.postalfunds.testnetwork;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Client identities for tests, issued by an organisation's own Fabric CA the way an org admin issues them:
 * {@code fabric-ca-client register} by the CA's registrar, then {@code fabric-ca-client enroll} (key made by the
 * CA client on disk). For identities whose key must stay in a PKCS#11 token, use the HSM bridge's enrolment.
 */
public final class ClientIdentities {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** An enrolled client: its certificate and private key (PEM files), of the organisation's MSP. */
    public record ClientIdentity(String name, String mspId, Path certificate, Path privateKey) {
    }

    private ClientIdentities() {
    }

    /** Registers NAME (type client, so NodeOUs make it a client of the org) and enrols it into the network state. */
    public static ClientIdentity enrol(final NetworkDescription network, final String organisation, final String name) {
        final NetworkDescription.Organisation org = network.organisation(organisation);
        final NetworkDescription.CertificateAuthority ca = org.ca();
        final String secret = HexFormat.of().formatHex(randomBytes());
        final Path home = network.state().resolve("clients").resolve(org.name()).resolve(name);
        final Path tool = network.fabricHome().resolve("bin/fabric-ca-client");
        final List<String> common = List.of("--tls.certfiles", ca.tlsCertificate().toString(), "--caname", ca.name());
        // Secrets go in through the environment, never on a command line.
        run(tool, ca.registrarHome(), "FABRIC_CA_CLIENT_ID_SECRET", secret,
                Stream.concat(Stream.of("register", "--id.name", name, "--id.type", "client", "-u", ca.url().toString()),
                        common.stream()).toList());
        run(tool, home, "FABRIC_CA_CLIENT_URL",
                "https://" + name + ":" + secret + "@" + ca.url().getHost() + ":" + ca.url().getPort(),
                Stream.concat(Stream.of("enroll", "-M", home.resolve("msp").toString()), common.stream()).toList());
        try (Stream<Path> keys = Files.list(home.resolve("msp/keystore"))) {
            final Path key = keys.filter(p -> p.getFileName().toString().endsWith("_sk")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("fabric-ca-client wrote no key for " + name));
            return new ClientIdentity(name, org.mspId(), home.resolve("msp/signcerts/cert.pem"), key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] randomBytes() {
        final byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static void run(final Path tool, final Path home, final String secretVariable, final String secret,
            final List<String> arguments) {
        final List<String> command = Stream.concat(Stream.of(tool.toString()), arguments.stream()).toList();
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("FABRIC_CA_CLIENT_HOME", home.toString());
        builder.environment().put(secretVariable, secret);
        try {
            Files.createDirectories(home);
            final Process process = builder.start();
            final byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("fabric-ca-client " + arguments.get(0) + " failed: "
                        + new String(output, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
