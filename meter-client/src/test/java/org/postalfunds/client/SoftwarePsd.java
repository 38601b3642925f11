package org.postalfunds.client;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.postalfunds.hsm.MeterSubject;
import org.postalfunds.hsm.client.BridgeHealth;
import org.postalfunds.hsm.client.BridgeStats;
import org.postalfunds.hsm.client.MeterPublicKey;
import org.postalfunds.hsm.client.PsdBridgeClient;

/**
 * An HSM bridge whose "token" is a map of software keys: the same client interface the meter client
 * uses against the real bridge (which the hsm-bridge module tests on SoftHSM2), so the enrolment path and
 * the BridgeSigner can be exercised in-process. Keys never leave it except as signatures, as in a token.
 */
final class SoftwarePsd implements PsdBridgeClient {
    private record Entry(KeyPair keyPair, X509Certificate certificate, boolean enrolled,
            X509Certificate keyAgreementCertificate) {
    }

    private final Map<String, Entry> keys = new ConcurrentHashMap<>();
    private final Map<String, Long> calls = new TreeMap<>();
    private final Instant started = Instant.now();

    @Override
    public synchronized MeterPublicKey createMeterKey(final String meterId) {
        count("CreateMeterKey");
        if (keys.containsKey(meterId)) {
            throw new IllegalStateException("meter " + meterId + " already has a key");
        }
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            keys.put(meterId, new Entry(pair, selfSigned(meterId, pair), false,
                    SoftwareKeyAgreement.certificate(meterId, pair.getPrivate())));
            return publicKey(meterId);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public MeterPublicKey publicKey(final String meterId) {
        count("PublicKey");
        Entry entry = require(meterId);
        return new MeterPublicKey(meterId, (ECPublicKey) entry.keyPair().getPublic(), entry.certificate(), entry.enrolled(),
                entry.keyAgreementCertificate());
    }

    @Override
    public byte[] createCsr(final MeterSubject subject) {
        count("CreateCsr");
        Entry entry = require(subject.meterId());
        try {
            return new JcaPKCS10CertificationRequestBuilder(subject.toX500Name(), entry.keyPair().getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(entry.keyPair().getPrivate())).getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized MeterPublicKey importCertificate(final String meterId, final X509Certificate certificate) {
        count("ImportCertificate");
        Entry entry = require(meterId);
        keys.put(meterId, new Entry(entry.keyPair(), certificate, true, entry.keyAgreementCertificate()));
        return publicKey(meterId);
    }

    @Override
    public byte[] signDigest(final String meterId, final byte[] digest) {
        count("SignDigest");
        if (digest.length != 32) {
            throw new IllegalArgumentException("the bridge signs 32-byte digests only");
        }
        try {
            Signature signer = Signature.getInstance("NONEwithECDSA");
            signer.initSign(require(meterId).keyPair().getPrivate());
            signer.update(digest);
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public org.postalfunds.hsm.client.UnsealedItem unsealPackage(final String meterId, final byte[] sealedPackage) {
        count("UnsealPackage");
        require(meterId);
        try {
            final org.postalfunds.client.secure.SecureItem item =
                    SoftwareKeyAgreement.recipient(meterId).open(sealedPackage);
            return new org.postalfunds.hsm.client.UnsealedItem(item.name(), item.contentType(), item.content());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public BridgeHealth health() {
        return new BridgeHealth(true, "software-psd", keys.size(), Duration.between(started, Instant.now()),
                "CN=test-operator", "operator", "");
    }

    @Override
    public synchronized BridgeStats stats() {
        List<BridgeStats.Counter> counters = new ArrayList<>();
        calls.forEach((method, count) -> counters.add(new BridgeStats.Counter(method, "OK", count)));
        return new BridgeStats(counters, Duration.between(started, Instant.now()));
    }

    @Override
    public void close() {
        keys.clear();
    }

    private synchronized void count(final String method) {
        calls.merge(method, 1L, Long::sum);
    }

    private Entry require(final String meterId) {
        Entry entry = keys.get(meterId);
        if (entry == null) {
            throw new IllegalArgumentException("no key for meter " + meterId);
        }
        return entry;
    }

    private static X509Certificate selfSigned(final String meterId, final KeyPair pair) throws GeneralSecurityException {
        try {
            X500Name name = new X500Name("CN=" + meterId + ",OU=placeholder");
            Instant now = Instant.now();
            return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name, BigInteger.ONE,
                    Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(1))), name, pair.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }
}
