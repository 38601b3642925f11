package org.postalfunds.hsm.pkcs11;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.security.AuthProvider;
import java.security.DigestOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.Provider;
import java.security.ProviderException;
import java.security.Security;
import java.security.SignatureException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.logging.Logger;

import javax.crypto.AEADBadTagException;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.LoginException;

import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.RuntimeOperatorException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.postalfunds.hsm.MeterIds;
import org.postalfunds.hsm.crypto.CertificateNames;
import org.postalfunds.hsm.crypto.EcdsaSignatures;
import org.postalfunds.api.format.KeyAgreementCertificate;
import org.postalfunds.api.format.PackageCipher;
import org.postalfunds.api.format.SealedPackage;
import org.postalfunds.hsm.crypto.PublicKeys;
import org.postalfunds.hsm.pkcs11.Pkcs11Module.Attribute;
import org.postalfunds.hsm.pkcs11.Pkcs11Module.KeyPairHandles;
import org.postalfunds.hsm.pkcs11.Pkcs11Module.TokenObject;

import static org.postalfunds.hsm.pkcs11.Pkcs11Module.CKA_CERTIFICATE_TYPE;
import static org.postalfunds.hsm.pkcs11.Pkcs11Module.CKA_CLASS;
import static org.postalfunds.hsm.pkcs11.Pkcs11Module.CKA_DERIVE;
import static org.postalfunds.hsm.pkcs11.Pkcs11Module.CKA_EC_PARAMS;
import static org.postalfunds.hsm.pkcs11.Pkcs11Module.CKA_EC_POINT;
import static org.postalfunds.hsm.pkcs11.Pkcs11Module.CKA_EXTRACTABLE;
import static org.postalfunds.hsm.pkcs11.Pkcs11Module.CKA_ID;
import static org.postalfunds.hsm.pkcs11.Pkcs11Module.CKA_ISSUER;
import static org.postalfunds.hsm.pkcs11.Pkcs11Module.CKA_KEY_TYPE;
import static org.postalfunds.hsm.pkcs11.Pkcs11Module.CKA_LABEL;
import static org.postalfunds.hsm.pkcs11.Pkcs11Module.CKA_PRIVATE;
import static org.postalfunds.hsm.pkcs11.Pkcs11Module.CKA_SENSITIVE;
import static org.postalfunds.hsm.pkcs11.Pkcs11Module.CKA_SERIAL_NUMBER;
import static org.postalfunds.hsm.pkcs11.Pkcs11Module.CKA_SIGN;
import static org.postalfunds.hsm.pkcs11.Pkcs11Module.CKA_SUBJECT;
import static org.postalfunds.hsm.pkcs11.Pkcs11Module.CKA_TOKEN;
import static org.postalfunds.hsm.pkcs11.Pkcs11Module.CKA_VALUE;
import static org.postalfunds.hsm.pkcs11.Pkcs11Module.CKA_VERIFY;
import static org.postalfunds.hsm.pkcs11.Pkcs11Module.CKC_X_509;
import static org.postalfunds.hsm.pkcs11.Pkcs11Module.CKK_EC;
import static org.postalfunds.hsm.pkcs11.Pkcs11Module.CKO_CERTIFICATE;
import static org.postalfunds.hsm.pkcs11.Pkcs11Module.CKO_PRIVATE_KEY;
import static org.postalfunds.hsm.pkcs11.Pkcs11Module.CKO_PUBLIC_KEY;

/**
 * A PSD token: the PKCS#11 token holding the meters' P-256 keys.
 *
 * <p>Every meter key is generated inside the token as a token object that is private, sensitive and not
 * extractable; its private half never leaves. Each key object carries the meter id (or {@link #keyAgreementAlias}) as
 * CKA_ID and CKA_LABEL, and is stored with a certificate object of the same CKA_ID and CKA_LABEL: a self-signed
 * placeholder until the meter owner's CA issues the real one ({@link #importCertificate}). That is the layout
 * SunPKCS11's KeyStore reads, so any JCA code can still open the token's keys.
 *
 * <p>The bridge itself works by object handle through the PKCS#11 wrapper ({@link Pkcs11Module}): the token's objects
 * are listed once when it opens, and each meter's handles are kept. A PKCS#11 search visits every object of the token
 * (SoftHSM2 reads each object's file to compare it), and SunPKCS11's KeyStore re-lists the whole token on every entry
 * it stores or deletes; by handle, enrolling a meter or signing costs the same with 10 or 10,000 meters in the token
 * (issue 17). SunPKCS11 only logs in and out.
 *
 * <pre>{@code
 * try (PsdToken token = PsdToken.open(config)) {
 *     token.createMeterKey("meter-0001");
 *     byte[] signature = token.signDigest("meter-0001", sha256);
 * }
 * }</pre>
 *
 * <p>Thread-safe. One instance per token per JVM: PKCS#11 login state belongs to the process, so a second
 * instance's logout would log the first one out ({@link TokenException.Reason#TOKEN_IN_USE}).
 */
public final class PsdToken implements AutoCloseable {
    /** SHA-256 digests only: what Fabric signs, and what the low-S rule is checked against. */
    public static final int DIGEST_LENGTH = 32;
    /** Placeholder certificates only need to outlive the time until enrolment. */
    static final Duration PLACEHOLDER_VALIDITY = Duration.ofDays(3650);
    static final String PLACEHOLDER_UNIT = "psd-placeholder";
    static final String KEY_AGREEMENT_SUFFIX = "#key-agreement";
    /** CKA_LABEL of a revoked meter's public key object: the token's own record that the meter's key is gone. */
    static final String REVOKED_SUFFIX = "#revoked";

    private static final Logger LOG = Logger.getLogger(PsdToken.class.getName());
    /** Tokens open in this JVM, as "library#slot". */
    private static final Set<String> OPEN_TOKENS = ConcurrentHashMap.newKeySet();
    private static final BigInteger P256_ORDER = PublicKeys.p256().getOrder();
    /** CKA_EC_PARAMS of P-256: the DER of its OID 1.2.840.10045.3.1.7. */
    private static final byte[] P256_PARAMETERS = {0x06, 0x08, 0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x03, 0x01,
        0x07};
    private static final int METER_STRIPES = 64;
    private static final AlgorithmIdentifier SHA256_WITH_ECDSA =
            new DefaultSignatureAlgorithmIdentifierFinder().find("SHA256withECDSA");

    private final TokenConfig config;
    private final Pkcs11Module module;
    private final long slot;
    private final String openKey;
    /** Logs in and out; tests open the token's KeyStore through it, as any JCA code would. */
    private final Provider provider;
    /**
     * Changes to one meter's objects (create, import, revoke) hold its stripe and share {@code closing}; closing the token
     * waits for them. Different meters' changes run side by side: SoftHSM2's file store spends most of an enrolment
     * waiting for its writes. Signing takes no lock.
     */
    private final Object[] meterStripes = new Object[METER_STRIPES];
    private final ReadWriteLock closing = new ReentrantReadWriteLock();
    /** Meters with a signing key plus creations in progress: what {@link TokenConfig#maxMeterKeys()} bounds. */
    private final AtomicInteger meterKeySlots = new AtomicInteger();
    /** Idle sessions, reused: opening a session per signature would cost more than the signature. */
    private final ConcurrentLinkedDeque<Long> idleSessions = new ConcurrentLinkedDeque<>();
    /** Handles by CKA_ID (meter id or key-agreement alias), listed when the token opened and kept up to date since. */
    private final Map<String, Long> privateKeyHandles = new ConcurrentHashMap<>();
    private final Map<String, Long> publicKeyHandles = new ConcurrentHashMap<>();
    private final Map<String, Long> certificateHandles = new ConcurrentHashMap<>();
    /** Each meter's key, loaded from its handles on first use. */
    private final Map<String, MeterKey> keys = new ConcurrentHashMap<>();
    /** Meters whose keys were revoked, by this bridge or before it started (the token's label is the lasting record). */
    private final Set<String> revokedMeters = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private PsdToken(final TokenConfig config, final Pkcs11Module module, final long slot, final String openKey,
            final Provider provider) {
        this.config = config;
        this.module = module;
        this.slot = slot;
        this.openKey = openKey;
        this.provider = provider;
        for (int i = 0; i < METER_STRIPES; i++) {
            meterStripes[i] = new Object();
        }
    }

    /** The key store alias (and CKA_ID, CKA_LABEL) of a meter's key-agreement key; '#' is not in any meter id. */
    public static String keyAgreementAlias(final String meterId) {
        return meterId + KEY_AGREEMENT_SUFFIX;
    }

    /**
     * Finds the token by label, configures a SunPKCS11 provider for its slot, logs in with the PIN and lists the
     * token's key and certificate objects once.
     *
     * @throws TokenException LIBRARY_NOT_FOUND, TOKEN_NOT_FOUND, TOKEN_IN_USE, PIN_UNAVAILABLE, PIN_INCORRECT,
     *     PKCS11_WRAPPER_NOT_EXPORTED, TOKEN_FAILURE
     */
    public static PsdToken open(final TokenConfig config) throws TokenException {
        Objects.requireNonNull(config, "config");
        final Pkcs11Module module = Pkcs11Module.load(config.library());
        final long slot = module.slotOf(config.tokenLabel());
        final String openKey = module.library() + "#" + slot;
        if (!OPEN_TOKENS.add(openKey)) {
            throw new TokenException(TokenException.Reason.TOKEN_IN_USE,
                    "token '" + config.tokenLabel() + "' is already open in this JVM");
        }
        try {
            final Provider provider = configureProvider(module, slot, config.tokenLabel());
            login(provider, config);
            final PsdToken token = new PsdToken(config, module, slot, openKey, provider);
            token.listObjects();
            token.meterKeySlots.set(token.meterKeyCount());
            LOG.info(() -> "opened token '" + config.tokenLabel() + "' in slot " + slot + " of " + module.library()
                    + ": " + token.privateKeyHandles.size() + " private keys");
            return token;
        } catch (TokenException | RuntimeException e) {
            OPEN_TOKENS.remove(openKey);
            throw e;
        }
    }

    public String label() {
        return config.tokenLabel();
    }

    public TokenConfig config() {
        return config;
    }

    /** True while the token is open and its slot still holds it. */
    public boolean isPresent() {
        return !closed && module.holdsToken(slot, config.tokenLabel());
    }

    /**
     * Generates the meter's two P-256 key pairs inside the token: the signing key, stored under the meter id with a
     * self-signed placeholder certificate, and the key-agreement key, stored under {@link #keyAgreementAlias} with
     * its certificate issued by the signing key (ledger-api {@code KeyAgreementCertificate}).
     *
     * @throws TokenException METER_KEY_EXISTS, METER_KEY_LIMIT_REACHED, METER_KEY_REVOKED, TOKEN_FAILURE
     */
    public MeterKeyInfo createMeterKey(final String meterId) throws TokenException {
        MeterIds.requireValid(meterId);
        final String alias = keyAgreementAlias(meterId);
        closing.readLock().lock();
        try {
            synchronized (stripe(meterId)) {
                requireOpen();
                // A revoked meter id never gets a key again: its replacement is enrolled under a new meter id.
                requireNotRevoked(meterId);
                if (privateKeyHandles.containsKey(meterId) || certificateHandles.containsKey(meterId)) {
                    throw new TokenException(TokenException.Reason.METER_KEY_EXISTS, meterId,
                            "meter " + meterId + " already has a key in token '" + label() + "'", null);
                }
                if (meterKeySlots.incrementAndGet() > config.maxMeterKeys()) {
                    meterKeySlots.decrementAndGet();
                    throw new TokenException(TokenException.Reason.METER_KEY_LIMIT_REACHED, meterId,
                            "token '" + label() + "' holds its limit of " + config.maxMeterKeys() + " meter keys", null);
                }
                return createKeysLocked(meterId, alias);
            }
        } finally {
            closing.readLock().unlock();
        }
    }

    /** The meter's key pairs and certificates, under the meter's stripe; a failure destroys what it made. */
    private MeterKeyInfo createKeysLocked(final String meterId, final String alias) throws TokenException {
        final List<Long> created = new ArrayList<>();
        try {
            final MeterKey key = inSession(session -> {
                final KeyPairHandles signing = module.generateEcKeyPair(session,
                        publicKeyTemplate(meterId, true), privateKeyTemplate(meterId, true));
                created.add(signing.publicKey());
                created.add(signing.privateKey());
                final ECPublicKey publicKey = publicKey(session, signing.publicKey());
                final X509Certificate placeholder = placeholderCertificate(meterId, signing.privateKey(), publicKey);
                final long placeholderHandle = module.createObject(session, certificateTemplate(meterId, placeholder));
                created.add(placeholderHandle);

                final KeyPairHandles agreement = module.generateEcKeyPair(session,
                        publicKeyTemplate(alias, false), privateKeyTemplate(alias, false));
                created.add(agreement.publicKey());
                created.add(agreement.privateKey());
                final X509Certificate agreementCertificate = keyAgreementCertificate(meterId, signing.privateKey(),
                        publicKey(session, agreement.publicKey()));
                final long agreementCertificateHandle = module.createObject(session,
                        certificateTemplate(alias, agreementCertificate));
                created.add(agreementCertificateHandle);

                publicKeyHandles.put(meterId, signing.publicKey());
                privateKeyHandles.put(meterId, signing.privateKey());
                certificateHandles.put(meterId, placeholderHandle);
                publicKeyHandles.put(alias, agreement.publicKey());
                privateKeyHandles.put(alias, agreement.privateKey());
                certificateHandles.put(alias, agreementCertificateHandle);
                return new MeterKey(signing.privateKey(), publicKey, placeholder, placeholderHandle,
                        agreementCertificate, agreement.privateKey());
            });
            keys.put(meterId, key);
            return key.info(meterId);
        } catch (TokenException e) {
            meterKeySlots.decrementAndGet();
            destroyQuietly(meterId, created);
            throw failure(meterId, "creating the keys of meter " + meterId, e);
        }
    }

    /**
     * Revokes the meter's keys for good (its PSD failed or was stolen): the signing public key object is relabelled
     * {@code <meterId>#revoked}, the token's lasting record, then the signing and key-agreement private key objects and
     * their certificates are destroyed, so every later use of the meter's key, by this bridge or after a restart, fails
     * with METER_KEY_REVOKED.
     *
     * @return true when the key had been revoked already (nothing changed but a private key left behind destroyed)
     * @throws TokenException METER_KEY_NOT_FOUND when the token never held a key for the meter, TOKEN_FAILURE
     */
    public boolean revokeMeterKey(final String meterId) throws TokenException {
        MeterIds.requireValid(meterId);
        final String alias = keyAgreementAlias(meterId);
        closing.readLock().lock();
        try {
            synchronized (stripe(meterId)) {
                requireOpen();
                final boolean already = isRevoked(meterId);
                if (!already && !hasMeterKey(meterId)) {
                    throw new TokenException(TokenException.Reason.METER_KEY_NOT_FOUND, meterId,
                            "token '" + label() + "' holds no key for meter " + meterId, null);
                }
                revokedMeters.add(meterId);
                keys.remove(meterId);
                if (!already) {
                    meterKeySlots.decrementAndGet();
                }
                try {
                    inSession(session -> {
                        final Long publicKey = publicKeyHandles.get(meterId);
                        if (publicKey != null) {
                            module.setAttributes(session, publicKey,
                                    new Attribute(CKA_LABEL, (meterId + REVOKED_SUFFIX).toCharArray()));
                            publicKeyHandles.remove(meterId);
                        }
                        for (final String id : List.of(meterId, alias)) {
                            final Long privateKey = privateKeyHandles.remove(id);
                            if (privateKey != null) {
                                module.destroyObject(session, privateKey);
                            }
                            final Long certificate = certificateHandles.remove(id);
                            if (certificate != null) {
                                module.destroyObject(session, certificate);
                            }
                        }
                        return null;
                    });
                } catch (TokenException e) {
                    throw failure(meterId, "destroying the keys of meter " + meterId, e);
                }
                if (!already) {
                    LOG.info(() -> "revoked the keys of meter " + meterId + " in token '" + label() + "'");
                }
                return already;
            }
        } finally {
            closing.readLock().unlock();
        }
    }

    /** True when the meter's key was revoked ({@link #revokeMeterKey}), by this bridge or before it started. */
    public boolean isRevoked(final String meterId) throws TokenException {
        return revokedMeters.contains(meterId);
    }

    /**
     * The private key objects the token holds for the meter, signing and key agreement, straight from a PKCS#11 search
     * (not this instance's handles): 2 for a meter with both keys, 0 once revoked.
     */
    public int privateKeyObjects(final String meterId) throws TokenException {
        MeterIds.requireValid(meterId);
        return module.privateKeyCount(slot, meterId) + module.privateKeyCount(slot, keyAgreementAlias(meterId));
    }

    private void requireNotRevoked(final String meterId) throws TokenException {
        if (isRevoked(meterId)) {
            throw new TokenException(TokenException.Reason.METER_KEY_REVOKED, meterId, "METER_KEY_REVOKED: the key of"
                    + " meter " + meterId + " was revoked (its PSD failed); token '" + label() + "' uses it no more",
                    null);
        }
    }

    /**
     * The meter's public key and stored certificate.
     *
     * @throws TokenException METER_KEY_NOT_FOUND, METER_KEY_REVOKED, TOKEN_FAILURE
     */
    public MeterKeyInfo meterKey(final String meterId) throws TokenException {
        return key(meterId).info(meterId);
    }

    /** True when the token holds the meter's signing key with its certificate (a key store's key entry). */
    public boolean hasMeterKey(final String meterId) throws TokenException {
        return MeterIds.isValid(meterId) && privateKeyHandles.containsKey(meterId)
                && certificateHandles.containsKey(meterId);
    }

    /** Meter ids of every meter's signing key in the token, sorted. */
    public List<String> meterIds() throws TokenException {
        requireOpen();
        final List<String> ids = new ArrayList<>();
        for (final String id : privateKeyHandles.keySet()) {
            if (!id.endsWith(KEY_AGREEMENT_SUFFIX) && certificateHandles.containsKey(id)) {
                ids.add(id);
            }
        }
        Collections.sort(ids);
        return List.copyOf(ids);
    }

    private Object stripe(final String meterId) {
        return meterStripes[Math.floorMod(meterId.hashCode(), METER_STRIPES)];
    }

    private int meterKeyCount() {
        int count = 0;
        for (final String id : privateKeyHandles.keySet()) {
            if (!id.endsWith(KEY_AGREEMENT_SUFFIX)) {
                count++;
            }
        }
        return count;
    }

    /**
     * Signs a 32-byte digest with the meter's key inside the token (CKM_ECDSA, no hashing) and returns the
     * DER signature with S in the lower half of the curve order, as Fabric requires.
     *
     * @throws TokenException METER_KEY_NOT_FOUND, METER_KEY_REVOKED, TOKEN_FAILURE
     * @throws IllegalArgumentException when the digest is not 32 bytes
     */
    public byte[] signDigest(final String meterId, final byte[] digest) throws TokenException {
        if (digest == null || digest.length != DIGEST_LENGTH) {
            throw new IllegalArgumentException("digest must be " + DIGEST_LENGTH + " bytes, got "
                    + (digest == null ? "none" : digest.length));
        }
        final MeterKey key = key(meterId);
        try {
            // The token's output is r || s, ready for the low-S rule without parsing DER first.
            return EcdsaSignatures.toLowSDer(signRaw(key.privateKey(), digest), P256_ORDER);
        } catch (TokenException | SignatureException e) {
            throw failure(meterId, "signing for meter " + meterId, e);
        }
    }

    /**
     * A PKCS#10 certification request for the meter's key, signed inside the token (SHA256withECDSA).
     *
     * @throws TokenException METER_KEY_NOT_FOUND, METER_KEY_REVOKED, TOKEN_FAILURE
     */
    public byte[] createCsr(final String meterId, final X500Name subject) throws TokenException {
        final MeterKey key = key(meterId);
        try {
            final PKCS10CertificationRequest request =
                    new JcaPKCS10CertificationRequestBuilder(subject, key.publicKey()).build(tokenSigner(key.privateKey()));
            // A request the CA would reject is a bug here, not the caller's problem: check before handing out.
            if (!request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key.publicKey()))) {
                throw new TokenException(TokenException.Reason.TOKEN_FAILURE, meterId,
                        "the token produced a CSR signature that does not verify for meter " + meterId, null);
            }
            return request.getEncoded();
        } catch (OperatorCreationException | PKCSException | IOException | RuntimeOperatorException e) {
            throw failure(meterId, "creating a CSR for meter " + meterId, e);
        }
    }

    /**
     * Opens a sealed package addressed to the meter: ECDH inside the token between the meter's key-agreement key and
     * the package's ephemeral key, then HKDF-SHA256 and AES-256-GCM here, next to the token
     * ({@link PackageCipher}). Returns only the content; the ECDH secret is a session object destroyed right after
     * reading it, and its bytes are wiped once the package key is derived. Nothing checks the sender's signature
     * here: the bridge does not know the sender's registered certificate, its caller does and checks it first.
     *
     * @throws TokenException PACKAGE_MISADDRESSED, PACKAGE_MALFORMED (an ephemeral key off the curve),
     *     PACKAGE_NOT_AUTHENTIC (AES-GCM authentication failed), METER_KEY_NOT_FOUND (no key-agreement key),
     *     METER_KEY_REVOKED, TOKEN_FAILURE
     */
    public byte[] openPackage(final String meterId, final SealedPackage sealed) throws TokenException {
        MeterIds.requireValid(meterId);
        final SealedPackage.Header header = sealed.header();
        if (!header.recipientMeterId().equals(meterId)) {
            throw new TokenException(TokenException.Reason.PACKAGE_MISADDRESSED, meterId, "the package is addressed to "
                    + MeterIds.printable(header.recipientMeterId()) + ", not " + meterId, null);
        }
        try {
            // Checks the point is on P-256 before the token sees it.
            PackageCipher.ephemeralKey(header);
        } catch (GeneralSecurityException e) {
            throw new TokenException(TokenException.Reason.PACKAGE_MALFORMED, meterId,
                    "the package's ephemeral key: " + e.getMessage(), e);
        }
        final MeterKey key = key(meterId);
        if (key.agreementPrivateKey() == 0) {
            throw new TokenException(TokenException.Reason.METER_KEY_NOT_FOUND, meterId, "token '" + label()
                    + "' holds no key-agreement key for meter " + meterId
                    + " (its key was made before signing and key agreement were separated)", null);
        }
        final byte[] sharedSecret;
        try {
            sharedSecret = inSession(session -> module.deriveEcdhSecret(session, key.agreementPrivateKey(),
                    header.ephemeralPublicKey()));
        } catch (TokenException e) {
            throw failure(meterId, "key agreement for meter " + meterId, e);
        }
        try {
            return PackageCipher.decrypt(sharedSecret, header, sealed.ciphertext());
        } catch (AEADBadTagException e) {
            throw new TokenException(TokenException.Reason.PACKAGE_NOT_AUTHENTIC, meterId, "authentication failed: the "
                    + "package is not sealed to the key-agreement key of " + meterId + ", or was altered", e);
        } catch (GeneralSecurityException e) {
            throw failure(meterId, "decrypting a package for meter " + meterId, e);
        } finally {
            Arrays.fill(sharedSecret, (byte) 0);
        }
    }

    /**
     * Replaces the meter's stored certificate (the placeholder, or an earlier one) with a certificate issued
     * for its token key. The key itself is untouched.
     *
     * @throws TokenException METER_KEY_NOT_FOUND, METER_KEY_REVOKED, CERTIFICATE_MISMATCH (another key, another CN,
     *     not valid now), TOKEN_FAILURE
     */
    public MeterKeyInfo importCertificate(final String meterId, final X509Certificate certificate)
            throws TokenException {
        final MeterKey key = key(meterId);
        if (!PublicKeys.sameKey(certificate.getPublicKey(), key.publicKey())) {
            throw new TokenException(TokenException.Reason.CERTIFICATE_MISMATCH, meterId,
                    "the certificate's public key is not the token key of meter " + meterId, null);
        }
        final String commonName = CertificateNames.commonName(certificate).orElse("");
        if (!commonName.equals(meterId)) {
            throw new TokenException(TokenException.Reason.CERTIFICATE_MISMATCH, meterId, "the certificate names CN '"
                    + MeterIds.printable(commonName) + "', not meter " + meterId, null);
        }
        try {
            certificate.checkValidity();
        } catch (CertificateException e) {
            throw new TokenException(TokenException.Reason.CERTIFICATE_MISMATCH, meterId,
                    "the certificate is not valid now: " + e.getMessage(), e);
        }
        closing.readLock().lock();
        try {
            synchronized (stripe(meterId)) {
                requireOpen();
                final MeterKey current = key(meterId);
                try {
                    // The new certificate first: a failure in between leaves two (the enrolled one is preferred on
                    // opening), never none, which would hide the key.
                    final long handle = inSession(session -> {
                        final long created = module.createObject(session, certificateTemplate(meterId, certificate));
                        module.destroyObject(session, current.certificateHandle());
                        return created;
                    });
                    certificateHandles.put(meterId, handle);
                    final MeterKey updated = new MeterKey(current.privateKey(), current.publicKey(), certificate, handle,
                            current.keyAgreementCertificate(), current.agreementPrivateKey());
                    keys.put(meterId, updated);
                    return updated.info(meterId);
                } catch (TokenException e) {
                    keys.remove(meterId);
                    throw failure(meterId, "storing the certificate of meter " + meterId, e);
                }
            }
        } finally {
            closing.readLock().unlock();
        }
    }

    /** The PKCS#11 attributes of the meter's signing key object, read from the token. */
    public MeterKeyAttributes keyAttributes(final String meterId) throws TokenException {
        key(meterId);
        return module.privateKeyAttributes(slot, meterId);
    }

    /** The PKCS#11 attributes of the meter's key-agreement key object, read from the token. */
    public MeterKeyAttributes keyAgreementKeyAttributes(final String meterId) throws TokenException {
        if (key(meterId).agreementPrivateKey() == 0) {
            throw new TokenException(TokenException.Reason.METER_KEY_NOT_FOUND, meterId,
                    "token '" + label() + "' holds no key-agreement key for meter " + meterId, null);
        }
        return module.privateKeyAttributes(slot, keyAgreementAlias(meterId));
    }

    /** Closes the sessions, logs out and releases the token for another open in this JVM. Idempotent. */
    @Override
    public void close() {
        closing.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            keys.clear();
            for (Long session = idleSessions.poll(); session != null; session = idleSessions.poll()) {
                closeSessionQuietly(session);
            }
            try {
                ((AuthProvider) provider).logout();
            } catch (LoginException | ProviderException e) {
                LOG.warning("logout from token '" + label() + "' failed: " + e.getMessage());
            } finally {
                OPEN_TOKENS.remove(openKey);
            }
        } finally {
            closing.writeLock().unlock();
        }
        LOG.info(() -> "closed token '" + label() + "'");
    }

    @Override
    public String toString() {
        return "PsdToken[label=" + label() + ", slot=" + slot + ", library=" + module.library()
                + (closed ? ", closed" : "") + "]";
    }

    private MeterKey key(final String meterId) throws TokenException {
        MeterIds.requireValid(meterId);
        final MeterKey cached = keys.get(meterId);
        if (cached != null && !closed && !revokedMeters.contains(meterId)) {
            return cached;
        }
        requireOpen();
        requireNotRevoked(meterId);
        final Long privateKey = privateKeyHandles.get(meterId);
        final Long certificateHandle = certificateHandles.get(meterId);
        if (privateKey == null || certificateHandle == null) {
            throw new TokenException(TokenException.Reason.METER_KEY_NOT_FOUND, meterId,
                    "token '" + label() + "' holds no key for meter " + meterId, null);
        }
        final String alias = keyAgreementAlias(meterId);
        final Long agreementPrivateKey = privateKeyHandles.get(alias);
        final Long agreementCertificateHandle = certificateHandles.get(alias);
        try {
            final MeterKey loaded = inSession(session -> {
                final X509Certificate certificate = certificate(session, certificateHandle);
                final X509Certificate agreementCertificate = agreementPrivateKey == null
                        || agreementCertificateHandle == null ? null : certificate(session, agreementCertificateHandle);
                return new MeterKey(privateKey, PublicKeys.requireP256(certificate.getPublicKey()), certificate,
                        certificateHandle, agreementCertificate,
                        agreementCertificate == null ? 0 : agreementPrivateKey);
            });
            keys.put(meterId, loaded);
            return loaded;
        } catch (TokenException e) {
            throw failure(meterId, "loading the key of meter " + meterId, e);
        }
    }

    /**
     * Lists the token's private keys, public keys and certificates by CKA_ID once. A certificate id found twice (an
     * import interrupted between storing the new certificate and destroying the old one) keeps the CA-issued one.
     */
    private void listObjects() throws TokenException {
        inSession(session -> {
            for (final TokenObject object : module.objects(session, CKO_PRIVATE_KEY)) {
                if (!object.id().isEmpty() && privateKeyHandles.putIfAbsent(object.id(), object.handle()) != null) {
                    LOG.warning("token '" + label() + "' holds more than one private key with id " + object.id()
                            + "; using the first");
                }
            }
            for (final TokenObject object : module.objects(session, CKO_PUBLIC_KEY)) {
                if (object.label().endsWith(REVOKED_SUFFIX)) {
                    revokedMeters.add(object.label().substring(0, object.label().length() - REVOKED_SUFFIX.length()));
                } else if (!object.id().isEmpty()) {
                    publicKeyHandles.putIfAbsent(object.id(), object.handle());
                }
            }
            for (final TokenObject object : module.objects(session, CKO_CERTIFICATE)) {
                if (object.id().isEmpty()) {
                    continue;
                }
                final Long other = certificateHandles.putIfAbsent(object.id(), object.handle());
                if (other != null) {
                    try {
                        if (isSelfSigned(certificate(session, other))) {
                            certificateHandles.put(object.id(), object.handle());
                        }
                    } catch (GeneralSecurityException e) {
                        throw new TokenException(TokenException.Reason.TOKEN_FAILURE, object.id(),
                                "a certificate of " + object.id() + " in token '" + label() + "' is unreadable", e);
                    }
                }
            }
            return null;
        });
    }

    /** Work on one session of the token. */
    @FunctionalInterface
    private interface SessionWork<T> {
        T run(long session) throws TokenException, GeneralSecurityException;
    }

    /**
     * Runs the work on an idle session (or a new one) and gives the session back; a session whose work failed is
     * closed instead, since an operation may be left half done in it.
     */
    private <T> T inSession(final SessionWork<T> work) throws TokenException {
        requireOpen();
        final Long idle = idleSessions.poll();
        final long session = idle != null ? idle : module.openSession(slot);
        boolean done = false;
        try {
            final T result = work.run(session);
            done = true;
            return result;
        } catch (GeneralSecurityException e) {
            throw new TokenException(TokenException.Reason.TOKEN_FAILURE, null, rootMessage(e), e);
        } finally {
            if (done && !closed) {
                idleSessions.push(session);
            } else {
                closeSessionQuietly(session);
            }
        }
    }

    private void closeSessionQuietly(final long session) {
        try {
            module.closeSession(session);
        } catch (TokenException e) {
            LOG.fine(() -> "closing a session of token '" + label() + "' failed: " + e.getMessage());
        }
    }

    private void destroyQuietly(final String meterId, final List<Long> objects) {
        publicKeyHandles.values().removeAll(objects);
        privateKeyHandles.values().removeAll(objects);
        certificateHandles.values().removeAll(objects);
        try {
            inSession(session -> {
                for (int i = objects.size() - 1; i >= 0; i--) {
                    module.destroyObject(session, objects.get(i));
                }
                return null;
            });
        } catch (TokenException e) {
            LOG.warning("the objects of meter " + meterId + "'s failed key creation stay in token '" + label()
                    + "': " + e.getMessage());
        }
    }

    private byte[] signRaw(final long privateKey, final byte[] digest) throws TokenException {
        return inSession(session -> module.signEcdsa(session, privateKey, digest));
    }

    /** The public key of a key pair generated in the token, from its CKA_EC_POINT. */
    private ECPublicKey publicKey(final long session, final long publicKeyHandle)
            throws TokenException, GeneralSecurityException {
        final byte[] stored = module.bytes(session, publicKeyHandle, CKA_EC_POINT);
        // SoftHSM2 and most tokens store the DER OCTET STRING around the X9.62 point; some the bare point.
        final byte[] point = stored.length == 65 && stored[0] == 0x04 ? stored
                : ASN1OctetString.getInstance(stored).getOctets();
        if (point.length != 65 || point[0] != 0x04) {
            throw new GeneralSecurityException("the token's public key is not an uncompressed P-256 point");
        }
        final ECPoint w = new ECPoint(new BigInteger(1, Arrays.copyOfRange(point, 1, 33)),
                new BigInteger(1, Arrays.copyOfRange(point, 33, 65)));
        return PublicKeys.requireP256(KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w,
                PublicKeys.p256())));
    }

    private X509Certificate certificate(final long session, final long handle)
            throws TokenException, GeneralSecurityException {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(module.bytes(session, handle, CKA_VALUE)));
    }

    private static boolean isSelfSigned(final X509Certificate certificate) {
        return certificate.getIssuerX500Principal().equals(certificate.getSubjectX500Principal());
    }

    /** The key-agreement key's certificate, issued by the meter's signing key inside the token. */
    private X509Certificate keyAgreementCertificate(final String meterId, final long signingKey,
            final ECPublicKey agreementKey) throws TokenException, GeneralSecurityException {
        final X500Name subject = X500Name.getInstance(KeyAgreementCertificate.subjectFor(meterId).getEncoded());
        final X500Name issuer = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.OU, "psd-signing-key").addRDN(BCStyle.CN, meterId).build();
        final Instant now = Instant.now();
        final JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minusSeconds(60)),
                Date.from(now.plus(PLACEHOLDER_VALIDITY)), subject, agreementKey);
        try {
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyAgreement));
        } catch (IOException e) {
            throw new CertificateException("the key usage extension", e);
        }
        return signedCertificate(builder, signingKey);
    }

    private X509Certificate placeholderCertificate(final String meterId, final long privateKey,
            final ECPublicKey publicKey) throws TokenException, GeneralSecurityException {
        final X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.OU, PLACEHOLDER_UNIT).addRDN(BCStyle.CN, meterId).build();
        final Instant now = Instant.now();
        final JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minusSeconds(60)),
                Date.from(now.plus(PLACEHOLDER_VALIDITY)), subject, publicKey);
        return signedCertificate(builder, privateKey);
    }

    private X509Certificate signedCertificate(final JcaX509v3CertificateBuilder builder, final long signingKey)
            throws TokenException, GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(builder.build(tokenSigner(signingKey)));
        } catch (RuntimeOperatorException e) {
            if (e.getCause() instanceof TokenException) {
                throw (TokenException) e.getCause();
            }
            throw new SignatureException("signing a certificate in the token", e);
        }
    }

    /**
     * SHA256withECDSA for BouncyCastle's builders: SHA-256 here, the signature by the token (CKM_ECDSA), DER with low S.
     */
    private ContentSigner tokenSigner(final long privateKey) {
        final MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
        final OutputStream stream = new DigestOutputStream(OutputStream.nullOutputStream(), sha256);
        return new ContentSigner() {
            @Override
            public AlgorithmIdentifier getAlgorithmIdentifier() {
                return SHA256_WITH_ECDSA;
            }

            @Override
            public OutputStream getOutputStream() {
                return stream;
            }

            @Override
            public byte[] getSignature() {
                try {
                    return EcdsaSignatures.toLowSDer(signRaw(privateKey, sha256.digest()), P256_ORDER);
                } catch (TokenException | SignatureException e) {
                    throw new RuntimeOperatorException("the token did not sign: " + e.getMessage(), e);
                }
            }
        };
    }

    private void requireOpen() throws TokenException {
        if (closed) {
            throw new TokenException(TokenException.Reason.TOKEN_FAILURE, "token '" + label() + "' is closed");
        }
    }

    /** A token failure with what was being done; any other reason (NOT_FOUND, REVOKED, ...) passes unchanged. */
    private TokenException failure(final String meterId, final String action, final Throwable cause) {
        if (cause instanceof TokenException token && token.reason() != TokenException.Reason.TOKEN_FAILURE) {
            return token;
        }
        if (cause instanceof TokenException token && token.meterId().isPresent()) {
            return token;
        }
        return new TokenException(TokenException.Reason.TOKEN_FAILURE, meterId,
                action + " failed in token '" + label() + "': " + rootMessage(cause), cause);
    }

    private static String rootMessage(final Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == error ? String.valueOf(error.getMessage()) : error.getMessage() + " (" + root + ")";
    }

    /**
     * The public key template: a token object, public. Signing: CKA_VERIFY, never CKA_DERIVE; key agreement: neither.
     * CKA_ID and CKA_LABEL name the meter (or its key-agreement alias), so tools listing the token show whose it is.
     */
    private static Attribute[] publicKeyTemplate(final String keyId, final boolean signing) {
        final List<Attribute> template = new ArrayList<>(List.of(
                new Attribute(CKA_CLASS, CKO_PUBLIC_KEY), new Attribute(CKA_KEY_TYPE, CKK_EC),
                new Attribute(CKA_EC_PARAMS, P256_PARAMETERS.clone()),
                new Attribute(CKA_TOKEN, true), new Attribute(CKA_PRIVATE, false), new Attribute(CKA_VERIFY, signing),
                new Attribute(CKA_ID, Pkcs11Module.id(keyId)), new Attribute(CKA_LABEL, keyId.toCharArray())));
        if (signing) {
            template.add(new Attribute(CKA_DERIVE, false));
        }
        return template.toArray(Attribute[]::new);
    }

    /**
     * The private key template: a token object, private, sensitive, never extractable. Signing: CKA_SIGN only; key
     * agreement: CKA_DERIVE only (a signing key is never used for ECDH, nor the key-agreement key to sign).
     */
    private static Attribute[] privateKeyTemplate(final String keyId, final boolean signing) {
        return new Attribute[] {
            new Attribute(CKA_CLASS, CKO_PRIVATE_KEY), new Attribute(CKA_KEY_TYPE, CKK_EC),
            new Attribute(CKA_TOKEN, true), new Attribute(CKA_PRIVATE, true), new Attribute(CKA_SENSITIVE, true),
            new Attribute(CKA_EXTRACTABLE, false), new Attribute(CKA_SIGN, signing), new Attribute(CKA_DERIVE, !signing),
            new Attribute(CKA_ID, Pkcs11Module.id(keyId)), new Attribute(CKA_LABEL, keyId.toCharArray()),
        };
    }

    /** A certificate object as SunPKCS11's KeyStore stores one: matched to its key by CKA_ID, named by CKA_LABEL. */
    private static Attribute[] certificateTemplate(final String keyId, final X509Certificate certificate)
            throws CertificateException {
        return new Attribute[] {
            new Attribute(CKA_CLASS, CKO_CERTIFICATE), new Attribute(CKA_TOKEN, true),
            new Attribute(CKA_CERTIFICATE_TYPE, CKC_X_509),
            new Attribute(CKA_SUBJECT, certificate.getSubjectX500Principal().getEncoded()),
            new Attribute(CKA_ISSUER, certificate.getIssuerX500Principal().getEncoded()),
            new Attribute(CKA_SERIAL_NUMBER, certificate.getSerialNumber().toByteArray()),
            new Attribute(CKA_VALUE, certificate.getEncoded()),
            new Attribute(CKA_ID, Pkcs11Module.id(keyId)), new Attribute(CKA_LABEL, keyId.toCharArray()),
        };
    }

    private static Provider configureProvider(final Pkcs11Module module, final long slot, final String label)
            throws TokenException {
        final String configuration = String.join("\n",
                "name = psd-" + label.replaceAll("[^A-Za-z0-9]", "-"),
                "library = " + module.library(),
                "slot = " + slot,
                "");
        final Provider base = Security.getProvider("SunPKCS11");
        if (base == null) {
            throw new TokenException(TokenException.Reason.LIBRARY_NOT_FOUND,
                    "this JVM has no SunPKCS11 provider (module jdk.crypto.cryptoki)");
        }
        try {
            return base.configure("--" + configuration);
        } catch (ProviderException | IllegalArgumentException e) {
            throw new TokenException(TokenException.Reason.TOKEN_FAILURE, null,
                    "SunPKCS11 cannot use slot " + slot + " of " + module.library() + ": " + rootMessage(e), e);
        }
    }

    /**
     * Logs in through SunPKCS11 (which logs out at close). Not through its KeyStore: loading one lists every object of
     * the token.
     */
    private static void login(final Provider provider, final TokenConfig config) throws TokenException {
        final char[] pin = config.pinSource().read();
        try {
            ((AuthProvider) provider).login(null, callbacks -> {
                for (final Callback callback : callbacks) {
                    if (!(callback instanceof PasswordCallback)) {
                        throw new UnsupportedCallbackException(callback);
                    }
                    ((PasswordCallback) callback).setPassword(pin);
                }
            });
        } catch (LoginException e) {
            throw new TokenException(TokenException.Reason.PIN_INCORRECT, null, "token '" + config.tokenLabel()
                    + "' refused the PIN from " + config.pinSource() + ": " + rootMessage(e), e);
        } catch (ProviderException e) {
            throw new TokenException(TokenException.Reason.TOKEN_FAILURE, null,
                    "logging in to token '" + config.tokenLabel() + "' failed: " + rootMessage(e), e);
        } finally {
            Arrays.fill(pin, '\0');
        }
    }

    /**
     * A meter's handles: its signing key, the certificate stored beside it (and that object's handle), the key-agreement
     * certificate and key (null and 0 for a key made before signing and key agreement were separated).
     */
    private record MeterKey(long privateKey, ECPublicKey publicKey, X509Certificate certificate, long certificateHandle,
            X509Certificate keyAgreementCertificate, long agreementPrivateKey) {
        MeterKeyInfo info(final String meterId) {
            return new MeterKeyInfo(meterId, publicKey, certificate, !isSelfSigned(certificate), keyAgreementCertificate);
        }
    }
}
