package org.postalfunds.hsm.testing;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import javax.crypto.KeyAgreement;

import org.postalfunds.api.format.PackageCipher;
import org.postalfunds.api.format.SealedPackage;

/**
 * Seals packages as a sender does (ephemeral P-256 key, ECDH with the recipient's key, ledger-api'
 * PackageCipher), so the bridge's UnsealPackage can be tested without the meter client. The signature is a software
 * key's: the bridge does not check it (the meter client does, before it asks the bridge).
 */
public final class TestPackages {
    private static final SecureRandom RANDOM = new SecureRandom();

    private TestPackages() {
    }

    /** A package from {@code sender} to {@code recipient}, sealed to {@code recipientKey}. */
    public static byte[] sealTo(final PublicKey recipientKey, final String sender, final String recipient,
            final byte[] content) throws GeneralSecurityException {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        final KeyPair ephemeral = generator.generateKeyPair();
        return sealWithEphemeral(recipientKey, sender, recipient, content, ephemeral, point((ECPublicKey) ephemeral.getPublic()));
    }

    /** As {@link #sealTo}, but the header carries {@code headerPoint} as its ephemeral key (e.g. a point off the curve). */
    public static byte[] sealWithEphemeral(final PublicKey recipientKey, final String sender, final String recipient,
            final byte[] content, final KeyPair ephemeral, final byte[] headerPoint) throws GeneralSecurityException {
        final KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
        agreement.init(ephemeral.getPrivate());
        agreement.doPhase(recipientKey, true);
        final byte[] nonce = new byte[SealedPackage.NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        final SealedPackage.Header header = new SealedPackage.Header("info-test-" + Long.toHexString(RANDOM.nextLong() >>> 1),
                sender, recipient, "rate-table", "application/json", headerPoint, nonce);
        final byte[] ciphertext = PackageCipher.encrypt(agreement.generateSecret(), header, content);
        final Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(ephemeral.getPrivate());
        signer.update(SealedPackage.signedBytes(header, ciphertext));
        return SealedPackage.of(header, ciphertext, signer.sign()).encode();
    }

    /** Uncompressed SEC1 point 0x04 || x || y. */
    public static byte[] point(final ECPublicKey key) {
        final byte[] point = new byte[65];
        point[0] = 0x04;
        copy(key.getW().getAffineX(), point, 1);
        copy(key.getW().getAffineY(), point, 33);
        return point;
    }

    public static byte[] sha256(final byte[] bytes) throws GeneralSecurityException {
        return MessageDigest.getInstance("SHA-256").digest(bytes);
    }

    private static void copy(final java.math.BigInteger value, final byte[] into, final int offset) {
        final byte[] raw = value.toByteArray();
        final int length = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - length, into, offset + 32 - length, length);
    }
}
