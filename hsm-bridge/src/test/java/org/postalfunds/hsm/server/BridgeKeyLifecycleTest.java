package org.postalfunds.hsm.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;

import javax.crypto.KeyAgreement;

import io.grpc.Status;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postalfunds.hsm.MeterSubject;
import org.postalfunds.hsm.client.BridgeException;
import org.postalfunds.hsm.client.MeterPublicKey;
import org.postalfunds.hsm.client.PsdBridgeClient;
import org.postalfunds.hsm.crypto.PublicKeys;
import org.postalfunds.hsm.enrol.OrgCertificateAuthority;
import org.postalfunds.hsm.client.UnsealedItem;
import org.postalfunds.hsm.testing.BridgeFixture;
import org.postalfunds.hsm.testing.TestPackages;

/** A meter key's life at the bridge: creation, CSR, certificate, key agreement, restart. */
class BridgeKeyLifecycleTest {
    private static BridgeFixture bridge;
    private static PsdBridgeClient operator;

    @BeforeAll
    static void startBridge() throws Exception {
        bridge = BridgeFixture.start("lifecycle");
        operator = bridge.operator();
    }

    @AfterAll
    static void stopBridge() throws Exception {
        operator.close();
        bridge.close();
    }

    @Test
    void an_operator_creates_a_p256_meter_key_and_the_meter_reads_the_same_key_back() throws Exception {
        final MeterPublicKey created = operator.createMeterKey("meter-create");

        assertThat(created.meterId()).isEqualTo("meter-create");
        assertThat(created.publicKey().getParams().getOrder()).isEqualTo(PublicKeys.p256().getOrder());
        assertThat(created.enrolled()).isFalse();
        assertThat(created.certificate().getSubjectX500Principal().getName()).contains("CN=meter-create");
        try (PsdBridgeClient meter = bridge.meter("meter-create")) {
            assertThat(meter.publicKey("meter-create").publicKey().getEncoded()).isEqualTo(created.publicKey().getEncoded());
        }
    }

    @Test
    void a_second_key_for_the_same_meter_is_refused_as_already_exists() {
        operator.createMeterKey("meter-once");

        assertThatThrownBy(() -> operator.createMeterKey("meter-once"))
                .isInstanceOfSatisfying(BridgeException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.ALREADY_EXISTS))
                .hasMessageContaining("meter-once");
    }

    @Test
    void the_csr_is_signed_inside_the_token_by_the_meter_key_and_names_the_meter() throws Exception {
        final MeterPublicKey key = operator.createMeterKey("meter-csr");

        final PKCS10CertificationRequest request = new PKCS10CertificationRequest(
                operator.createCsr(new MeterSubject("meter-csr", "Org1", "", "DE")));

        assertThat(request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key.publicKey()))).isTrue();
        assertThat(request.getSubjectPublicKeyInfo().getEncoded()).isEqualTo(key.publicKey().getEncoded());
        assertThat(IETFUtils.valueToString(request.getSubject().getRDNs(BCStyle.CN)[0].getFirst().getValue()))
                .isEqualTo("meter-csr");
        assertThat(IETFUtils.valueToString(request.getSubject().getRDNs(BCStyle.OU)[0].getFirst().getValue()))
                .isEqualTo("client");
        assertThat(IETFUtils.valueToString(request.getSubject().getRDNs(BCStyle.O)[0].getFirst().getValue()))
                .isEqualTo("Org1");
        assertThat(IETFUtils.valueToString(request.getSubject().getRDNs(BCStyle.C)[0].getFirst().getValue()))
                .isEqualTo("DE");
    }

    @Test
    void a_csr_for_an_unknown_meter_is_not_found() {
        assertThatThrownBy(() -> operator.createCsr(MeterSubject.client("meter-nokey", "Org1")))
                .isInstanceOfSatisfying(BridgeException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND));
    }

    @Test
    void a_certificate_for_another_key_is_refused_as_failed_precondition() throws Exception {
        operator.createMeterKey("meter-mismatch");
        final OrgCertificateAuthority ca = OrgCertificateAuthority.create("Org1");
        final KeyPair other = OrgCertificateAuthority.newP256KeyPair();
        final var foreign = ca.issueTlsClientCertificate("meter-mismatch", "client", other.getPublic());

        assertThatThrownBy(() -> operator.importCertificate("meter-mismatch", foreign))
                .isInstanceOfSatisfying(BridgeException.class,
                        e -> assertThat(e.code()).isEqualTo(Status.Code.FAILED_PRECONDITION))
                .hasMessageContaining("not the token key");
        assertThat(operator.publicKey("meter-mismatch").enrolled()).isFalse();
    }

    @Test
    void a_certificate_naming_another_meter_is_refused_as_failed_precondition() throws Exception {
        operator.createMeterKey("meter-named");
        final OrgCertificateAuthority ca = OrgCertificateAuthority.create("Org1");
        final byte[] request = operator.createCsr(MeterSubject.client("meter-named", "Org1"));
        final PublicKey tokenKey = operator.publicKey("meter-named").publicKey();
        final var misnamed = ca.issueTlsClientCertificate("meter-someone-else", "client", tokenKey);

        assertThat(request).isNotEmpty();
        assertThatThrownBy(() -> operator.importCertificate("meter-named", misnamed))
                .isInstanceOfSatisfying(BridgeException.class,
                        e -> assertThat(e.code()).isEqualTo(Status.Code.FAILED_PRECONDITION))
                .hasMessageContaining("meter-someone-else");
    }

    @Test
    void a_package_sealed_to_the_key_agreement_key_is_opened_in_the_bridge_which_returns_only_the_content()
            throws Exception {
        final MeterPublicKey key = operator.createMeterKey("meter-unseal");
        final java.security.cert.X509Certificate attestation = key.keyAgreement().orElseThrow();
        final ECPublicKey agreementKey = org.postalfunds.api.format.KeyAgreementCertificate.verify(attestation,
                "meter-unseal", key.publicKey());
        final byte[] content = new byte[200 * 1024];
        new java.util.Random(7).nextBytes(content);

        try (PsdBridgeClient meter = bridge.meter("meter-unseal")) {
            // The meter itself sees the same attestation.
            assertThat(meter.publicKey("meter-unseal").keyAgreementCertificate()).isEqualTo(attestation);
            final UnsealedItem item = meter.unsealPackage("meter-unseal",
                    TestPackages.sealTo(agreementKey, "meter-sender", "meter-unseal", content));
            assertThat(item.itemName()).isEqualTo("rate-table");
            assertThat(item.contentType()).isEqualTo("application/json");
            assertThat(item.content()).isEqualTo(content);
        }
    }

    @Test
    void unsealing_refuses_another_key_another_recipient_a_bad_ephemeral_key_and_garbage() throws Exception {
        final MeterPublicKey key = operator.createMeterKey("meter-badpkg");
        final PublicKey agreementKey = key.keyAgreement().orElseThrow().getPublicKey();
        final byte[] content = "x".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        final KeyPair ephemeral = OrgCertificateAuthority.newP256KeyPair();
        final ECPublicKey valid = (ECPublicKey) ephemeral.getPublic();
        final byte[] offCurve = TestPackages.point(valid);
        offCurve[64] ^= 1;

        try (PsdBridgeClient meter = bridge.meter("meter-badpkg")) {
            assertThatThrownBy(() -> meter.unsealPackage("meter-badpkg",
                    TestPackages.sealTo(key.publicKey(), "meter-sender", "meter-badpkg", content)))
                    .isInstanceOfSatisfying(BridgeException.class,
                            e -> assertThat(e.code()).isEqualTo(Status.Code.DATA_LOSS))
                    .hasMessageContaining("authentication failed");
            assertThatThrownBy(() -> meter.unsealPackage("meter-badpkg",
                    TestPackages.sealTo(agreementKey, "meter-sender", "meter-else", content)))
                    .isInstanceOfSatisfying(BridgeException.class,
                            e -> assertThat(e.code()).isEqualTo(Status.Code.FAILED_PRECONDITION))
                    .hasMessageContaining("addressed to meter-else");
            assertThatThrownBy(() -> meter.unsealPackage("meter-badpkg", TestPackages.sealWithEphemeral(agreementKey,
                    "meter-sender", "meter-badpkg", content, ephemeral, offCurve)))
                    .isInstanceOfSatisfying(BridgeException.class,
                            e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
                    .hasMessageContaining("not on P-256");
            assertThatThrownBy(() -> meter.unsealPackage("meter-badpkg", new byte[] {1, 2, 3}))
                    .isInstanceOfSatisfying(BridgeException.class,
                            e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
                    .hasMessageContaining("sealed package");
        }
    }

    @Test
    void keys_survive_a_bridge_restart_with_a_new_provider_instance() throws Exception {
        final ECPublicKey before = operator.createMeterKey("meter-restart").publicKey();

        bridge.stopServer();
        bridge.startServer();

        try (PsdBridgeClient meter = bridge.meter("meter-restart")) {
            assertThat(meter.publicKey("meter-restart").publicKey().getEncoded()).isEqualTo(before.getEncoded());
            final byte[] digest = new byte[32];
            final Signature verifier = Signature.getInstance("NONEwithECDSA");
            verifier.initVerify(before);
            verifier.update(digest);
            assertThat(verifier.verify(meter.signDigest("meter-restart", digest))).isTrue();
        } finally {
            operator.close();
            operator = bridge.operator();
        }
    }
}
