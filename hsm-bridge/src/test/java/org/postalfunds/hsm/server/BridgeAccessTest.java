package org.postalfunds.hsm.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;

import com.google.protobuf.ByteString;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postalfunds.hsm.MeterSubject;
import org.postalfunds.hsm.client.BridgeException;
import org.postalfunds.hsm.client.PsdBridgeClient;
import org.postalfunds.hsm.enrol.OrgCertificateAuthority;
import org.postalfunds.hsm.proto.GetPublicKeyRequest;
import org.postalfunds.hsm.proto.HealthRequest;
import org.postalfunds.hsm.proto.PsdBridgeGrpc;
import org.postalfunds.hsm.proto.SignDigestRequest;
import org.postalfunds.hsm.testing.BridgeFixture;
import org.postalfunds.hsm.testing.TestPki;

/** Who may do what: the gatekeeper's rules, enforced from the TLS client certificate. */
class BridgeAccessTest {
    private static final String METER_A = "meter-a";
    private static final String METER_B = "meter-b";

    private static BridgeFixture bridge;
    private static PsdBridgeClient operator;
    private static PsdBridgeClient meterA;

    @BeforeAll
    static void startBridge() throws Exception {
        bridge = BridgeFixture.start("access");
        operator = bridge.operator();
        operator.createMeterKey(METER_A);
        operator.createMeterKey(METER_B);
        meterA = bridge.meter(METER_A);
    }

    @AfterAll
    static void stopBridge() throws Exception {
        meterA.close();
        operator.close();
        bridge.close();
    }

    @Test
    void a_meter_client_signs_with_its_own_key() {
        assertThat(meterA.signDigest(METER_A, new byte[32])).isNotEmpty();
    }

    @Test
    void a_meter_client_cannot_sign_with_another_meters_key() {
        assertRefused(() -> meterA.signDigest(METER_B, new byte[32]), Status.Code.PERMISSION_DENIED,
                "meter " + METER_B, "CN=" + METER_A);
    }

    @Test
    void a_meter_client_cannot_unseal_a_package_with_another_meters_key() throws Exception {
        final KeyPair peer = OrgCertificateAuthority.newP256KeyPair();
        final byte[] sealed = org.postalfunds.hsm.testing.TestPackages.sealTo(peer.getPublic(), METER_A, METER_B,
                new byte[] {1});

        assertRefused(() -> meterA.unsealPackage(METER_B, sealed), Status.Code.PERMISSION_DENIED, "UnsealPackage");
    }

    @Test
    void a_meter_client_cannot_read_another_meters_public_key() {
        assertRefused(() -> meterA.publicKey(METER_B), Status.Code.PERMISSION_DENIED, "GetPublicKey");
    }

    @Test
    void a_meter_client_cannot_create_keys_csrs_certificates_or_read_stats() {
        assertRefused(() -> meterA.createMeterKey("meter-new"), Status.Code.PERMISSION_DENIED, "for operators");
        assertRefused(() -> meterA.createCsr(MeterSubject.client(METER_A, "Org1")), Status.Code.PERMISSION_DENIED,
                "for operators");
        assertRefused(() -> meterA.importCertificate(METER_A, meterA.publicKey(METER_A).certificate()),
                Status.Code.PERMISSION_DENIED, "for operators");
        assertRefused(meterA::stats, Status.Code.PERMISSION_DENIED, "for operators");
    }

    @Test
    void an_operator_cannot_sign_or_unseal_with_a_meter_key() throws Exception {
        assertRefused(() -> operator.signDigest(METER_A, new byte[32]), Status.Code.PERMISSION_DENIED, "an operator");
        final byte[] sealed = org.postalfunds.hsm.testing.TestPackages.sealTo(
                OrgCertificateAuthority.newP256KeyPair().getPublic(), METER_B, METER_A, new byte[] {1});
        assertRefused(() -> operator.unsealPackage(METER_A, sealed), Status.Code.PERMISSION_DENIED, "an operator");
    }

    @Test
    void a_client_without_a_certificate_is_refused_before_any_request_reaches_the_bridge() throws Exception {
        final long healthCallsBefore = operator.stats().total("Health");
        final ManagedChannel anonymous = bridge.channel(null);
        try {
            assertThatThrownBy(() -> PsdBridgeGrpc.newBlockingStub(anonymous).health(HealthRequest.getDefaultInstance()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        } finally {
            BridgeFixture.shutdown(anonymous);
        }
        assertThat(operator.stats().total("Health")).isEqualTo(healthCallsBefore);
    }

    @Test
    void a_client_certificate_from_an_untrusted_ca_is_refused() throws Exception {
        final OrgCertificateAuthority stranger = OrgCertificateAuthority.create("Stranger");
        try (PsdBridgeClient impostor = bridge.clientAs(TestPki.client(stranger, METER_A, "client"))) {
            assertThatThrownBy(() -> impostor.signDigest(METER_A, new byte[32]))
                    .isInstanceOfSatisfying(BridgeException.class,
                            e -> assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE));
        }
    }

    @Test
    void a_trusted_certificate_without_a_common_name_is_unauthenticated() throws Exception {
        try (PsdBridgeClient nameless = bridge.clientAs(bridge.pki().oddClient("O=Org1,OU=client"))) {
            assertRefused(nameless::health, Status.Code.UNAUTHENTICATED, "no single CN");
        }
    }

    @Test
    void a_trusted_certificate_that_is_neither_meter_nor_operator_is_denied() throws Exception {
        try (PsdBridgeClient peer = bridge.clientAs(bridge.pki().client("peer0", "peer"))) {
            assertRefused(peer::health, Status.Code.PERMISSION_DENIED, "neither a meter client");
            assertRefused(() -> peer.signDigest(METER_A, new byte[32]), Status.Code.PERMISSION_DENIED,
                    "neither a meter client");
        }
        assertThat(bridge.auditLines()).anySatisfy(line -> assertThat(line)
                .contains("op=SignDigest", "CN=peer0", "outcome=PERMISSION_DENIED"));
    }

    @Test
    void a_certificate_claiming_both_roles_is_denied() throws Exception {
        try (PsdBridgeClient confused = bridge.clientAs(bridge.pki().oddClient("O=Org1,OU=client,OU=operator,CN=meter-a"))) {
            assertRefused(confused::health, Status.Code.PERMISSION_DENIED, "one role");
        }
    }

    @Test
    void an_operator_named_in_the_configuration_needs_no_operator_unit() throws Exception {
        try (PsdBridgeClient namedOperator = bridge.clientAs(bridge.pki().client(BridgeFixture.OPERATOR_CN, "admin"))) {
            assertThat(namedOperator.health().callerRole()).isEqualTo("operator");
            assertThat(namedOperator.publicKey(METER_B).meterId()).isEqualTo(METER_B);
        }
    }

    @ParameterizedTest(name = "meter id \"{0}\" is invalid")
    @ValueSource(strings = {"", "-leading-dash", "has space", "meter/../../etc", "x123456789x123456789x123456789x123456789x123456789x123456789x12345"})
    void a_malformed_meter_id_is_invalid_argument_whoever_asks(final String meterId) throws Exception {
        final ManagedChannel channel = bridge.channel(bridge.pki().client(BridgeFixture.OPERATOR_CN, "operator"));
        try {
            final PsdBridgeGrpc.PsdBridgeBlockingStub stub = PsdBridgeGrpc.newBlockingStub(channel);
            assertThatThrownBy(() -> stub.getPublicKey(GetPublicKeyRequest.newBuilder().setMeterId(meterId).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(e.getStatus().getDescription()).contains("meter id");
                    });
            assertThatThrownBy(() -> stub.signDigest(SignDigestRequest.newBuilder().setMeterId(meterId)
                    .setDigest(ByteString.copyFrom(new byte[32])).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        } finally {
            BridgeFixture.shutdown(channel);
        }
    }

    @Test
    void a_request_larger_than_the_message_limit_is_refused() throws Exception {
        final ManagedChannel channel = bridge.channel(bridge.pki().client(METER_A, "client"));
        try {
            final SignDigestRequest huge = SignDigestRequest.newBuilder().setMeterId(METER_A)
                    .setDigest(ByteString.copyFrom(new byte[400 * 1024])).build();
            assertThatThrownBy(() -> PsdBridgeGrpc.newBlockingStub(channel).signDigest(huge))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
        } finally {
            BridgeFixture.shutdown(channel);
        }
    }

    private static void assertRefused(final org.assertj.core.api.ThrowableAssert.ThrowingCallable call,
            final Status.Code code, final String... descriptionParts) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(BridgeException.class, e -> assertThat(e.code()).isEqualTo(code))
                .hasMessageContainingAll(descriptionParts);
    }
}
