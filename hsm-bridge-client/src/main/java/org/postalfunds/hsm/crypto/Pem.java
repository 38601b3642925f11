package org.postalfunds.hsm.crypto;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/** PEM reading and writing for certificates, keys and certification requests. */
public final class Pem {
    /** Upper bound for a PEM file the bridge reads (certificate bundles, keys). */
    public static final int MAX_FILE_BYTES = 1 << 20;

    private Pem() {
    }

    public static String encode(final String type, final byte[] der) {
        final StringWriter out = new StringWriter();
        try (PemWriter writer = new PemWriter(out)) {
            writer.writeObject(new PemObject(type, der));
        } catch (IOException e) {
            throw new IllegalStateException("writing PEM to memory failed", e);
        }
        return out.toString();
    }

    public static String encode(final X509Certificate certificate) {
        try {
            return encode("CERTIFICATE", certificate.getEncoded());
        } catch (CertificateException e) {
            throw new IllegalArgumentException("certificate cannot be encoded", e);
        }
    }

    public static X509Certificate certificate(final byte[] der) throws CertificateException {
        final CertificateFactory factory = CertificateFactory.getInstance("X.509");
        return (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der));
    }

    /** Every certificate in a PEM file, in file order. */
    public static List<X509Certificate> readCertificates(final Path file) throws IOException, CertificateException {
        final List<X509Certificate> certificates = new ArrayList<>();
        for (final Object object : readObjects(file)) {
            if (object instanceof org.bouncycastle.cert.X509CertificateHolder) {
                certificates.add(certificate(((org.bouncycastle.cert.X509CertificateHolder) object).getEncoded()));
            }
        }
        if (certificates.isEmpty()) {
            throw new CertificateException("no certificate in " + file);
        }
        return List.copyOf(certificates);
    }

    /** Reads a PKCS#8 ("PRIVATE KEY") or SEC1 ("EC PRIVATE KEY") PEM private key. */
    public static PrivateKey readPrivateKey(final Path file) throws IOException {
        final JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        for (final Object object : readObjects(file)) {
            if (object instanceof PrivateKeyInfo) {
                return converter.getPrivateKey((PrivateKeyInfo) object);
            }
            if (object instanceof PEMKeyPair) {
                return converter.getKeyPair((PEMKeyPair) object).getPrivate();
            }
        }
        throw new IOException("no unencrypted private key in " + file);
    }

    /** Writes a PKCS#8 private key readable by its owner only (POSIX file systems). */
    public static void writePrivateKey(final Path file, final PrivateKey key) throws IOException {
        final String pem = encode("PRIVATE KEY", key.getEncoded());
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        Files.writeString(file, pem, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    }

    public static void writeCertificates(final Path file, final List<X509Certificate> certificates) throws IOException {
        final StringBuilder pem = new StringBuilder();
        certificates.forEach(certificate -> pem.append(encode(certificate)));
        Files.writeString(file, pem, StandardCharsets.US_ASCII);
    }

    private static List<Object> readObjects(final Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString(), null, "PEM file does not exist");
        }
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new IOException(file + " is larger than " + MAX_FILE_BYTES + " bytes; not a PEM file");
        }
        final List<Object> objects = new ArrayList<>();
        try (Reader reader = new StringReader(Files.readString(file, StandardCharsets.US_ASCII));
                PEMParser parser = new PEMParser(reader)) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                objects.add(object);
            }
        }
        return objects;
    }
}
