package org.postalfunds.hsm.crypto;

import java.io.IOException;
import java.math.BigInteger;
import java.security.SignatureException;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERSequence;

/**
 * ECDSA signature encodings and the low-S rule.
 *
 * <p>For every ECDSA signature (r, s) the pair (r, n - s) is equally valid. Fabric accepts only the one
 * with s &lt;= n/2 (its peers reject "high-S" signatures to rule out malleability), while a PKCS#11 token
 * returns either. Every signature the bridge hands out goes through {@link #toLowSDer}.
 */
public final class EcdsaSignatures {
    private EcdsaSignatures() {
    }

    /**
     * Turns a raw signature r || s (IEEE P1363, as PKCS#11 CKM_ECDSA returns it) into DER with low S.
     *
     * @param rawSignature r || s, each half the byte length of the curve order
     * @param order the curve order n
     */
    public static byte[] toLowSDer(final byte[] rawSignature, final BigInteger order) throws SignatureException {
        if (rawSignature.length == 0 || rawSignature.length % 2 != 0) {
            throw new SignatureException("raw ECDSA signature has odd length " + rawSignature.length);
        }
        final int half = rawSignature.length / 2;
        final BigInteger r = new BigInteger(1, Arrays.copyOfRange(rawSignature, 0, half));
        final BigInteger s = new BigInteger(1, Arrays.copyOfRange(rawSignature, half, rawSignature.length));
        return encodeDer(r, lowS(s, order), order);
    }

    /** Re-encodes a DER signature with low S; a signature that already has low S comes back unchanged. */
    public static byte[] normaliseDer(final byte[] derSignature, final BigInteger order) throws SignatureException {
        final BigInteger[] rs = decodeDer(derSignature);
        return encodeDer(rs[0], lowS(rs[1], order), order);
    }

    /** True when the DER signature's S lies in the lower half of the curve order. */
    public static boolean isLowS(final byte[] derSignature, final BigInteger order) throws SignatureException {
        return decodeDer(derSignature)[1].compareTo(order.shiftRight(1)) <= 0;
    }

    /** Returns {r, s} of a DER ECDSA-Sig-Value, rejecting anything else (trailing bytes, wrong shape). */
    public static BigInteger[] decodeDer(final byte[] derSignature) throws SignatureException {
        try {
            final ASN1Primitive primitive = ASN1Primitive.fromByteArray(derSignature);
            final ASN1Sequence sequence = ASN1Sequence.getInstance(primitive);
            if (sequence.size() != 2) {
                throw new SignatureException("ECDSA signature is a sequence of " + sequence.size() + " elements, not 2");
            }
            final BigInteger r = ASN1Integer.getInstance(sequence.getObjectAt(0)).getPositiveValue();
            final BigInteger s = ASN1Integer.getInstance(sequence.getObjectAt(1)).getPositiveValue();
            if (!Arrays.equals(derSignature, sequence.getEncoded(ASN1Encoding.DER))) {
                throw new SignatureException("ECDSA signature is not in canonical DER");
            }
            return new BigInteger[] {r, s};
        } catch (IOException | IllegalArgumentException e) {
            throw new SignatureException("not a DER ECDSA signature: " + e.getMessage(), e);
        }
    }

    private static BigInteger lowS(final BigInteger s, final BigInteger order) {
        return s.compareTo(order.shiftRight(1)) > 0 ? order.subtract(s) : s;
    }

    private static byte[] encodeDer(final BigInteger r, final BigInteger s, final BigInteger order)
            throws SignatureException {
        if (r.signum() <= 0 || s.signum() <= 0 || r.compareTo(order) >= 0 || s.compareTo(order) >= 0) {
            throw new SignatureException("ECDSA signature values out of range for the curve");
        }
        try {
            return new DERSequence(new ASN1Integer[] {new ASN1Integer(r), new ASN1Integer(s)})
                    .getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new SignatureException("cannot encode ECDSA signature", e);
        }
    }
}
