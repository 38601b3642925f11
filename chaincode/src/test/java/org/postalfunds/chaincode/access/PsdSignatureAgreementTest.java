package org.postalfunds.chaincode.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.Signature;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.format.IndiciumEncoding;
import org.postalfunds.api.model.Indicium;
import org.postalfunds.chaincode.fake.TestIdentity;

/**
 * The contract checks PSD signatures with Bouncy Castle, an auditor's client with the JDK (AuditorClient): both must
 * give the same answer for every signature, or a print the ledger accepted could be called forged on the street.
 */
class PsdSignatureAgreementTest {
    /** Order of the P-256 base point. */
    private static final BigInteger N =
            new BigInteger("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16);

    private final TestIdentity meter = TestIdentity.p256("MailerAMSP", "m1");
    private final TestIdentity other = TestIdentity.p256("MailerAMSP", "other");
    private final Random random = new Random(17);

    @Test
    void genuine_tampered_and_foreign_signatures_get_the_same_answer_from_both() throws Exception {
        for (int piece = 1; piece <= 100; piece++) {
            final IndiciumEncoding.Fields fields = fields(piece);
            final byte[] genuine = der(meter, fields);
            assertAgree(fields, genuine, true);
            assertAgree(fields, der(other, fields), false);
            final byte[] flipped = genuine.clone();
            flipped[random.nextInt(flipped.length)] ^= (byte) (1 << random.nextInt(8));
            assertAgree(fields, flipped, null);
            // The same signature over a neighbouring piece.
            assertAgree(fields(piece + 1_000), genuine, false);
        }
    }

    @Test
    void edge_encodings_get_the_same_answer_from_both() throws Exception {
        final IndiciumEncoding.Fields fields = fields(7);
        final byte[] genuine = der(meter, fields);
        final BigInteger[] rs = decode(genuine);
        // The other valid signature (r, n - s): ECDSA accepts it; both must agree whatever they decide.
        assertAgree(fields, encode(rs[0].toByteArray(), N.subtract(rs[1]).toByteArray()), null);
        // r with a superfluous leading zero byte: not DER.
        final byte[] padded = new byte[rs[0].toByteArray().length + 1];
        System.arraycopy(rs[0].toByteArray(), 0, padded, 1, padded.length - 1);
        assertAgree(fields, encode(padded, rs[1].toByteArray()), null);
        // Trailing garbage after the sequence, and a sequence cut short.
        final byte[] trailing = Arrays.copyOf(genuine, genuine.length + 2);
        assertAgree(fields, trailing, null);
        assertAgree(fields, Arrays.copyOf(genuine, genuine.length - 3), false);
        // r = 0 and s = n: out of range.
        assertAgree(fields, encode(new byte[] {0}, rs[1].toByteArray()), false);
        assertAgree(fields, encode(rs[0].toByteArray(), N.toByteArray()), false);
    }

    /** Both checks give the same answer; {@code expected}, when not null, is that answer. */
    private void assertAgree(final IndiciumEncoding.Fields fields, final byte[] der, final Boolean expected) {
        final Indicium indicium = new Indicium(fields.meterId(), fields.pieceNumber(), fields.amountMinorUnits(),
                fields.mailingDate().toString(), fields.destinationPostalCode(), fields.destinationCountryCode(),
                fields.rateCode(), Base64.getEncoder().encodeToString(der));
        final boolean jdk = indicium.signedBy(meter.keyPair().getPublic());
        final boolean contract = PublicKeys.signs(meter.certificatePem(), indicium);
        assertThat(contract).as("contract (Bouncy Castle) vs JDK on %s", Base64.getEncoder().encodeToString(der))
                .isEqualTo(jdk);
        if (expected != null) {
            assertThat(contract).isEqualTo(expected);
        }
    }

    private static IndiciumEncoding.Fields fields(final long piece) {
        return new IndiciumEncoding.Fields("m1", piece, 85, LocalDate.of(2026, 11, 29), "10115", "DE", "LETTER-STD");
    }

    private static byte[] der(final TestIdentity signer, final IndiciumEncoding.Fields fields) throws Exception {
        final Signature signature = Signature.getInstance(IndiciumEncoding.SIGNATURE_ALGORITHM);
        signature.initSign(signer.keyPair().getPrivate());
        signature.update(IndiciumEncoding.encode(fields));
        return signature.sign();
    }

    /** r and s of a DER ECDSA signature (short-form lengths: a P-256 signature is under 128 bytes). */
    private static BigInteger[] decode(final byte[] der) {
        int at = 2;
        final int rLength = der[at + 1];
        final BigInteger r = new BigInteger(Arrays.copyOfRange(der, at + 2, at + 2 + rLength));
        at += 2 + rLength;
        final int sLength = der[at + 1];
        final BigInteger s = new BigInteger(Arrays.copyOfRange(der, at + 2, at + 2 + sLength));
        return new BigInteger[] {r, s};
    }

    private static byte[] encode(final byte[] r, final byte[] s) {
        final byte[] der = new byte[6 + r.length + s.length];
        der[0] = 0x30;
        der[1] = (byte) (4 + r.length + s.length);
        der[2] = 0x02;
        der[3] = (byte) r.length;
        System.arraycopy(r, 0, der, 4, r.length);
        der[4 + r.length] = 0x02;
        der[5 + r.length] = (byte) s.length;
        System.arraycopy(s, 0, der, 6 + r.length, s.length);
        return der;
    }
}
