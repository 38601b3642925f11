package org.postalfunds.hsm.pkcs11;

import java.io.IOException;
import java.math.BigInteger;
import java.security.AuthProvider;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.ProviderException;
import java.security.Security;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
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
import java.util.logging.Logger;

import javax.crypto.AEADBadTagException;
import javax.crypto.KeyAgreement;
import javax.security.auth.login.LoginException;

import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
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

/**
 * A PSD token: the PKCS#11 token holding the meters' P-256 keys, through Java's SunPKCS11 provider.
 *
 * <p>Every meter key is generated inside the token as a token object that is private, sensitive and not
 * extractable; its private half never leaves. The key is found again by meter id: SunPKCS11's KeyStore
 * lists a private key only together with a certificate, so each key is stored with a self-signed
 * placeholder certificate until the meter owner's CA issues the real one ({@link #importCertificate}).
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

    private final TokenConfig config;
    private final Pkcs11Module module;
    private final long slot;
    private final String openKey;
    private final Provider provider;
    private final KeyStore keyStore;
    /**
     * A second SunPKCS11 provider on the same slot for the key-agreement keys: a provider's key templates apply to
     * every key it generates, and the two keys must differ (signing: CKA_SIGN only; key agreement: CKA_DERIVE only).
     */
    private final Provider agreementProvider;
    private final KeyStore agreementKeyStore;
    /** Key handles by meter id: a KeyStore lookup searches the token, a signature must not. */
    private final Map<String, MeterKey> keys = new ConcurrentHashMap<>();
    private final Map<String, PrivateKey> agreementKeys = new ConcurrentHashMap<>();
    /** Meters whose keys this instance revoked or found revoked (the token's label is the lasting record). */
    private final Set<String> revokedMeters = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private PsdToken(final TokenConfig config, final Pkcs11Module module, final long slot, final String openKey,
            final Provider provider, final KeyStore keyStore, final Provider agreementProvider,
            final KeyStore agreementKeyStore) {
        this.config = config;
        this.module = module;
        this.slot = slot;
        this.openKey = openKey;
        this.provider = provider;
        this.keyStore = keyStore;
        this.agreementProvider = agreementProvider;
        this.agreementKeyStore = agreementKeyStore;
    }

    /** The key store alias (and CKA_ID, CKA_LABEL) of a meter's key-agreement key; '#' is not in any meter id. */
    public static String keyAgreementAlias(final String meterId) {
        return meterId + KEY_AGREEMENT_SUFFIX;
    }

    /**
     * Finds the token by label, configures a SunPKCS11 provider for its slot and logs in with the PIN.
     *
     * @throws TokenException LIBRARY_NOT_FOUND, TOKEN_NOT_FOUND, TOKEN_IN_USE, PIN_UNAVAILABLE, PIN_INCORRECT,
     *     PKCS11_WRAPPER_NOT_EXPORTED
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
            final Provider provider = configureProvider(module, slot, config.tokenLabel(), SIGNING_TEMPLATES, "");
            final KeyStore keyStore = login(provider, config);
            final Provider agreementProvider = configureProvider(module, slot, config.tokenLabel(),
                    KEY_AGREEMENT_TEMPLATES, "-key-agreement");
            final KeyStore agreementKeyStore = login(agreementProvider, config);
            final PsdToken token = new PsdToken(config, module, slot, openKey, provider, keyStore, agreementProvider,
                    agreementKeyStore);
            LOG.info(() -> "opened token '" + config.tokenLabel() + "' in slot " + slot + " of " + module.library());
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
     * @throws TokenException METER_KEY_EXISTS, METER_KEY_LIMIT_REACHED, TOKEN_FAILURE
     */
    public MeterKeyInfo createMeterKey(final String meterId) throws TokenException {
        MeterIds.requireValid(meterId);
        synchronized (keyStore) {
            requireOpen();
            // A revoked meter id never gets a key again: its replacement is enrolled under a new meter id.
            requireNotRevoked(meterId);
            try {
                if (keyStore.containsAlias(meterId)) {
                    throw new TokenException(TokenException.Reason.METER_KEY_EXISTS, meterId,
                            "meter " + meterId + " already has a key in token '" + label() + "'", null);
                }
                if (meterIdsLocked().size() >= config.maxMeterKeys()) {
                    throw new TokenException(TokenException.Reason.METER_KEY_LIMIT_REACHED, meterId,
                            "token '" + label() + "' holds its limit of " + config.maxMeterKeys() + " meter keys", null);
                }
                final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", provider);
                generator.initialize(new ECGenParameterSpec(PublicKeys.CURVE));
                final KeyPair pair = generator.generateKeyPair();
                final ECPublicKey publicKey = PublicKeys.requireP256(pair.getPublic());
                final X509Certificate placeholder = placeholderCertificate(meterId, pair.getPrivate(), publicKey);
                // If this fails the key objects stay in the token without a label or certificate; they are
                // unusable and harmless, and an operator can list and remove them with the token's tools.
                keyStore.setKeyEntry(meterId, pair.getPrivate(), null, new Certificate[] {placeholder});
                module.labelKeyObjects(slot, meterId, encodedPoint(publicKey));

                final KeyPairGenerator agreementGenerator = KeyPairGenerator.getInstance("EC", agreementProvider);
                agreementGenerator.initialize(new ECGenParameterSpec(PublicKeys.CURVE));
                final KeyPair agreement = agreementGenerator.generateKeyPair();
                final X509Certificate agreementCertificate = keyAgreementCertificate(meterId, pair.getPrivate(),
                        PublicKeys.requireP256(agreement.getPublic()));
                final String alias = keyAgreementAlias(meterId);
                synchronized (agreementKeyStore) {
                    agreementKeyStore.setKeyEntry(alias, agreement.getPrivate(), null,
                            new Certificate[] {agreementCertificate});
                }
                module.labelKeyObjects(slot, alias, encodedPoint(PublicKeys.requireP256(agreement.getPublic())));
                agreementKeys.put(meterId, agreement.getPrivate());

                final MeterKey key = new MeterKey(pair.getPrivate(), publicKey, placeholder, agreementCertificate);
                keys.put(meterId, key);
                return key.info(meterId);
            } catch (GeneralSecurityException | OperatorCreationException | ProviderException | IOException e) {
                throw failure(meterId, "creating the keys of meter " + meterId, e);
            }
        }
    }

    /**
     * Revokes the meter's keys for good (its PSD failed or was stolen): the signing and key-agreement private key
     * objects are destroyed in the token and the signing public key object is relabelled {@code <meterId>#revoked},
     * so every later use of the meter's key, by this bridge or after a restart, fails with METER_KEY_REVOKED.
     *
     * @return true when the key had been revoked already (nothing changed)
     * @throws TokenException METER_KEY_NOT_FOUND when the token never held a key for the meter, TOKEN_FAILURE
     */
    public boolean revokeMeterKey(final String meterId) throws TokenException {
        MeterIds.requireValid(meterId);
        synchronized (keyStore) {
            requireOpen();
            if (isRevoked(meterId)) {
                return true;
            }
            if (!hasMeterKey(meterId)) {
                throw new TokenException(TokenException.Reason.METER_KEY_NOT_FOUND, meterId,
                        "token '" + label() + "' holds no key for meter " + meterId, null);
            }
            revokedMeters.add(meterId);
            keys.remove(meterId);
            agreementKeys.remove(meterId);
            try {
                // SunPKCS11 destroys the private key and certificate objects of each entry and forgets the alias.
                keyStore.deleteEntry(meterId);
                synchronized (agreementKeyStore) {
                    if (agreementKeyStore.containsAlias(keyAgreementAlias(meterId))) {
                        agreementKeyStore.deleteEntry(keyAgreementAlias(meterId));
                    }
                }
            } catch (KeyStoreException | ProviderException e) {
                throw failure(meterId, "destroying the keys of meter " + meterId, e);
            }
            // Then the token's lasting record, and any private key object SunPKCS11 left behind.
            module.revokeKeyObjects(slot, meterId, meterId + REVOKED_SUFFIX, meterId, keyAgreementAlias(meterId));
            LOG.info(() -> "revoked the keys of meter " + meterId + " in token '" + label() + "'");
            return false;
        }
    }

    /** True when the meter's key was revoked ({@link #revokeMeterKey}), by this bridge or before it started. */
    public boolean isRevoked(final String meterId) throws TokenException {
        if (revokedMeters.contains(meterId)) {
            return true;
        }
        if (!MeterIds.isValid(meterId)) {
            return false;
        }
        if (module.holdsRevokedKey(slot, meterId + REVOKED_SUFFIX)) {
            revokedMeters.add(meterId);
            return true;
        }
        return false;
    }

    /**
     * The private key objects the token holds for the meter, signing and key agreement, straight from PKCS#11 (not the
     * key store's view): 2 for a meter with both keys, 0 once revoked.
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
     * @throws TokenException METER_KEY_NOT_FOUND, TOKEN_FAILURE
     */
    public MeterKeyInfo meterKey(final String meterId) throws TokenException {
        return key(meterId).info(meterId);
    }

    public boolean hasMeterKey(final String meterId) throws TokenException {
        if (!MeterIds.isValid(meterId)) {
            return false;
        }
        if (keys.containsKey(meterId)) {
            return true;
        }
        synchronized (keyStore) {
            requireOpen();
            try {
                return keyStore.isKeyEntry(meterId);
            } catch (KeyStoreException | ProviderException e) {
                throw failure(meterId, "looking up meter " + meterId, e);
            }
        }
    }

    /** Meter ids of every meter's signing key in the token, sorted. */
    public List<String> meterIds() throws TokenException {
        synchronized (keyStore) {
            requireOpen();
            return meterIdsLocked();
        }
    }

    private List<String> meterIdsLocked() throws TokenException {
        try {
            final List<String> ids = new ArrayList<>();
            for (final String alias : Collections.list(keyStore.aliases())) {
                if (!alias.endsWith(KEY_AGREEMENT_SUFFIX) && keyStore.isKeyEntry(alias)) {
                    ids.add(alias);
                }
            }
            Collections.sort(ids);
            return List.copyOf(ids);
        } catch (KeyStoreException | ProviderException e) {
            throw failure(null, "listing meter keys", e);
        }
    }

    /**
     * Signs a 32-byte digest with the meter's key inside the token (CKM_ECDSA, no hashing) and returns the
     * DER signature with S in the lower half of the curve order, as Fabric requires.
     *
     * @throws TokenException METER_KEY_NOT_FOUND, TOKEN_FAILURE
     * @throws IllegalArgumentException when the digest is not 32 bytes
     */
    public byte[] signDigest(final String meterId, final byte[] digest) throws TokenException {
        if (digest == null || digest.length != DIGEST_LENGTH) {
            throw new IllegalArgumentException("digest must be " + DIGEST_LENGTH + " bytes, got "
                    + (digest == null ? "none" : digest.length));
        }
        final MeterKey key = key(meterId);
        try {
            // P1363 output is r || s, ready for the low-S rule without parsing the token's DER first.
            final Signature signature = Signature.getInstance("NONEwithECDSAinP1363Format", provider);
            signature.initSign(key.privateKey());
            signature.update(digest);
            return EcdsaSignatures.toLowSDer(signature.sign(), P256_ORDER);
        } catch (GeneralSecurityException | ProviderException e) {
            throw failure(meterId, "signing for meter " + meterId, e);
        }
    }

    /**
     * A PKCS#10 certification request for the meter's key, signed inside the token (SHA256withECDSA).
     *
     * @throws TokenException METER_KEY_NOT_FOUND, TOKEN_FAILURE
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
        } catch (OperatorCreationException | PKCSException | IOException | ProviderException e) {
            throw failure(meterId, "creating a CSR for meter " + meterId, e);
        }
    }

    /**
     * Opens a sealed package addressed to the meter: ECDH inside the token between the meter's key-agreement key and
     * the package's ephemeral key, then HKDF-SHA256 and AES-256-GCM here, next to the token
     * ({@link PackageCipher}). Returns only the content; the ECDH secret is a session object SunPKCS11 destroys after
     * reading it, and its bytes are wiped once the package key is derived. Nothing checks the sender's signature
     * here: the bridge does not know the sender's registered certificate, its caller does and checks it first.
     *
     * @throws TokenException PACKAGE_MISADDRESSED, PACKAGE_MALFORMED (an ephemeral key off the curve),
     *     PACKAGE_NOT_AUTHENTIC (AES-GCM authentication failed), METER_KEY_NOT_FOUND (no key-agreement key),
     *     TOKEN_FAILURE
     */
    public byte[] openPackage(final String meterId, final SealedPackage sealed) throws TokenException {
        MeterIds.requireValid(meterId);
        final SealedPackage.Header header = sealed.header();
        if (!header.recipientMeterId().equals(meterId)) {
            throw new TokenException(TokenException.Reason.PACKAGE_MISADDRESSED, meterId, "the package is addressed to "
                    + MeterIds.printable(header.recipientMeterId()) + ", not " + meterId, null);
        }
        final ECPublicKey ephemeral;
        try {
            ephemeral = PackageCipher.ephemeralKey(header);
        } catch (GeneralSecurityException e) {
            throw new TokenException(TokenException.Reason.PACKAGE_MALFORMED, meterId,
                    "the package's ephemeral key: " + e.getMessage(), e);
        }
        final PrivateKey agreementKey = agreementKey(meterId);
        final byte[] sharedSecret;
        try {
            final KeyAgreement agreement = KeyAgreement.getInstance("ECDH", agreementProvider);
            agreement.init(agreementKey);
            agreement.doPhase(ephemeral, true);
            sharedSecret = agreement.generateSecret();
        } catch (InvalidKeyException e) {
            throw new TokenException(TokenException.Reason.PACKAGE_MALFORMED, meterId,
                    "the token rejected the package's ephemeral key: " + e.getMessage(), e);
        } catch (GeneralSecurityException | ProviderException e) {
            throw failure(meterId, "key agreement for meter " + meterId, e);
        }
        try {
            return PackageCipher.decrypt(sharedSecret, header, sealed.ciphertext());
        } catch (AEADBadTagException e) {
            throw new TokenException(TokenException.Reason.PACKAGE_NOT_AUTHENTIC, meterId, "authentication failed: the "
                    + "package is not sealed to the key-agreement key of " + meterId + ", or was altered", e);
        } catch (GeneralSecurityException e) {
            throw failure(meterId, "decrypting a package for meter " + meterId, e);
        }
    }

    /**
     * Replaces the meter's stored certificate (the placeholder, or an earlier one) with a certificate issued
     * for its token key. The key itself is untouched.
     *
     * @throws TokenException METER_KEY_NOT_FOUND, CERTIFICATE_MISMATCH (another key, another CN, not valid
     *     now), TOKEN_FAILURE
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
        synchronized (keyStore) {
            requireOpen();
            try {
                keyStore.setKeyEntry(meterId, key.privateKey(), null, new Certificate[] {certificate});
                final MeterKey updated = new MeterKey(key.privateKey(), key.publicKey(), certificate,
                        key.keyAgreementCertificate());
                keys.put(meterId, updated);
                return updated.info(meterId);
            } catch (KeyStoreException | ProviderException e) {
                keys.remove(meterId);
                throw failure(meterId, "storing the certificate of meter " + meterId, e);
            }
        }
    }

    /** The PKCS#11 attributes of the meter's signing key object, read from the token. */
    public MeterKeyAttributes keyAttributes(final String meterId) throws TokenException {
        key(meterId);
        return module.privateKeyAttributes(slot, meterId);
    }

    /** The PKCS#11 attributes of the meter's key-agreement key object, read from the token. */
    public MeterKeyAttributes keyAgreementKeyAttributes(final String meterId) throws TokenException {
        agreementKey(meterId);
        return module.privateKeyAttributes(slot, keyAgreementAlias(meterId));
    }

    /** Logs out and releases the token for another open in this JVM. Idempotent. */
    @Override
    public void close() {
        synchronized (keyStore) {
            if (closed) {
                return;
            }
            closed = true;
            keys.clear();
            agreementKeys.clear();
            try {
                ((AuthProvider) provider).logout();
            } catch (LoginException | ProviderException e) {
                LOG.warning("logout from token '" + label() + "' failed: " + e.getMessage());
            } finally {
                OPEN_TOKENS.remove(openKey);
            }
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
        synchronized (keyStore) {
            requireOpen();
            requireNotRevoked(meterId);
            try {
                final Key key = keyStore.getKey(meterId, null);
                final Certificate certificate = keyStore.getCertificate(meterId);
                if (!(key instanceof PrivateKey) || !(certificate instanceof X509Certificate)) {
                    throw new TokenException(TokenException.Reason.METER_KEY_NOT_FOUND, meterId,
                            "token '" + label() + "' holds no key for meter " + meterId, null);
                }
                final Certificate agreementCertificate;
                synchronized (agreementKeyStore) {
                    agreementCertificate = agreementKeyStore.getCertificate(keyAgreementAlias(meterId));
                }
                final MeterKey loaded = new MeterKey((PrivateKey) key,
                        PublicKeys.requireP256(certificate.getPublicKey()), (X509Certificate) certificate,
                        (X509Certificate) agreementCertificate);
                keys.put(meterId, loaded);
                return loaded;
            } catch (GeneralSecurityException | ProviderException e) {
                throw failure(meterId, "loading the key of meter " + meterId, e);
            }
        }
    }

    private PrivateKey agreementKey(final String meterId) throws TokenException {
        MeterIds.requireValid(meterId);
        final PrivateKey cached = agreementKeys.get(meterId);
        if (cached != null && !closed && !revokedMeters.contains(meterId)) {
            return cached;
        }
        requireNotRevoked(meterId);
        final Key key;
        synchronized (agreementKeyStore) {
            requireOpen();
            try {
                key = agreementKeyStore.getKey(keyAgreementAlias(meterId), null);
            } catch (GeneralSecurityException | ProviderException e) {
                throw failure(meterId, "loading the key-agreement key of meter " + meterId, e);
            }
        }
        if (!(key instanceof PrivateKey)) {
            // Outside the agreement store's lock: hasMeterKey takes the signing store's (always taken first).
            throw new TokenException(TokenException.Reason.METER_KEY_NOT_FOUND, meterId, "token '" + label()
                    + "' holds no key-agreement key for meter " + meterId
                    + (hasMeterKey(meterId) ? " (its key was made before signing and key agreement were separated)" : ""),
                    null);
        }
        agreementKeys.put(meterId, (PrivateKey) key);
        return (PrivateKey) key;
    }

    /** The key-agreement key's certificate, issued by the meter's signing key inside the token. */
    private X509Certificate keyAgreementCertificate(final String meterId, final PrivateKey signingKey,
            final ECPublicKey agreementKey) throws OperatorCreationException, CertificateException, IOException {
        final X500Name subject = X500Name.getInstance(KeyAgreementCertificate.subjectFor(meterId).getEncoded());
        final X500Name issuer = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.OU, "psd-signing-key").addRDN(BCStyle.CN, meterId).build();
        final Instant now = Instant.now();
        final JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minusSeconds(60)),
                Date.from(now.plus(PLACEHOLDER_VALIDITY)), subject, agreementKey);
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyAgreement));
        return new JcaX509CertificateConverter().getCertificate(builder.build(tokenSigner(signingKey)));
    }

    private void requireOpen() throws TokenException {
        if (closed) {
            throw new TokenException(TokenException.Reason.TOKEN_FAILURE, "token '" + label() + "' is closed");
        }
    }

    private ContentSigner tokenSigner(final PrivateKey privateKey) throws OperatorCreationException {
        return new JcaContentSignerBuilder("SHA256withECDSA").setProvider(provider).build(privateKey);
    }

    private X509Certificate placeholderCertificate(final String meterId, final PrivateKey privateKey,
            final ECPublicKey publicKey) throws OperatorCreationException, CertificateException {
        final X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.OU, PLACEHOLDER_UNIT).addRDN(BCStyle.CN, meterId).build();
        final Instant now = Instant.now();
        final JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minusSeconds(60)),
                Date.from(now.plus(PLACEHOLDER_VALIDITY)), subject, publicKey);
        return new JcaX509CertificateConverter().getCertificate(builder.build(tokenSigner(privateKey)));
    }

    private TokenException failure(final String meterId, final String action, final Throwable cause) {
        if (cause instanceof TokenException) {
            return (TokenException) cause;
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

    /** CKA_EC_POINT as SoftHSM2 and most tokens store it: a DER OCTET STRING around the X9.62 point. */
    private static byte[] encodedPoint(final ECPublicKey publicKey) throws TokenException {
        final int size = (PublicKeys.p256().getCurve().getField().getFieldSize() + 7) / 8;
        final byte[] point = new byte[1 + 2 * size];
        point[0] = 0x04;
        copyUnsigned(publicKey.getW().getAffineX(), point, 1, size);
        copyUnsigned(publicKey.getW().getAffineY(), point, 1 + size, size);
        try {
            return new DEROctetString(point).getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new TokenException(TokenException.Reason.TOKEN_FAILURE, null, "encoding an EC point failed", e);
        }
    }

    private static void copyUnsigned(final BigInteger value, final byte[] target, final int offset, final int size) {
        final byte[] bytes = value.toByteArray();
        final int start = Math.max(0, bytes.length - size);
        final int length = bytes.length - start;
        System.arraycopy(bytes, start, target, offset + size - length, length);
    }

    /**
     * The signing keys' templates. Without CKA_TOKEN SunPKCS11 generates session objects, which vanish with the JVM;
     * CKA_DERIVE false: a signing key is never used for key agreement.
     */
    private static final String SIGNING_TEMPLATES = String.join("\n",
            "attributes(generate, CKO_PUBLIC_KEY, CKK_EC) = {",
            "  CKA_TOKEN = true",
            "  CKA_PRIVATE = false",
            "  CKA_VERIFY = true",
            "  CKA_DERIVE = false",
            "}",
            "attributes(generate, CKO_PRIVATE_KEY, CKK_EC) = {",
            "  CKA_TOKEN = true",
            "  CKA_PRIVATE = true",
            "  CKA_SENSITIVE = true",
            "  CKA_EXTRACTABLE = false",
            "  CKA_SIGN = true",
            "  CKA_DERIVE = false",
            "}");
    /**
     * The key-agreement keys' templates: CKA_DERIVE only, never CKA_SIGN. The ECDH-derived secret is a readable
     * session object: the bridge reads it to derive the package key next to the token, SunPKCS11 destroys it.
     */
    private static final String KEY_AGREEMENT_TEMPLATES = String.join("\n",
            "attributes(generate, CKO_PUBLIC_KEY, CKK_EC) = {",
            "  CKA_TOKEN = true",
            "  CKA_PRIVATE = false",
            "  CKA_VERIFY = false",
            "}",
            "attributes(generate, CKO_PRIVATE_KEY, CKK_EC) = {",
            "  CKA_TOKEN = true",
            "  CKA_PRIVATE = true",
            "  CKA_SENSITIVE = true",
            "  CKA_EXTRACTABLE = false",
            "  CKA_SIGN = false",
            "  CKA_DERIVE = true",
            "}",
            "attributes(generate, CKO_SECRET_KEY, CKK_GENERIC_SECRET) = {",
            "  CKA_TOKEN = false",
            "  CKA_SENSITIVE = false",
            "  CKA_EXTRACTABLE = true",
            "}");

    private static Provider configureProvider(final Pkcs11Module module, final long slot, final String label,
            final String templates, final String nameSuffix) throws TokenException {
        final String configuration = String.join("\n",
                "name = psd-" + label.replaceAll("[^A-Za-z0-9]", "-") + nameSuffix,
                "library = " + module.library(),
                "slot = " + slot,
                templates,
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

    private static KeyStore login(final Provider provider, final TokenConfig config) throws TokenException {
        final char[] pin = config.pinSource().read();
        try {
            final KeyStore keyStore = KeyStore.getInstance("PKCS11", provider);
            keyStore.load(null, pin);
            return keyStore;
        } catch (IOException e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof LoginException) {
                    throw new TokenException(TokenException.Reason.PIN_INCORRECT, null, "token '" + config.tokenLabel()
                            + "' refused the PIN from " + config.pinSource() + ": " + rootMessage(cause), e);
                }
            }
            throw new TokenException(TokenException.Reason.TOKEN_FAILURE, null,
                    "opening the key store of token '" + config.tokenLabel() + "' failed: " + rootMessage(e), e);
        } catch (GeneralSecurityException | ProviderException e) {
            throw new TokenException(TokenException.Reason.TOKEN_FAILURE, null,
                    "opening the key store of token '" + config.tokenLabel() + "' failed: " + rootMessage(e), e);
        } finally {
            Arrays.fill(pin, '\0');
        }
    }

    /** A meter's signing key handles in this provider, and its key-agreement certificate (null for an old key). */
    private record MeterKey(PrivateKey privateKey, ECPublicKey publicKey, X509Certificate certificate,
            X509Certificate keyAgreementCertificate) {
        MeterKeyInfo info(final String meterId) {
            final boolean enrolled = !certificate.getIssuerX500Principal().equals(certificate.getSubjectX500Principal());
            return new MeterKeyInfo(meterId, publicKey, certificate, enrolled, keyAgreementCertificate);
        }
    }
}
