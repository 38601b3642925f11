package org.postalfunds.client.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import org.postalfunds.hsm.enrol.FabricCaClient;
import picocli.CommandLine.Option;

/**
 * How to reach the meter owner's Fabric CA ({@code --fabric-ca URL --fabric-ca-tls PEM [--ca-name NAME]}), and
 * the owner-only files enrollment secrets live in: a secret is never an argument, which every process on the
 * machine could read.
 */
final class FabricCaOptions {
    /** A Fabric CA secret is a short string; anything larger is the wrong file. */
    private static final int MAX_SECRET_BYTES = 1024;
    private static final SecureRandom RANDOM = new SecureRandom();

    @Option(names = "--fabric-ca", paramLabel = "URL", description = "The owner organisation's Fabric CA, https://host:port.")
    URI url;

    @Option(names = "--fabric-ca-tls", paramLabel = "PEM",
            description = "The CA's TLS root certificate(s) (e.g. its ca-cert.pem): the only certificates trusted for the connection.")
    Path tlsRootFile;

    @Option(names = "--ca-name", paramLabel = "NAME", description = "The CA's name when its server runs several (default: the server's default CA).")
    String caName;

    boolean given() {
        return url != null || tlsRootFile != null;
    }

    FabricCaClient client() throws BadInputException {
        if (url == null || tlsRootFile == null) {
            throw new BadInputException("the Fabric CA needs --fabric-ca URL and --fabric-ca-tls PEM");
        }
        try {
            return FabricCaClient.newBuilder().url(url).tlsRootCertificates(tlsRootFile).caName(caName).build();
        } catch (IOException | GeneralSecurityException e) {
            throw new BadInputException("cannot read the Fabric CA's TLS certificate " + tlsRootFile + ": " + e.getMessage(), e);
        }
    }

    /** The secret in the file, without its trailing line break. */
    static String readSecret(final Path file) throws BadInputException {
        try {
            if (Files.size(file) > MAX_SECRET_BYTES) {
                throw new BadInputException(file + " is larger than " + MAX_SECRET_BYTES + " bytes; not an enrollment secret");
            }
            warnIfReadableByOthers(file);
            String secret = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (secret.isEmpty()) {
                throw new BadInputException("the enrollment secret file " + file + " is empty");
            }
            return secret;
        } catch (IOException e) {
            throw new BadInputException("cannot read the enrollment secret " + file + ": " + e.getMessage(), e);
        }
    }

    /** 128 random bits in hex: enough for a secret that is used once, at enrolment. */
    static String newSecret() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Creates the file readable by its owner only; an existing file is refused, never overwritten. */
    static void writeSecret(final Path file, final String secret) throws BadInputException {
        try {
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file);
            }
            Files.writeString(file, secret + "\n", StandardCharsets.UTF_8);
        } catch (FileAlreadyExistsException e) {
            throw new BadInputException(file + " exists; give a new file for the secret (an old secret is never overwritten)", e);
        } catch (IOException e) {
            throw new BadInputException("cannot write the secret to " + file + ": " + e.getMessage(), e);
        }
    }

    private static void warnIfReadableByOthers(final Path file) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.contains(PosixFilePermission.GROUP_READ) || permissions.contains(PosixFilePermission.OTHERS_READ)) {
                System.err.println("warning: secret file " + file + " is readable by others; chmod 600 it");
            }
        } catch (UnsupportedOperationException | IOException e) {
            // Not a POSIX file system: nothing to check.
        }
    }
}
