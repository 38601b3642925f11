package org.postalfunds.client.secure;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import javax.crypto.KeyAgreement;

import org.hyperledger.fabric.client.identity.Signer;
import org.postalfunds.api.format.PackageCipher;
import org.postalfunds.api.format.SealedPackage;
import org.postalfunds.hsm.client.BridgeException;

/**
 * Seals secure information to a recipient PSD and unseals it there (ECIES-style, JCE and Bouncy Castle
 * primitives only):
 *
 * <ol>
 *   <li>a fresh ephemeral P-256 key pair per package; ECDH with the recipient PSD's registered key-agreement key
 *       (a key of its own, never its signing key: ledger-api {@code KeyAgreementCertificate});</li>
 *   <li>HKDF-SHA256 (salt: the ephemeral point; info: a label and the whole package header) gives the
 *       AES-256 key, so the key is bound to the addressing as well;</li>
 *   <li>AES-256-GCM with a random 96-bit nonce and the header (transfer id, both meter ids, item name, content
 *       type, ephemeral point, nonce) as associated data;</li>
 *   <li>the sender's PSD signs SHA-256 of the header and ciphertext (ECDSA P-256, through its bridge).</li>
 * </ol>
 *
 * Steps 2 and 3 are ledger-api' {@link PackageCipher}, which the recipient's bridge runs too. Unsealing checks
 * the addressing, then the sender's signature, and only then hands the package to the recipient's PSD, which opens
 * it next to its token ({@link RecipientPsd#throughBridge}): neither its private key nor the ECDH secret leaves the
 * bridge, and a forged package never reaches it.
 */
public final class Sealing {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Sealing() {}

    /**
     * Encrypts {@code item} to the recipient's PSD key and has the sender's PSD sign the package.
     *
     * @param recipientPublicKey the recipient meter's registered key-agreement key (from the ledger, checked against
     *     its signing certificate: {@code LedgerCalls.meterKeyAgreementKey})
     * @param senderPsd the sender meter's PSD signer (it receives SHA-256 of the signed bytes)
     * @return the encoded package, at most {@link SealedPackage#MAX_PACKAGE_BYTES}
     */
    public static byte[] seal(final SecureItem item, final Addressing addressing, final PublicKey recipientPublicKey,
            final Signer senderPsd) throws SealingException {
        if (!P256.isP256(recipientPublicKey)) {
            throw new SealingException(SealingException.Reason.SEALING_FAILED, "the recipient's key is not a P-256 key");
        }
        final byte[] content = item.content();
        if (content.length > SealedPackage.MAX_CONTENT_BYTES) {
            throw new SealingException(SealingException.Reason.TOO_LARGE, "content of " + content.length
                    + " bytes; a package carries at most " + SealedPackage.MAX_CONTENT_BYTES);
        }
        final SealedPackage.Header header;
        final byte[] ciphertext;
        try {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(P256.generationSpec(), RANDOM);
            final KeyPair ephemeral = generator.generateKeyPair();
            final KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
            agreement.init(ephemeral.getPrivate());
            agreement.doPhase(recipientPublicKey, true);
            final byte[] sharedSecret = agreement.generateSecret();
            final byte[] nonce = new byte[SealedPackage.NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            header = new SealedPackage.Header(addressing.transferId(), addressing.senderMeterId(),
                    addressing.recipientMeterId(), item.name(), item.contentType(),
                    P256.encodePoint((ECPublicKey) ephemeral.getPublic()), nonce);
            ciphertext = PackageCipher.encrypt(sharedSecret, header, content);
        } catch (IllegalArgumentException e) {
            throw new SealingException(SealingException.Reason.SEALING_FAILED, e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new SealingException(SealingException.Reason.SEALING_FAILED, "encryption failed", e);
        }
        final byte[] signature;
        try {
            signature = senderPsd.sign(sha256(SealedPackage.signedBytes(header, ciphertext)));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new SealingException(SealingException.Reason.SEALING_FAILED,
                    "the sender's PSD did not sign the package", e);
        }
        return SealedPackage.of(header, ciphertext, signature).encode();
    }

    /**
     * Checks and decrypts a package inside the recipient's token.
     *
     * @param expected the transfer and meters the package must be addressed for (from the ledger's record)
     * @param senderPublicKey the sender meter's registered PSD key
     * @param recipientPsd the recipient's token (normally {@link RecipientPsd#throughBridge})
     */
    public static SecureItem unseal(final byte[] encoded, final Addressing expected, final PublicKey senderPublicKey,
            final RecipientPsd recipientPsd) throws SealingException {
        final SealedPackage sealed;
        try {
            sealed = SealedPackage.decode(encoded);
        } catch (IllegalArgumentException e) {
            throw new SealingException(SealingException.Reason.MALFORMED, e.getMessage(), e);
        }
        final SealedPackage.Header header = sealed.header();
        final Addressing actual = new Addressing(header.transferId(), header.senderMeterId(), header.recipientMeterId());
        if (!actual.equals(expected)) {
            throw new SealingException(SealingException.Reason.WRONG_ADDRESSING,
                    "the package is addressed " + actual + ", expected " + expected);
        }
        if (!verifies(sealed, senderPublicKey)) {
            throw new SealingException(SealingException.Reason.BAD_SIGNATURE,
                    "the package is not signed by " + expected.senderMeterId() + "'s PSD");
        }
        final SecureItem item;
        try {
            item = recipientPsd.open(encoded);
        } catch (BridgeException e) {
            // The bridge says DATA_LOSS when AES-GCM does not authenticate: not sealed to this PSD, or altered.
            throw e.code() == io.grpc.Status.Code.DATA_LOSS
                    ? new SealingException(SealingException.Reason.DECRYPTION_FAILED,
                            "authentication failed: not sealed to this PSD, or altered (" + e.getMessage() + ")", e)
                    : new SealingException(SealingException.Reason.KEY_AGREEMENT_REFUSED,
                            "the recipient's PSD did not open the package: " + e.getMessage(), e);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new SealingException(SealingException.Reason.DECRYPTION_FAILED,
                    "authentication failed: not sealed to this PSD, or altered", e);
        } catch (Exception e) {
            throw new SealingException(SealingException.Reason.KEY_AGREEMENT_REFUSED,
                    "the recipient's PSD did not open the package: " + e.getMessage(), e);
        }
        if (!item.name().equals(header.itemName()) || !item.contentType().equals(header.contentType())) {
            throw new SealingException(SealingException.Reason.MALFORMED, "the recipient's PSD returned "
                    + item + " for a package of '" + header.itemName() + "'");
        }
        return item;
    }

    private static boolean verifies(final SealedPackage sealed, final PublicKey senderPublicKey) {
        try {
            final Signature verifier = Signature.getInstance("SHA256withECDSA");
            verifier.initVerify(senderPublicKey);
            verifier.update(sealed.signedBytes());
            return verifier.verify(sealed.signature());
        } catch (GeneralSecurityException e) {
            // A malformed DER signature is a bad signature, not an error of ours.
            return false;
        }
    }

    private static byte[] sha256(final byte[] bytes) throws GeneralSecurityException {
        return MessageDigest.getInstance("SHA-256").digest(bytes);
    }
}
