package org.postalfunds.hsm.crypto;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;

/** P-256 public keys: the only curve meters use (Fabric's default, and every HSM's). */
public final class PublicKeys {
    /** The standard name of P-256 in the JDK. */
    public static final String CURVE = "secp256r1";
    /** An encoded P-256 SubjectPublicKeyInfo is 91 bytes; anything much longer is not one. */
    public static final int MAX_ENCODED_BYTES = 512;

    private static final ECParameterSpec P256 = loadP256();

    private PublicKeys() {
    }

    public static ECParameterSpec p256() {
        return P256;
    }

    /** Decodes an X.509 SubjectPublicKeyInfo and insists on a P-256 key. */
    public static ECPublicKey decodeP256(final byte[] subjectPublicKeyInfo) throws InvalidKeyException {
        if (subjectPublicKeyInfo.length == 0 || subjectPublicKeyInfo.length > MAX_ENCODED_BYTES) {
            throw new InvalidKeyException("public key of " + subjectPublicKeyInfo.length + " bytes is not a P-256 key");
        }
        final PublicKey key;
        try {
            key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(subjectPublicKeyInfo));
        } catch (InvalidKeySpecException e) {
            throw new InvalidKeyException("not an EC SubjectPublicKeyInfo: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no EC key factory", e);
        }
        return requireP256(key);
    }

    public static ECPublicKey requireP256(final PublicKey key) throws InvalidKeyException {
        if (!(key instanceof ECPublicKey)) {
            throw new InvalidKeyException("expected an EC public key, got " + key.getAlgorithm());
        }
        final ECPublicKey ecKey = (ECPublicKey) key;
        final ECParameterSpec params = ecKey.getParams();
        if (!params.getOrder().equals(P256.getOrder()) || !params.getCurve().equals(P256.getCurve())
                || !params.getGenerator().equals(P256.getGenerator())) {
            throw new InvalidKeyException("public key is not on curve P-256 (secp256r1)");
        }
        requireOnCurve(ecKey.getW());
        return ecKey;
    }

    /** Rejects points that are not on P-256 (the cofactor is 1, so every curve point is a valid key). */
    private static void requireOnCurve(final ECPoint point) throws InvalidKeyException {
        if (ECPoint.POINT_INFINITY.equals(point)) {
            throw new InvalidKeyException("public key is the point at infinity");
        }
        final BigInteger p = ((ECFieldFp) P256.getCurve().getField()).getP();
        final BigInteger x = point.getAffineX();
        final BigInteger y = point.getAffineY();
        if (x.signum() < 0 || y.signum() < 0 || x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
            throw new InvalidKeyException("public key coordinates are outside the field of P-256");
        }
        final BigInteger left = y.multiply(y).mod(p);
        final BigInteger right = x.pow(3).add(P256.getCurve().getA().multiply(x)).add(P256.getCurve().getB()).mod(p);
        if (!left.equals(right)) {
            throw new InvalidKeyException("public key point is not on curve P-256");
        }
    }

    /** Two public keys are the same key when their SubjectPublicKeyInfo encodings are equal. */
    public static boolean sameKey(final PublicKey a, final PublicKey b) {
        return a != null && b != null && Arrays.equals(a.getEncoded(), b.getEncoded());
    }

    private static ECParameterSpec loadP256() {
        try {
            final AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
            parameters.init(new ECGenParameterSpec(CURVE));
            return parameters.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK does not know curve " + CURVE, e);
        }
    }
}
