package org.postalfunds.hsm.client;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.postalfunds.hsm.enrol.OrgCertificateAuthority;

/** The client builder refuses what would otherwise fail obscurely inside TLS. */
class PsdBridgeClientBuilderTest {
    @Test
    void refuses_a_private_key_that_does_not_belong_to_the_client_certificate() throws Exception {
        final OrgCertificateAuthority ca = OrgCertificateAuthority.create("Org1");
        final KeyPair certified = OrgCertificateAuthority.newP256KeyPair();
        final KeyPair other = OrgCertificateAuthority.newP256KeyPair();

        assertThatThrownBy(() -> PsdBridgeClient.newBuilder().clientCertificate(
                ca.issueTlsClientCertificate("meter-1", "client", certified.getPublic()), other.getPrivate()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not belong");
    }

    @Test
    void refuses_to_build_without_a_client_certificate_because_the_bridge_admits_no_anonymous_caller()
            throws Exception {
        final OrgCertificateAuthority ca = OrgCertificateAuthority.create("Org1");

        assertThatThrownBy(() -> PsdBridgeClient.newBuilder().target("127.0.0.1", 7443)
                .trustedCertificates(List.of(ca.certificate())).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("client certificate");
    }

    @Test
    void refuses_out_of_range_ports_timeouts_and_message_limits() {
        assertThatThrownBy(() -> PsdBridgeClient.newBuilder().target("127.0.0.1", 0)).hasMessageContaining("port");
        assertThatThrownBy(() -> PsdBridgeClient.newBuilder().callTimeout(Duration.ZERO)).hasMessageContaining("timeout");
        assertThatThrownBy(() -> PsdBridgeClient.newBuilder().maxInboundMessageBytes(10)).hasMessageContaining("1 KiB");
        assertThatThrownBy(() -> PsdBridgeClient.newBuilder().signingBatchSize(0)).hasMessageContaining("1 to 64");
        assertThatThrownBy(() -> PsdBridgeClient.newBuilder().signingBatchSize(65)).hasMessageContaining("1 to 64");
        assertThatThrownBy(() -> PsdBridgeClient.newBuilder().signingRequestsInFlight(0)).hasMessageContaining("1 to 64");
    }
}
