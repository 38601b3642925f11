package org.postalfunds.console;

import java.io.IOException;
import java.io.Reader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The console's TLS key and certificate chain: the operator's own (PEM files), or a self-signed certificate for
 * localhost made at the first start and kept in a directory (outside git) for the next. Its SHA-256 fingerprint
 * is printed so the operator can check it in the browser.
 */
public final class TlsMaterial {
    private final PrivateKey key;
    private final List<X509Certificate> chain;
    private final char[] password;

    private TlsMaterial(final PrivateKey key, final List<X509Certificate> chain) {
        this.key = key;
        this.chain = List.copyOf(chain);
        this.password = Sessions.randomToken().toCharArray();
    }

    /** Reads a PEM certificate chain (leaf first) and its PEM private key. */
    public static TlsMaterial fromPem(final Path certificateChain, final Path privateKey)
            throws IOException, GeneralSecurityException {
        List<X509Certificate> chain = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(certificateChain, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            Object item;
            while ((item = parser.readObject()) != null) {
                if (item instanceof X509CertificateHolder holder) {
                    chain.add(new JcaX509CertificateConverter().getCertificate(holder));
                }
            }
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException(certificateChain + " holds no PEM certificate");
        }
        PrivateKey key;
        try (Reader reader = Files.newBufferedReader(privateKey, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            Object item = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (item instanceof PEMKeyPair pair) {
                key = converter.getKeyPair(pair).getPrivate();
            } else if (item instanceof org.bouncycastle.asn1.pkcs.PrivateKeyInfo info) {
                key = converter.getPrivateKey(info);
            } else {
                throw new IllegalArgumentException(privateKey + " holds no unencrypted PEM private key");
            }
        }
        return new TlsMaterial(key, chain);
    }

    /**
     * The self-signed localhost certificate in {@code directory} (console-cert.pem, console-key.pem), made
     * when it is not there yet or has expired.
     */
    public static TlsMaterial selfSigned(final Path directory) throws IOException, GeneralSecurityException {
        Path certificate = directory.resolve("console-cert.pem");
        Path key = directory.resolve("console-key.pem");
        if (Files.isRegularFile(certificate) && Files.isRegularFile(key)) {
            TlsMaterial existing = fromPem(certificate, key);
            if (existing.certificate().getNotAfter().toInstant().isAfter(Instant.now().plus(Duration.ofDays(1)))) {
                return existing;
            }
        }
        Files.createDirectories(directory);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = generator.generateKeyPair();
        X509Certificate made = issue(pair);
        Files.deleteIfExists(key);
        Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (JcaPEMWriter writer = new JcaPEMWriter(Files.newBufferedWriter(key, StandardCharsets.US_ASCII))) {
            writer.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(pair.getPrivate(), null));
        }
        try (JcaPEMWriter writer = new JcaPEMWriter(Files.newBufferedWriter(certificate, StandardCharsets.US_ASCII))) {
            writer.writeObject(made);
        }
        return new TlsMaterial(pair.getPrivate(), List.of(made));
    }

    private static X509Certificate issue(final KeyPair pair) throws GeneralSecurityException {
        X500Name name = new X500Name("CN=localhost,O=Postal funds console (self-signed)");
        Instant now = Instant.now();
        BigInteger serial = new BigInteger(128, new SecureRandom());
        try {
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial,
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(365))), name,
                    pair.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, "localhost"),
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                    new GeneralName(GeneralName.iPAddress, "::1")}));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
        } catch (OperatorCreationException | IOException e) {
            throw new GeneralSecurityException("cannot make the console's certificate: " + e.getMessage(), e);
        }
    }

    public X509Certificate certificate() {
        return chain.get(0);
    }

    /** SHA-256 of the leaf certificate's DER, as browsers show it (AB:CD:...). */
    public String fingerprint() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate().getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An in-memory PKCS#12 key store for Jetty, with a random password. */
    public KeyStore keyStore() throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("console", key, password, chain.toArray(new X509Certificate[0]));
        return store;
    }

    public String keyStorePassword() {
        return new String(password);
    }

    /** A trust store holding the leaf certificate: what a test client trusts. */
    public KeyStore trustStore() throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("console", certificate());
        return store;
    }
}
