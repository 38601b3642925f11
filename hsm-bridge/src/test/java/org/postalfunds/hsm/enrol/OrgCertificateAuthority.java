package org.postalfunds.hsm.enrol;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.postalfunds.hsm.MeterIds;
import org.postalfunds.hsm.MeterSubject;
import org.postalfunds.hsm.crypto.PublicKeys;
import org.postalfunds.hsm.dev.DevTlsAuthority;

/**
 * A hand-written meter owner CA for tests that need an issuer without a Fabric CA process (the in-process
 * ledger tests, the bridge's own tests): it verifies a meter's CSR and issues {@code O=<org>, OU=client,
 * CN=<meter id>} like Fabric CA would, and issues the bridge's TLS certificates through {@link DevTlsAuthority}.
 * Test code only: production meters are enrolled at their owner's Fabric CA ({@link FabricCaIssuer}).
 */
public final class OrgCertificateAuthority implements MeterCertificateIssuer {
    public static final String CERTIFICATE_FILE = DevTlsAuthority.CERTIFICATE_FILE;
    public static final String PRIVATE_KEY_FILE = DevTlsAuthority.PRIVATE_KEY_FILE;
    /** A P-256 CSR is a few hundred bytes. */
    public static final int MAX_CSR_BYTES = 8192;

    private final DevTlsAuthority authority;

    private OrgCertificateAuthority(final DevTlsAuthority authority) {
        this.authority = authority;
    }

    public static OrgCertificateAuthority loadOrCreate(final Path directory, final String organization)
            throws IOException, GeneralSecurityException {
        return new OrgCertificateAuthority(DevTlsAuthority.loadOrCreate(directory, organization));
    }

    public static OrgCertificateAuthority create(final String organization) throws GeneralSecurityException {
        return new OrgCertificateAuthority(DevTlsAuthority.create(organization));
    }

    public OrgCertificateAuthority withCertificateValidity(final Duration validity) {
        return new OrgCertificateAuthority(authority.withCertificateValidity(validity));
    }

    public String organization() {
        return authority.organization();
    }

    public X509Certificate certificate() {
        return authority.certificate();
    }

    /** Verifies the CSR (signature, P-256 key, CN = meter id) and issues O = this org, OU = client, CN = meter id. */
    @Override
    public X509Certificate issue(final String meterId, final byte[] certificationRequest) throws EnrolmentException {
        if (!MeterIds.isValid(meterId)) {
            throw new EnrolmentException(meterId, "'" + MeterIds.printable(String.valueOf(meterId)) + "' is not a meter id");
        }
        final PublicKey publicKey = verifiedRequestKey(meterId, certificationRequest);
        try {
            return authority.issueCertificate(MeterSubject.client(meterId, organization()).toX500Name(), publicKey,
                    new KeyUsage(KeyUsage.digitalSignature), null, null);
        } catch (GeneralSecurityException e) {
            throw new EnrolmentException(meterId, "issuing the certificate of meter " + meterId + " failed", e);
        }
    }

    public X509Certificate issueTlsClientCertificate(final String commonName, final String organizationalUnit,
            final PublicKey publicKey) throws GeneralSecurityException {
        return authority.issueTlsClientCertificate(commonName, organizationalUnit, publicKey);
    }

    public X509Certificate issueTlsServerCertificate(final String commonName, final List<String> hosts,
            final PublicKey publicKey) throws GeneralSecurityException {
        return authority.issueTlsServerCertificate(commonName, hosts, publicKey);
    }

    public static KeyPair newP256KeyPair() throws GeneralSecurityException {
        return DevTlsAuthority.newP256KeyPair();
    }

    @Override
    public String toString() {
        return "OrgCertificateAuthority[" + certificate().getSubjectX500Principal() + "]";
    }

    private static PublicKey verifiedRequestKey(final String meterId, final byte[] der) throws EnrolmentException {
        if (der == null || der.length == 0 || der.length > MAX_CSR_BYTES) {
            throw new EnrolmentException(meterId, "a CSR must be 1 to " + MAX_CSR_BYTES + " bytes");
        }
        final JcaPKCS10CertificationRequest request;
        try {
            request = new JcaPKCS10CertificationRequest(new PKCS10CertificationRequest(der));
        } catch (IOException | RuntimeException e) {
            throw new EnrolmentException(meterId, "not a PKCS#10 certification request: " + e.getMessage(), e);
        }
        final PublicKey publicKey;
        try {
            publicKey = PublicKeys.requireP256(request.getPublicKey());
            if (!request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(publicKey))) {
                throw new EnrolmentException(meterId, "the CSR's signature does not verify with its public key");
            }
        } catch (InvalidKeyException e) {
            throw new EnrolmentException(meterId, "the CSR's key is not a P-256 key: " + e.getMessage(), e);
        } catch (GeneralSecurityException | OperatorCreationException | PKCSException e) {
            throw new EnrolmentException(meterId, "the CSR cannot be verified: " + e.getMessage(), e);
        }
        final List<String> commonNames = new ArrayList<>();
        for (final RDN rdn : request.getSubject().getRDNs(BCStyle.CN)) {
            commonNames.add(IETFUtils.valueToString(rdn.getFirst().getValue()));
        }
        if (!commonNames.equals(List.of(meterId))) {
            throw new EnrolmentException(meterId, "the CSR names CN " + commonNames + ", not meter " + meterId);
        }
        return publicKey;
    }
}
