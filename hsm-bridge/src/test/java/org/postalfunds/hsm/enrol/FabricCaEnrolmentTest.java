package org.postalfunds.hsm.enrol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postalfunds.hsm.MeterSubject;
import org.postalfunds.hsm.client.MeterPublicKey;
import org.postalfunds.hsm.client.PsdBridgeClient;
import org.postalfunds.hsm.crypto.CertificateNames;
import org.postalfunds.hsm.crypto.Pem;
import org.postalfunds.hsm.dev.LocalFabricCa;
import org.postalfunds.hsm.testing.BridgeFixture;

/**
 * Meters enrolled at a real Fabric CA 1.5.21 (fabric-ca-server over TLS on 127.0.0.1) with CSRs signed inside a
 * real SoftHSM2 token through the bridge; the registrar is the CA's bootstrap admin, enrolled over REST.
 */
class FabricCaEnrolmentTest {
    private static final String MSP_ID = "MailerAMSP";

    private static Path home;
    private static LocalFabricCa fabricCa;
    private static FabricCaClient ca;
    private static FabricCaRegistrar registrar;
    private static BridgeFixture bridge;
    private static PsdBridgeClient operator;

    @BeforeAll
    static void start() throws Exception {
        home = Files.createTempDirectory("fabric-ca-test");
        fabricCa = LocalFabricCa.start(home.resolve("ca"), "ca.MailerA");
        ca = fabricCa.client();
        registrar = fabricCa.enrolBootstrapAdmin();
        bridge = BridgeFixture.start("fabric-ca");
        operator = bridge.operator();
    }

    @AfterAll
    static void stop() throws Exception {
        if (operator != null) {
            operator.close();
        }
        if (bridge != null) {
            bridge.close();
        }
        if (fabricCa != null) {
            fabricCa.close();
        }
    }

    @Test
    void a_registered_meter_is_enrolled_with_its_token_key_as_a_client_of_the_owner() throws Exception {
        final String secret = ca.register(registrar, "meter-F1", null, "client");

        final EnrolledMeter enrolled = new MeterEnrolment(operator, new FabricCaIssuer(ca, "meter-F1", secret), MSP_ID)
                .enrol(MeterSubject.client("meter-F1", "MailerA"));

        final X509Certificate certificate = enrolled.certificate();
        final MeterPublicKey inToken = operator.publicKey("meter-F1");
        assertThat(certificate.getPublicKey().getEncoded()).isEqualTo(inToken.publicKey().getEncoded());
        assertThat(inToken.enrolled()).isTrue();
        assertThat(inToken.certificate()).isEqualTo(certificate);
        assertThat(CertificateNames.commonName(certificate)).contains("meter-F1");
        assertThat(CertificateNames.organizationalUnits(certificate)).containsExactly("client");
        assertThat(CertificateNames.organizations(certificate)).containsExactly("MailerA");
        final X509Certificate root = fabricCa.caCertificate();
        certificate.verify(root.getPublicKey());
        certificate.checkValidity();
        assertThat(certificate.getIssuerX500Principal()).isEqualTo(root.getSubjectX500Principal());
        assertThat(ca.caChain()).last().isEqualTo(root);
    }

    @Test
    void a_wrong_secret_is_refused_with_the_cas_message() throws Exception {
        ca.register(registrar, "meter-F2", "right-secret-F2", "client");
        operator.createMeterKey("meter-F2");
        final byte[] csr = operator.createCsr(MeterSubject.client("meter-F2", "MailerA"));

        assertThatThrownBy(() -> new FabricCaIssuer(ca, "meter-F2", "wrong-secret").issue("meter-F2", csr))
                .isInstanceOf(EnrolmentException.class)
                .hasMessageContaining("Authentication failure")
                .cause().isInstanceOfSatisfying(FabricCaException.class, refused -> {
                    assertThat(refused.errorCode()).contains(FabricCaException.AUTHENTICATION_FAILURE);
                    assertThat(refused.caMessage()).isEqualTo("Authentication failure");
                    assertThat(refused.httpStatus()).isEqualTo(401);
                });
        assertThat(operator.publicKey("meter-F2").enrolled()).isFalse();
    }

    @Test
    void registering_a_name_twice_is_refused() throws Exception {
        ca.register(registrar, "meter-F3", null, "client");

        assertThatThrownBy(() -> ca.register(registrar, "meter-F3", null, "client"))
                .isInstanceOfSatisfying(FabricCaException.class, refused -> {
                    assertThat(refused.errorCode()).contains(FabricCaException.DUPLICATE_REGISTRATION);
                    assertThat(refused.caMessage()).isEqualTo("Identity 'meter-F3' is already registered");
                    assertThat(refused.httpStatus()).isEqualTo(409);
                })
                .hasMessageContaining("register meter-F3").hasMessageContaining("already registered");
    }

    @Test
    void a_certificate_for_another_key_than_the_token_key_is_refused_and_not_stored() throws Exception {
        final String secret = ca.register(registrar, "meter-F4", null, "client");
        final FabricCaIssuer genuine = new FabricCaIssuer(ca, "meter-F4", secret);
        // The CSR the CA sees is signed by a software key, not the one in the token.
        final MeterCertificateIssuer substituting = (meterId, tokenCsr) -> {
            try {
                return genuine.issue(meterId, softwareCsr(meterId));
            } catch (java.security.GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException
                    | java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        };

        assertThatThrownBy(() -> new MeterEnrolment(operator, substituting, MSP_ID).enrol(MeterSubject.client("meter-F4", "MailerA")))
                .isInstanceOf(EnrolmentException.class)
                .hasMessageContaining("another key");
        assertThat(operator.publicKey("meter-F4").enrolled()).isFalse();
    }

    @Test
    void a_csr_naming_another_meter_is_refused_by_the_ca() throws Exception {
        final String secret = ca.register(registrar, "meter-F5", null, "client");

        assertThatThrownBy(() -> ca.enroll("meter-F5", secret, Pem.encode("CERTIFICATE REQUEST", softwareCsr("meter-F6"))))
                .isInstanceOfSatisfying(FabricCaException.class, refused -> {
                    assertThat(refused.errorCode()).isPresent();
                    assertThat(refused.caMessage()).contains("common name must equal the enrollment ID");
                });
    }

    @Test
    void a_registration_signed_by_another_cas_identity_is_refused() throws Exception {
        try (LocalFabricCa other = LocalFabricCa.start(home.resolve("other-ca"), "ca.Other")) {
            final FabricCaRegistrar stranger = other.enrolBootstrapAdmin();

            assertThatThrownBy(() -> ca.register(stranger, "meter-F7", null, "client"))
                    .isInstanceOfSatisfying(FabricCaException.class, refused -> assertThat(refused.errorCode()).isPresent());
        }
    }

    @Test
    void the_client_trusts_only_the_given_tls_certificates() throws Exception {
        final FabricCaClient distrustful = FabricCaClient.newBuilder().url(fabricCa.url())
                .tlsRootCertificates(List.of(registrar.certificate())).build();

        assertThatThrownBy(distrustful::caChain)
                .isInstanceOfSatisfying(FabricCaException.class, failed -> assertThat(failed.httpStatus()).isZero())
                .hasMessageContaining("no answer");
    }

    private static byte[] softwareCsr(final String commonName)
            throws java.security.GeneralSecurityException, org.bouncycastle.operator.OperatorCreationException, java.io.IOException {
        final KeyPair pair = OrgCertificateAuthority.newP256KeyPair();
        return new JcaPKCS10CertificationRequestBuilder(new X500Name("O=MailerA,OU=client,CN=" + commonName), pair.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())).getEncoded();
    }
}
