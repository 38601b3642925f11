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
import org.postalfunds.hsm.testing.BridgeFixture;

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
    void ecdh_through_the_bridge_gives_the_secret_software_ecdh_computes_with_the_peer_key() throws Exception {
        final ECPublicKey meterKey = operator.createMeterKey("meter-ecdh").publicKey();
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        final KeyPair peer = generator.generateKeyPair();

        final byte[] fromBridge;
        try (PsdBridgeClient meter = bridge.meter("meter-ecdh")) {
            fromBridge = meter.deriveSharedSecret("meter-ecdh", peer.getPublic());
        }
        final KeyAgreement software = KeyAgreement.getInstance("ECDH");
        software.init(peer.getPrivate());
        software.doPhase(meterKey, true);

        assertThat(fromBridge).hasSize(32).isEqualTo(software.generateSecret());
    }

    @Test
    void ecdh_with_a_point_off_the_curve_or_another_curve_is_invalid_argument() throws Exception {
        operator.createMeterKey("meter-badpeer");
        final KeyPairGenerator p384 = KeyPairGenerator.getInstance("EC");
        p384.initialize(new ECGenParameterSpec("secp384r1"));
        final PublicKey otherCurve = p384.generateKeyPair().getPublic();
        final ECPublicKey valid = (ECPublicKey) OrgCertificateAuthority.newP256KeyPair().getPublic();
        final ECPoint moved = new ECPoint(valid.getW().getAffineX(), valid.getW().getAffineY().add(java.math.BigInteger.ONE));
        final PublicKey offCurve = java.security.KeyFactory.getInstance("EC")
                .generatePublic(new ECPublicKeySpec(moved, valid.getParams()));

        try (PsdBridgeClient meter = bridge.meter("meter-badpeer")) {
            assertThatThrownBy(() -> meter.deriveSharedSecret("meter-badpeer", otherCurve))
                    .isInstanceOfSatisfying(BridgeException.class,
                            e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
                    .hasMessageContaining("P-256");
            assertThatThrownBy(() -> meter.deriveSharedSecret("meter-badpeer", offCurve))
                    .isInstanceOfSatisfying(BridgeException.class,
                            e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
                    .hasMessageContaining("not on curve");
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
