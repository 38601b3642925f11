package org.postalfunds.hsm.enrol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;

import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.hyperledger.fabric.client.Hash;
import org.hyperledger.fabric.client.identity.Signer;
import org.hyperledger.fabric.client.identity.X509Identity;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postalfunds.hsm.MeterSubject;
import org.postalfunds.hsm.client.BridgeSigner;
import org.postalfunds.hsm.client.MeterIdentities;
import org.postalfunds.hsm.client.MeterPublicKey;
import org.postalfunds.hsm.client.PsdBridgeClient;
import org.postalfunds.hsm.crypto.CertificateNames;
import org.postalfunds.hsm.crypto.EcdsaSignatures;
import org.postalfunds.hsm.crypto.PublicKeys;
import org.postalfunds.hsm.testing.BridgeFixture;

/** Enrolment end to end: token key -> CSR -> the meter owner's CA -> certificate in the token -> Gateway identity. */
class MeterEnrolmentTest {
    private static final String MSP_ID = "Org1MSP";

    private static BridgeFixture bridge;
    private static PsdBridgeClient operator;
    private static OrgCertificateAuthority org1;
    private static MeterEnrolment enrolment;

    @BeforeAll
    static void startBridge() throws Exception {
        bridge = BridgeFixture.start("enrolment");
        operator = bridge.operator();
        org1 = OrgCertificateAuthority.create("Org1");
        enrolment = new MeterEnrolment(operator, org1, MSP_ID);
    }

    @AfterAll
    static void stopBridge() throws Exception {
        operator.close();
        bridge.close();
    }

    @Test
    void enrolment_yields_a_certificate_whose_public_key_is_the_token_key() throws Exception {
        final EnrolledMeter enrolled = enrolment.enrol(MeterSubject.client("meter-e2e", "Org1"));

        final MeterPublicKey inToken = operator.publicKey("meter-e2e");
        assertThat(enrolled.certificate().getPublicKey().getEncoded()).isEqualTo(inToken.publicKey().getEncoded());
        assertThat(inToken.enrolled()).isTrue();
        assertThat(inToken.certificate()).isEqualTo(enrolled.certificate());
        assertThat(enrolled.identity()).isEqualTo(new X509Identity(MSP_ID, enrolled.certificate()));
    }

    @Test
    void the_issued_certificate_is_a_fabric_client_certificate_of_the_meter_owner() throws Exception {
        final X509Certificate certificate = enrolment.enrol(MeterSubject.client("meter-profile", "Org1")).certificate();

        certificate.verify(org1.certificate().getPublicKey());
        certificate.checkValidity();
        assertThat(CertificateNames.commonName(certificate)).contains("meter-profile");
        assertThat(CertificateNames.organizationalUnits(certificate)).containsExactly("client");
        assertThat(CertificateNames.organizations(certificate)).containsExactly("Org1");
        assertThat(certificate.getBasicConstraints()).isEqualTo(-1);
        assertThat(certificate.getKeyUsage()[0]).as("digitalSignature").isTrue();
        assertThat(certificate.getCriticalExtensionOIDs()).contains(Extension.keyUsage.getId(), Extension.basicConstraints.getId());
        final JcaX509CertificateHolder holder = new JcaX509CertificateHolder(certificate);
        final JcaX509CertificateHolder ca = new JcaX509CertificateHolder(org1.certificate());
        assertThat(AuthorityKeyIdentifier.fromExtensions(holder.getExtensions()).getKeyIdentifier())
                .isEqualTo(SubjectKeyIdentifier.fromExtensions(ca.getExtensions()).getKeyIdentifier());
        assertThat(SubjectKeyIdentifier.fromExtensions(holder.getExtensions())).isNotNull();
        assertThat(EcdsaSignatures.isLowS(certificate.getSignature(), PublicKeys.p256().getOrder()))
                .as("the CA's own signature is low-S").isTrue();
    }

    @Test
    void the_enrolled_meter_signs_proposals_for_its_gateway_identity_through_the_bridge() throws Exception {
        enrolment.enrol(MeterSubject.client("meter-gateway", "Org1"));

        try (PsdBridgeClient meter = bridge.meter("meter-gateway")) {
            final X509Identity identity = MeterIdentities.fromBridge(meter, MSP_ID, "meter-gateway");
            final Signer signer = new BridgeSigner(meter, "meter-gateway");
            final byte[] proposal = "proposal for the funds chaincode".getBytes(StandardCharsets.UTF_8);
            final byte[] signature = signer.sign(Hash.SHA256.apply(proposal));

            final Signature verifier = Signature.getInstance("SHA256withECDSA");
            verifier.initVerify(identity.getCertificate());
            verifier.update(proposal);
            assertThat(verifier.verify(signature)).isTrue();
            assertThat(identity.getMspId()).isEqualTo(MSP_ID);
        }
    }

    @Test
    void an_enrolled_meter_is_refused_a_second_enrolment() throws Exception {
        enrolment.enrol(MeterSubject.client("meter-twice", "Org1"));

        assertThatThrownBy(() -> enrolment.enrol(MeterSubject.client("meter-twice", "Org1")))
                .isInstanceOf(EnrolmentException.class).hasMessageContaining("already enrolled");
    }

    @Test
    void an_enrolment_interrupted_after_key_creation_resumes_with_the_same_key() throws Exception {
        final MeterPublicKey created = operator.createMeterKey("meter-resume");

        final EnrolledMeter enrolled = enrolment.enrol(MeterSubject.client("meter-resume", "Org1"));

        assertThat(enrolled.certificate().getPublicKey().getEncoded()).isEqualTo(created.publicKey().getEncoded());
    }

    @Test
    void the_ca_refuses_a_csr_that_names_another_meter() throws Exception {
        operator.createMeterKey("meter-honest");
        final byte[] request = operator.createCsr(MeterSubject.client("meter-honest", "Org1"));

        assertThatThrownBy(() -> org1.issue("meter-other", request))
                .isInstanceOf(EnrolmentException.class).hasMessageContaining("meter-honest");
    }

    @Test
    void the_ca_refuses_a_csr_whose_signature_does_not_verify() throws Exception {
        operator.createMeterKey("meter-tamper");
        final byte[] request = operator.createCsr(MeterSubject.client("meter-tamper", "Org1"));
        request[request.length - 5] ^= 0x01;

        assertThatThrownBy(() -> org1.issue("meter-tamper", request)).isInstanceOf(EnrolmentException.class);
    }

    @Test
    void a_ca_that_issues_for_another_key_is_caught_before_the_certificate_reaches_the_token() throws Exception {
        final MeterCertificateIssuer swappingCa = (meterId, csr) -> {
            try {
                return org1.issueTlsClientCertificate(meterId, "client", OrgCertificateAuthority.newP256KeyPair().getPublic());
            } catch (java.security.GeneralSecurityException e) {
                throw new EnrolmentException(meterId, e.getMessage(), e);
            }
        };

        assertThatThrownBy(() -> new MeterEnrolment(operator, swappingCa, MSP_ID).enrol(MeterSubject.client("meter-swap", "Org1")))
                .isInstanceOf(EnrolmentException.class).hasMessageContaining("another key");
        assertThat(operator.publicKey("meter-swap").enrolled()).isFalse();
    }

    @Test
    void the_identity_helper_refuses_a_certificate_that_does_not_carry_the_token_key() throws Exception {
        final X509Certificate foreign = org1.issueTlsClientCertificate("meter-x", "client",
                OrgCertificateAuthority.newP256KeyPair().getPublic());
        final MeterPublicKey tokenKey = operator.createMeterKey("meter-x");

        assertThatThrownBy(() -> MeterIdentities.newX509Identity(MSP_ID, foreign, tokenKey.publicKey()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token public key");
        assertThatThrownBy(() -> MeterIdentities.fromBridge(operator, MSP_ID, "meter-x"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not enrolled");
    }

    @Test
    void the_csr_subject_must_name_an_organisation() {
        assertThatThrownBy(() -> MeterSubject.client("meter-noorg", " "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("organization");
        assertThat(List.of(MeterSubject.client("meter-org", "Org1").toX500Name().toString()))
                .containsExactly("O=Org1,OU=client,CN=meter-org");
    }
}
