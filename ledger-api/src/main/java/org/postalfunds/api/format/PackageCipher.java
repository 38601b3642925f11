package org.postalfunds.api.format;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The symmetric half of a {@link SealedPackage}, shared by the two sides so they cannot drift apart: the sender (the
 * meter client, after ECDH with the recipient's key-agreement key) and the recipient's HSM bridge (after ECDH inside
 * its token), which opens the package next to the token and hands out only the content, never the ECDH secret.
 *
 * <p>Key: HKDF-SHA256 (RFC 5869) over the raw ECDH secret, salt = the ephemeral point, info = a version label and the
 * whole header's associated data, 32 bytes; so the key is bound to the transfer, both meters, the item and the nonce.
 * Cipher: AES-256-GCM, 96-bit nonce from the header, 128-bit tag, the header's associated data as AAD. JDK only.
 */
public final class PackageCipher {
    private static final byte[] KDF_LABEL = "postalfunds secure information v1 AES-256-GCM".getBytes(US_ASCII);
    private static final int KEY_BYTES = 32;

    private PackageCipher() {}

    /** Encrypts {@code content} for {@code header}; wipes the shared secret it was given. */
    public static byte[] encrypt(final byte[] sharedSecret, final SealedPackage.Header header, final byte[] content)
            throws GeneralSecurityException {
        return run(Cipher.ENCRYPT_MODE, sharedSecret, header, content);
    }

    /**
     * Decrypts and authenticates; wipes the shared secret it was given.
     *
     * @throws javax.crypto.AEADBadTagException when the key is not the one sealed to, or anything was altered
     */
    public static byte[] decrypt(final byte[] sharedSecret, final SealedPackage.Header header, final byte[] ciphertext)
            throws GeneralSecurityException {
        return run(Cipher.DECRYPT_MODE, sharedSecret, header, ciphertext);
    }

    private static byte[] run(final int mode, final byte[] sharedSecret, final SealedPackage.Header header,
            final byte[] input) throws GeneralSecurityException {
        final byte[] associatedData = header.associatedData();
        final byte[] key = hkdf(sharedSecret, header.ephemeralPublicKey(), associatedData);
        try {
            final Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(SealedPackage.TAG_BYTES * 8, header.nonce()));
            cipher.updateAAD(associatedData);
            return cipher.doFinal(input);
        } finally {
            Arrays.fill(key, (byte) 0);
            Arrays.fill(sharedSecret, (byte) 0);
        }
    }

    /**
     * The header's ephemeral P-256 key, checked to lie on the curve (an off-curve point would leak bits of the
     * recipient's key in an invalid-curve attack).
     */
    public static ECPublicKey ephemeralKey(final SealedPackage.Header header) throws GeneralSecurityException {
        final byte[] point = header.ephemeralPublicKey();
        if (point.length != SealedPackage.EPHEMERAL_PUBLIC_KEY_BYTES || point[0] != 0x04) {
            throw new GeneralSecurityException("not an uncompressed P-256 point");
        }
        final AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
        parameters.init(new ECGenParameterSpec("secp256r1"));
        final ECParameterSpec curve = parameters.getParameterSpec(ECParameterSpec.class);
        final BigInteger x = new BigInteger(1, Arrays.copyOfRange(point, 1, 33));
        final BigInteger y = new BigInteger(1, Arrays.copyOfRange(point, 33, 65));
        final BigInteger p = ((ECFieldFp) curve.getCurve().getField()).getP();
        if (x.compareTo(p) >= 0 || y.compareTo(p) >= 0 || !y.modPow(BigInteger.TWO, p)
                .equals(x.pow(3).add(curve.getCurve().getA().multiply(x)).add(curve.getCurve().getB()).mod(p))) {
            throw new GeneralSecurityException("the point is not on P-256");
        }
        return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), curve));
    }

    /** HKDF-SHA256, extract then expand to one block (32 bytes = one HMAC-SHA256 output). */
    static byte[] hkdf(final byte[] inputKey, final byte[] salt, final byte[] associatedData)
            throws GeneralSecurityException {
        final Mac extract = Mac.getInstance("HmacSHA256");
        extract.init(new SecretKeySpec(salt, "HmacSHA256"));
        final byte[] pseudoRandomKey = extract.doFinal(inputKey);
        try {
            final Mac expand = Mac.getInstance("HmacSHA256");
            expand.init(new SecretKeySpec(pseudoRandomKey, "HmacSHA256"));
            expand.update(KDF_LABEL);
            expand.update(associatedData);
            expand.update((byte) 1);
            return Arrays.copyOf(expand.doFinal(), KEY_BYTES);
        } finally {
            Arrays.fill(pseudoRandomKey, (byte) 0);
        }
    }
}
