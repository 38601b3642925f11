package org.postalfunds.hsm.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postalfunds.hsm.client.BridgeException;
import org.postalfunds.hsm.client.BridgeHealth;
import org.postalfunds.hsm.client.BridgeStats;
import org.postalfunds.hsm.client.PsdBridgeClient;
import org.postalfunds.hsm.proto.PsdBridgeGrpc;
import org.postalfunds.hsm.testing.BridgeFixture;

/** What operators watch: health (own RPC and grpc.health.v1) and request counters. */
class HealthAndStatsTest {
    private static BridgeFixture bridge;
    private static PsdBridgeClient operator;

    @BeforeAll
    static void startBridge() throws Exception {
        bridge = BridgeFixture.start("health");
        operator = bridge.operator();
        operator.createMeterKey("meter-h1");
        operator.createMeterKey("meter-h2");
    }

    @AfterAll
    static void stopBridge() throws Exception {
        operator.close();
        bridge.close();
    }

    @Test
    void health_reports_serving_with_the_token_label_key_count_and_who_the_caller_is() throws Exception {
        final BridgeHealth asOperator = operator.health();
        assertThat(asOperator.serving()).isTrue();
        assertThat(asOperator.tokenLabel()).isEqualTo(bridge.token().label());
        assertThat(asOperator.meterKeyCount()).isGreaterThanOrEqualTo(2);
        assertThat(asOperator.callerRole()).isEqualTo("operator");
        assertThat(asOperator.callerSubject()).contains("CN=" + BridgeFixture.OPERATOR_CN, "OU=operator");

        try (PsdBridgeClient meter = bridge.meter("meter-h1")) {
            final BridgeHealth asMeter = meter.health();
            assertThat(asMeter.callerRole()).isEqualTo("meter");
            assertThat(asMeter.callerSubject()).contains("CN=meter-h1", "OU=client");
        }
    }

    @Test
    void the_standard_grpc_health_service_answers_serving_for_the_bridge_and_the_server() throws Exception {
        final ManagedChannel channel = bridge.channel(bridge.pki().client("meter-h1", "client"));
        try {
            final HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
            assertThat(health.check(HealthCheckRequest.newBuilder().setService(PsdBridgeGrpc.SERVICE_NAME).build())
                    .getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
            assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
                    .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        } finally {
            BridgeFixture.shutdown(channel);
        }
    }

    @Test
    void stats_count_each_request_by_method_and_outcome() throws Exception {
        final BridgeStats before = operator.stats();
        try (PsdBridgeClient meter = bridge.meter("meter-h2")) {
            for (int i = 0; i < 3; i++) {
                meter.signDigest("meter-h2", new byte[32]);
            }
            assertThatThrownBy(() -> meter.signDigest("meter-h2", new byte[5])).isInstanceOf(BridgeException.class);
            assertThatThrownBy(() -> meter.signDigest("meter-h1", new byte[32])).isInstanceOf(BridgeException.class);
        }

        final BridgeStats after = operator.stats();
        assertThat(after.count("SignDigest", "OK") - before.count("SignDigest", "OK")).isEqualTo(3);
        assertThat(after.count("SignDigest", "INVALID_ARGUMENT") - before.count("SignDigest", "INVALID_ARGUMENT"))
                .isEqualTo(1);
        assertThat(after.count("SignDigest", "PERMISSION_DENIED") - before.count("SignDigest", "PERMISSION_DENIED"))
                .isEqualTo(1);
        assertThat(after.count("CreateMeterKey", "OK")).isGreaterThanOrEqualTo(2);
        assertThat(after.uptime()).isGreaterThanOrEqualTo(java.time.Duration.ZERO);
    }

    @Test
    void stats_are_for_operators_only() throws Exception {
        try (PsdBridgeClient meter = bridge.meter("meter-h1")) {
            assertThatThrownBy(meter::stats).isInstanceOfSatisfying(BridgeException.class,
                    e -> assertThat(e.code()).isEqualTo(io.grpc.Status.Code.PERMISSION_DENIED));
        }
    }
}
