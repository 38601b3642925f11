package org.postalfunds.hsm.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import io.grpc.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postalfunds.hsm.client.BridgeException;
import org.postalfunds.hsm.client.PsdBridgeClient;
import org.postalfunds.hsm.testing.BridgeFixture;

/**
 * With access.operatorIssuers set, OU=operator is not enough: any trusted org CA can write that OU, so only
 * certificates from the DataCenter's CA count as operators.
 */
class OperatorIssuerPinningTest {
    private static final String ODD_CA = "CN=odd-ca,O=Odd Test CA";

    private static BridgeFixture bridge;

    @BeforeAll
    static void startBridge() throws Exception {
        // The odd test CA is trusted for TLS, but only the DataCenter CA may issue operators.
        bridge = BridgeFixture.start("pinning", Map.of("access.operatorIssuers", "CN=ca.DataCenter,O=DataCenter"));
    }

    @AfterAll
    static void stopBridge() throws Exception {
        bridge.close();
    }

    @Test
    void an_operator_certificate_from_the_configured_issuer_may_create_keys() throws Exception {
        try (PsdBridgeClient operator = bridge.operator()) {
            assertThat(operator.createMeterKey("meter-pinned").meterId()).isEqualTo("meter-pinned");
        }
    }

    @Test
    void an_operator_certificate_from_another_trusted_ca_is_denied() throws Exception {
        try (PsdBridgeClient impostor = bridge.clientAs(bridge.pki().oddClient("O=Odd,OU=operator,CN=rogue-operator"))) {
            assertThatThrownBy(() -> impostor.createMeterKey("meter-rogue"))
                    .isInstanceOfSatisfying(BridgeException.class,
                            e -> assertThat(e.code()).isEqualTo(Status.Code.PERMISSION_DENIED))
                    .hasMessageContaining(ODD_CA);
        }
    }
}
