package org.postalfunds.hsm.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.security.SignatureException;

import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;
import org.junit.jupiter.api.Test;
import org.postalfunds.hsm.enrol.OrgCertificateAuthority;

/** The low-S rule and the signature encodings, checked against the JDK's own ECDSA. */
class EcdsaSignaturesTest {
    private static final BigInteger N = PublicKeys.p256().getOrder();
    private static final byte[] MESSAGE = "indicium 42".getBytes(StandardCharsets.UTF_8);

    @Test
    void a_high_s_signature_is_mirrored_into_the_low_half_and_still_verifies() throws Exception {
        final KeyPair pair = OrgCertificateAuthority.newP256KeyPair();
        final byte[] highS = signUntil(pair, true);

        final byte[] normalised = EcdsaSignatures.normaliseDer(highS, N);

        final BigInteger[] before = EcdsaSignatures.decodeDer(highS);
        final BigInteger[] after = EcdsaSignatures.decodeDer(normalised);
        assertThat(after[0]).isEqualTo(before[0]);
        assertThat(after[1]).isEqualTo(N.subtract(before[1]));
        assertThat(EcdsaSignatures.isLowS(normalised, N)).isTrue();
        assertThat(verify(pair, normalised)).isTrue();
    }

    @Test
    void a_low_s_signature_is_left_exactly_as_it_was() throws Exception {
        final byte[] lowS = signUntil(OrgCertificateAuthority.newP256KeyPair(), false);

        assertThat(EcdsaSignatures.normaliseDer(lowS, N)).isEqualTo(lowS);
    }

    @Test
    void s_equal_to_half_the_order_counts_as_low_and_one_more_as_high() throws Exception {
        final BigInteger half = N.shiftRight(1);

        assertThat(EcdsaSignatures.isLowS(der(BigInteger.TEN, half), N)).isTrue();
        assertThat(EcdsaSignatures.isLowS(der(BigInteger.TEN, half.add(BigInteger.ONE)), N)).isFalse();
        assertThat(EcdsaSignatures.decodeDer(EcdsaSignatures.normaliseDer(der(BigInteger.TEN, half.add(BigInteger.ONE)), N))[1])
                .isEqualTo(half);
    }

    @Test
    void a_raw_r_and_s_pair_from_a_token_becomes_der_with_low_s() throws Exception {
        final KeyPair pair = OrgCertificateAuthority.newP256KeyPair();
        final Signature p1363 = Signature.getInstance("SHA256withECDSAinP1363Format");
        for (int i = 0; i < 50; i++) {
            p1363.initSign(pair.getPrivate());
            p1363.update(MESSAGE);
            final byte[] der = EcdsaSignatures.toLowSDer(p1363.sign(), N);
            assertThat(EcdsaSignatures.isLowS(der, N)).isTrue();
            assertThat(verify(pair, der)).isTrue();
        }
    }

    @Test
    void malformed_or_non_canonical_signatures_are_refused() {
        assertThatThrownBy(() -> EcdsaSignatures.decodeDer(new byte[] {1, 2, 3})).isInstanceOf(SignatureException.class);
        assertThatThrownBy(() -> EcdsaSignatures.toLowSDer(new byte[63], N)).isInstanceOf(SignatureException.class)
                .hasMessageContaining("odd length");
        assertThatThrownBy(() -> EcdsaSignatures.toLowSDer(new byte[64], N)).isInstanceOf(SignatureException.class)
                .hasMessageContaining("out of range");
        assertThatThrownBy(() -> EcdsaSignatures.normaliseDer(der(N, BigInteger.ONE), N))
                .isInstanceOf(SignatureException.class).hasMessageContaining("out of range");
    }

    private static byte[] signUntil(final KeyPair pair, final boolean wantHighS) throws Exception {
        for (int attempt = 0; attempt < 200; attempt++) {
            final Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(pair.getPrivate());
            signer.update(MESSAGE);
            final byte[] signature = signer.sign();
            if (EcdsaSignatures.isLowS(signature, N) != wantHighS) {
                return signature;
            }
        }
        throw new AssertionError("no " + (wantHighS ? "high" : "low") + "-S signature in 200 attempts");
    }

    private static boolean verify(final KeyPair pair, final byte[] signature) throws Exception {
        final Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(pair.getPublic());
        verifier.update(MESSAGE);
        return verifier.verify(signature);
    }

    private static byte[] der(final BigInteger r, final BigInteger s) throws Exception {
        return new DERSequence(new ASN1Integer[] {new ASN1Integer(r), new ASN1Integer(s)}).getEncoded();
    }
}
