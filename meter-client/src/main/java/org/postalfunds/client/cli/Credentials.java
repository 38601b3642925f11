package org.postalfunds.client.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Set;
import org.hyperledger.fabric.client.identity.Identities;
import org.hyperledger.fabric.client.identity.Signer;
import org.hyperledger.fabric.client.identity.Signers;
import org.hyperledger.fabric.client.identity.X509Identity;
import org.postalfunds.hsm.client.MeterIdentities;
import org.postalfunds.hsm.client.PsdBridgeClient;

/**
 * The identity and signer a profile describes: a certificate and private key file for an organisation's
 * identity, or the HSM bridge for a meter, whose key stays in its token. Holds the bridge connection,
 * if any, until closed.
 */
public final class Credentials implements AutoCloseable {
    private final X509Identity identity;
    private final Signer signer;
    private final PsdBridgeClient bridge;

    private Credentials(final X509Identity identity, final Signer signer, final PsdBridgeClient bridge) {
        this.identity = identity;
        this.signer = signer;
        this.bridge = bridge;
    }

    public static Credentials open(final Profile profile) throws BadInputException, IOException, GeneralSecurityException {
        if (profile.privateKey() != null) {
            X509Certificate certificate = readCertificate(profile.certificate());
            warnIfReadableByOthers(profile.privateKey());
            PrivateKey key;
            try (Reader reader = Files.newBufferedReader(profile.privateKey(), StandardCharsets.US_ASCII)) {
                key = Identities.readPrivateKey(reader);
            } catch (IOException | GeneralSecurityException e) {
                throw new BadInputException("cannot read the private key " + profile.privateKey() + ": " + e.getMessage(), e);
            }
            return new Credentials(new X509Identity(profile.mspId(), certificate), Signers.newPrivateKeySigner(key), null);
        }
        PsdBridgeClient bridge = connectBridge(profile.hsmBridge());
        try {
            X509Identity identity = profile.certificate() != null
                    ? MeterIdentities.newX509Identity(profile.mspId(), readCertificate(profile.certificate()),
                            bridge.publicKey(profile.meterId()).publicKey())
                    : MeterIdentities.fromBridge(bridge, profile.mspId(), profile.meterId());
            return new Credentials(identity, bridge.signer(profile.meterId()), bridge);
        } catch (RuntimeException | BadInputException e) {
            bridge.close();
            throw e;
        }
    }

    /**
     * The meter's PSD half of a key agreement, inside its token through the bridge; empty for a profile that signs
     * with a key file (an operator), which has no PSD to unseal with.
     */
    public java.util.Optional<org.postalfunds.client.secure.RecipientPsd> recipientPsd(final String meterId) {
        return bridge == null ? java.util.Optional.empty()
                : java.util.Optional.of(org.postalfunds.client.secure.RecipientPsd.throughBridge(bridge, meterId));
    }

    /** A mutually authenticated connection to the HSM bridge. */
    static PsdBridgeClient connectBridge(final Profile.BridgeSettings settings) throws BadInputException {
        try {
            PsdBridgeClient.Builder builder = PsdBridgeClient.newBuilder().target(settings.host(), settings.port())
                    .trustedCertificates(settings.trustedCertificates())
                    .clientCertificate(settings.clientCertificate(), settings.clientKey());
            if (settings.serverName() != null) {
                builder.overrideAuthority(settings.serverName());
            }
            return builder.build();
        } catch (IOException | GeneralSecurityException e) {
            throw new BadInputException("cannot set up the HSM bridge connection: " + e.getMessage(), e);
        }
    }

    /** For tests and embedding: credentials made elsewhere. */
    public static Credentials of(final X509Identity identity, final Signer signer) {
        return new Credentials(identity, signer, null);
    }

    public X509Identity identity() {
        return identity;
    }

    public Signer signer() {
        return signer;
    }

    static X509Certificate readCertificate(final Path file) throws BadInputException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            return Identities.readX509Certificate(reader);
        } catch (IOException | CertificateException e) {
            throw new BadInputException("cannot read the certificate " + file + ": " + e.getMessage(), e);
        }
    }

    /** Key files belong to their owner alone; say so rather than refuse, as the file system is the user's. */
    private static void warnIfReadableByOthers(final Path key) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(key);
            if (permissions.contains(PosixFilePermission.GROUP_READ) || permissions.contains(PosixFilePermission.OTHERS_READ)) {
                System.err.println("warning: private key " + key + " is readable by others; chmod 600 it");
            }
        } catch (UnsupportedOperationException | IOException e) {
            // Not a POSIX file system: nothing to check.
        }
    }

    @Override
    public void close() {
        if (bridge != null) {
            bridge.close();
        }
    }
}
