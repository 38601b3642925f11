package org.postalfunds.client.secure;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;

/** P-256 public keys as uncompressed SEC1 points (0x04 ‖ x ‖ y), the form the sealed package carries. */
final class P256 {
    static final String CURVE = "secp256r1";
    private static final int COORDINATE_BYTES = 32;
    private static final ECParameterSpec PARAMETERS = parameters();

    private P256() {}

    static boolean isP256(final PublicKey key) {
        return key instanceof ECPublicKey ec && ec.getParams().getCurve().equals(PARAMETERS.getCurve())
                && ec.getParams().getGenerator().equals(PARAMETERS.getGenerator());
    }

    static byte[] encodePoint(final ECPublicKey key) {
        final byte[] point = new byte[1 + 2 * COORDINATE_BYTES];
        point[0] = 0x04;
        coordinate(key.getW().getAffineX(), point, 1);
        coordinate(key.getW().getAffineY(), point, 1 + COORDINATE_BYTES);
        return point;
    }

    /** The key for an uncompressed point; the JDK's key factory rejects points that are not on the curve. */
    static ECPublicKey decodePoint(final byte[] point) throws GeneralSecurityException {
        if (point.length != 1 + 2 * COORDINATE_BYTES || point[0] != 0x04) {
            throw new GeneralSecurityException("not an uncompressed P-256 point");
        }
        final BigInteger x = new BigInteger(1, Arrays.copyOfRange(point, 1, 1 + COORDINATE_BYTES));
        final BigInteger y = new BigInteger(1, Arrays.copyOfRange(point, 1 + COORDINATE_BYTES, point.length));
        final BigInteger p = ((java.security.spec.ECFieldFp) PARAMETERS.getCurve().getField()).getP();
        final BigInteger a = PARAMETERS.getCurve().getA();
        final BigInteger b = PARAMETERS.getCurve().getB();
        // y^2 = x^3 + ax + b (mod p): an off-curve point would leak key bits in an invalid-curve attack.
        if (x.compareTo(p) >= 0 || y.compareTo(p) >= 0
                || !y.modPow(BigInteger.TWO, p).equals(x.pow(3).add(a.multiply(x)).add(b).mod(p))) {
            throw new GeneralSecurityException("the point is not on P-256");
        }
        return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), PARAMETERS));
    }

    static ECGenParameterSpec generationSpec() {
        return new ECGenParameterSpec(CURVE);
    }

    private static void coordinate(final BigInteger value, final byte[] into, final int offset) {
        final byte[] raw = value.toByteArray();
        final int length = Math.min(raw.length, COORDINATE_BYTES);
        System.arraycopy(raw, raw.length - length, into, offset + COORDINATE_BYTES - length, length);
    }

    private static ECParameterSpec parameters() {
        try {
            final AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
            parameters.init(new ECGenParameterSpec(CURVE));
            return parameters.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK supports P-256", e);
        }
    }
}
