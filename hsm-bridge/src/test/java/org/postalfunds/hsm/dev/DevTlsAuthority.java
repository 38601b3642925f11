package org.postalfunds.hsm.dev;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.SignatureException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.postalfunds.hsm.MeterIds;
import org.postalfunds.hsm.MeterSubject;
import org.postalfunds.hsm.crypto.EcdsaSignatures;
import org.postalfunds.hsm.crypto.Pem;
import org.postalfunds.hsm.crypto.PublicKeys;

/**
 * A development CA for the HSM bridge's TLS only: the bridge's server certificate and its callers' client
 * certificates (an operator's {@code OU=operator}, a meter client's {@code OU=client, CN=<meter id>}) for the
 * demo, the benchmark and tests. It never issues a meter's ledger identity: those come from the owner
 * organisation's Fabric CA ({@link org.postalfunds.hsm.enrol.FabricCaIssuer}). Its key lives in memory or in an
 * owner-only file made at run time, never committed. Signatures are low-S like every signature here.
 */
public final class DevTlsAuthority {
    public static final String CERTIFICATE_FILE = "ca-cert.pem";
    public static final String PRIVATE_KEY_FILE = "ca-key.pem";
    public static final Duration CA_VALIDITY = Duration.ofDays(3650);
    public static final Duration DEFAULT_CERTIFICATE_VALIDITY = Duration.ofDays(365);
    /** Longest validity this CA grants a leaf certificate. */
    public static final Duration MAX_CERTIFICATE_VALIDITY = Duration.ofDays(825);

    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,252})");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String organization;
    private final PrivateKey privateKey;
    private final X509Certificate certificate;
    private final Duration certificateValidity;

    private DevTlsAuthority(final String organization, final PrivateKey privateKey,
            final X509Certificate certificate, final Duration certificateValidity) {
        this.organization = organization;
        this.privateKey = privateKey;
        this.certificate = certificate;
        if (certificateValidity.isNegative() || certificateValidity.isZero()
                || certificateValidity.compareTo(MAX_CERTIFICATE_VALIDITY) > 0) {
            throw new IllegalArgumentException("certificate validity must be between 0 and " + MAX_CERTIFICATE_VALIDITY);
        }
        this.certificateValidity = certificateValidity;
    }

    /**
     * Loads the CA from {@code directory/ca-cert.pem} and {@code ca-key.pem}, or creates both (key file
     * owner-only) when neither exists.
     */
    public static DevTlsAuthority loadOrCreate(final Path directory, final String organization)
            throws IOException, GeneralSecurityException {
        final Path certificateFile = directory.resolve(CERTIFICATE_FILE);
        final Path keyFile = directory.resolve(PRIVATE_KEY_FILE);
        final boolean haveCertificate = Files.exists(certificateFile);
        final boolean haveKey = Files.exists(keyFile);
        if (haveCertificate && haveKey) {
            final X509Certificate certificate = Pem.readCertificates(certificateFile).get(0);
            final PrivateKey key = Pem.readPrivateKey(keyFile);
            final List<String> organizations = org.postalfunds.hsm.crypto.CertificateNames.organizations(certificate);
            if (!organizations.contains(organization)) {
                throw new CertificateException(certificateFile + " is the CA of " + organizations + ", not " + organization);
            }
            return new DevTlsAuthority(organization, key, certificate, DEFAULT_CERTIFICATE_VALIDITY);
        }
        if (haveCertificate || haveKey) {
            throw new IOException(directory + " holds only one of " + CERTIFICATE_FILE + " and " + PRIVATE_KEY_FILE);
        }
        Files.createDirectories(directory);
        final DevTlsAuthority authority = create(organization);
        Pem.writePrivateKey(keyFile, authority.privateKey);
        Pem.writeCertificates(certificateFile, List.of(authority.certificate));
        return authority;
    }

    /** A new CA whose key exists only in memory (tests, the benchmark). */
    public static DevTlsAuthority create(final String organization) throws GeneralSecurityException {
        final String org = requireName(organization).strip();
        final KeyPair pair = newP256KeyPair();
        final X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, org).addRDN(BCStyle.CN, "ca." + org).build();
        final Instant now = Instant.now();
        try {
            final JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            final X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serialNumber(),
                    Date.from(now.minusSeconds(60)), Date.from(now.plus(CA_VALIDITY)), subject, pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true,
                            new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(pair.getPublic()));
            final X509Certificate certificate = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(lowSSigner(pair.getPrivate())));
            return new DevTlsAuthority(org, pair.getPrivate(), certificate, DEFAULT_CERTIFICATE_VALIDITY);
        } catch (CertIOException | OperatorCreationException e) {
            throw new GeneralSecurityException("creating the CA certificate of " + org + " failed", e);
        }
    }

    /** The same CA issuing certificates valid for the given duration. */
    public DevTlsAuthority withCertificateValidity(final Duration validity) {
        return new DevTlsAuthority(organization, privateKey, certificate, validity);
    }

    public String organization() {
        return organization;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** A TLS client certificate (EKU clientAuth), e.g. for a meter client or an operator talking to the bridge. */
    public X509Certificate issueTlsClientCertificate(final String commonName, final String organizationalUnit,
            final PublicKey publicKey) throws GeneralSecurityException {
        final X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, organization)
                .addRDN(BCStyle.OU, requireName(organizationalUnit)).addRDN(BCStyle.CN, requireName(commonName)).build();
        return issueCertificate(subject, publicKey, new KeyUsage(KeyUsage.digitalSignature),
                KeyPurposeId.id_kp_clientAuth, null);
    }

    /** A TLS server certificate (EKU serverAuth) for the given DNS names and IP addresses. */
    public X509Certificate issueTlsServerCertificate(final String commonName, final List<String> hosts,
            final PublicKey publicKey) throws GeneralSecurityException {
        if (hosts.isEmpty() || hosts.size() > 16) {
            throw new IllegalArgumentException("a server certificate names 1 to 16 hosts");
        }
        final List<GeneralName> names = new ArrayList<>();
        for (final String host : hosts) {
            if (isIpAddress(host)) {
                names.add(new GeneralName(GeneralName.iPAddress, host));
            } else if (HOST_NAME.matcher(host).matches()) {
                names.add(new GeneralName(GeneralName.dNSName, host));
            } else {
                throw new IllegalArgumentException("'" + MeterIds.printable(host) + "' is not a host name or IP address");
            }
        }
        final X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, organization)
                .addRDN(BCStyle.CN, requireName(commonName)).build();
        return issueCertificate(subject, publicKey,
                new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement), KeyPurposeId.id_kp_serverAuth,
                new GeneralNames(names.toArray(GeneralName[]::new)));
    }

    /** A fresh software P-256 key pair (TLS keys; never a meter key, those are made in the token). */
    public static KeyPair newP256KeyPair() throws GeneralSecurityException {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec(PublicKeys.CURVE));
        return generator.generateKeyPair();
    }

    @Override
    public String toString() {
        return "DevTlsAuthority[" + certificate.getSubjectX500Principal() + "]";
    }

    /**
     * Any end-entity certificate from this CA (basic constraints CA:false, SKI, AKI), for tests that need one
     * the TLS methods do not make.
     */
    public X509Certificate issueCertificate(final X500Name subject, final PublicKey publicKey, final KeyUsage keyUsage,
            final KeyPurposeId extendedKeyUsage, final GeneralNames subjectAlternativeNames)
            throws GeneralSecurityException {
        final Instant now = Instant.now();
        Instant notAfter = now.plus(certificateValidity);
        if (notAfter.isAfter(certificate.getNotAfter().toInstant())) {
            // Never outlive the issuer: a chain with an expired CA does not verify.
            notAfter = certificate.getNotAfter().toInstant();
        }
        try {
            final JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            final X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, serialNumber(),
                    Date.from(now.minusSeconds(60)), Date.from(notAfter), subject, publicKey)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, keyUsage)
                    .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(publicKey))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            extensions.createAuthorityKeyIdentifier(certificate));
            if (extendedKeyUsage != null) {
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(extendedKeyUsage));
            }
            if (subjectAlternativeNames != null) {
                builder.addExtension(Extension.subjectAlternativeName, false, subjectAlternativeNames);
            }
            final X509Certificate issued = new JcaX509CertificateConverter().getCertificate(builder.build(lowSSigner(privateKey)));
            issued.verify(certificate.getPublicKey());
            return issued;
        } catch (CertIOException | OperatorCreationException e) {
            throw new GeneralSecurityException("issuing a certificate for " + subject + " failed", e);
        }
    }

    private static String requireName(final String value) {
        Objects.requireNonNull(value, "name");
        if (value.isBlank() || value.length() > MeterSubject.MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException("names must be 1 to " + MeterSubject.MAX_VALUE_LENGTH + " characters");
        }
        return value;
    }

    private static boolean isIpAddress(final String host) {
        if (!host.matches("[0-9.]+") && !host.contains(":")) {
            return false;
        }
        try {
            InetAddress.getByName(host);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static BigInteger serialNumber() {
        // 128 random bits, positive: unique without a counter file.
        return new BigInteger(128, RANDOM).setBit(127);
    }

    /** SHA256withECDSA in software, with S normalised to the low half like every signature in this system. */
    private static ContentSigner lowSSigner(final PrivateKey key) throws OperatorCreationException {
        final ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(key);
        final BigInteger order = PublicKeys.p256().getOrder();
        return new ContentSigner() {
            @Override
            public AlgorithmIdentifier getAlgorithmIdentifier() {
                return signer.getAlgorithmIdentifier();
            }

            @Override
            public java.io.OutputStream getOutputStream() {
                return signer.getOutputStream();
            }

            @Override
            public byte[] getSignature() {
                try {
                    return EcdsaSignatures.normaliseDer(signer.getSignature(), order);
                } catch (SignatureException e) {
                    throw new IllegalStateException("the JDK produced a malformed ECDSA signature", e);
                }
            }
        };
    }
}
