package org.postalfunds.client.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status.Code;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Gateway failures classified by their real cause (the messages are Fabric 3.1.5's), and retried at their pace. */
class FailureClassificationTest {
    @Test
    void the_chaincode_service_down_is_chaincode_unreachable_not_a_generic_abort() {
        assertThat(FailureKind.classify(Code.ABORTED, "failed to endorse transaction, see attached details for more info",
                "DataCenterMSP 127.0.0.1:11060: error in simulation: failed to execute transaction 3f1e: could not launch"
                        + " chaincode postal-ledger_1.0:ab12: connection to 127.0.0.1:13999 failed: dial tcp: connect:"
                        + " connection refused")).isEqualTo(FailureKind.CHAINCODE_UNREACHABLE);
        assertThat(FailureKind.classify(Code.ABORTED, "failed to collect enough transaction endorsements, see attached"
                + " details for more info", "MailerAMSP x: chaincode stream terminated"))
                .isEqualTo(FailureKind.CHAINCODE_UNREACHABLE);
    }

    @Test
    void a_required_peer_down_is_endorsers_unavailable_and_retried_not_a_final_refusal() {
        assertThat(FailureKind.classify(Code.FAILED_PRECONDITION, "failed to select a set of endorsers that satisfy the"
                + " endorsement policy due to unavailability of peers: [peer0.mailer-a]", ""))
                .isEqualTo(FailureKind.ENDORSERS_UNAVAILABLE);
        assertThat(FailureKind.classify(Code.FAILED_PRECONDITION, "no combination of peers can be derived which satisfy"
                + " the endorsement policy: no peer combination can satisfy the endorsement policy", ""))
                .isEqualTo(FailureKind.ENDORSERS_UNAVAILABLE);
        assertThat(FailureKind.classify(Code.UNAVAILABLE, "failed to find any endorsing peers for org(s): MailerAMSP", ""))
                .isEqualTo(FailureKind.ENDORSERS_UNAVAILABLE);
        assertThat(FailureKind.classify(Code.ABORTED, "failed to collect enough transaction endorsements, see attached"
                + " details for more info", "MailerBMSP 127.0.0.1:11080: rpc error: code = Unavailable desc = connection"
                + " error")).isEqualTo(FailureKind.ENDORSERS_UNAVAILABLE);
        // A peer cut off the network drops packets: the gateway's endorsement timeout names it.
        assertThat(FailureKind.classify(Code.ABORTED, "failed to endorse transaction, see attached details for more info",
                "DataCenterMSP peer0.datacenter.postal.example:7060: rpc error: code = DeadlineExceeded desc = context"
                        + " deadline exceeded")).isEqualTo(FailureKind.ENDORSERS_UNAVAILABLE);
        assertThat(FailureKind.ENDORSERS_UNAVAILABLE.retryable()).isTrue();
    }

    @Test
    void orderer_gateway_peer_and_deadline_failures_have_their_own_kinds() {
        assertThat(FailureKind.classify(Code.UNAVAILABLE, "no orderers could successfully process transaction", "x"))
                .isEqualTo(FailureKind.ORDERER_UNAVAILABLE);
        assertThat(FailureKind.classify(Code.DEADLINE_EXCEEDED, "submit timeout expired while broadcasting to ordering service", ""))
                .isEqualTo(FailureKind.TIMEOUT);
        assertThat(FailureKind.classify(Code.UNAVAILABLE, "io exception", "")).isEqualTo(FailureKind.PEER_UNREACHABLE);
        assertThat(FailureKind.classify(Code.DEADLINE_EXCEEDED, "evaluate timeout expired", "")).isEqualTo(FailureKind.TIMEOUT);
        assertThat(FailureKind.classify(Code.PERMISSION_DENIED, "access denied", "")).isEqualTo(FailureKind.REFUSED);
        assertThat(FailureKind.classify(Code.ABORTED, "something else", "")).isEqualTo(FailureKind.TRANSIENT);
    }

    @Test
    void a_bridge_that_is_down_is_signer_unavailable_and_retried_a_refusal_is_final() {
        // What the gateway client throws when the signer's sign() fails: ProviderException(SignatureException(bridge's)).
        final java.security.ProviderException down = new java.security.ProviderException(new java.security.SignatureException(
                "SignDigest failed", new io.grpc.StatusRuntimeException(io.grpc.Status.UNAVAILABLE.withDescription(
                        "io exception: Connection refused: /127.0.0.1:7443"))));
        final java.security.ProviderException denied = new java.security.ProviderException(new java.security.SignatureException(
                "SignDigest failed", new io.grpc.StatusRuntimeException(io.grpc.Status.PERMISSION_DENIED)));
        assertThat(FailureKind.ofSigner(down)).isEqualTo(FailureKind.SIGNER_UNAVAILABLE);
        assertThat(FailureKind.SIGNER_UNAVAILABLE.pace()).isEqualTo(FailureKind.Pace.OUTAGE);
        assertThat(FailureKind.ofSigner(denied)).isEqualTo(FailureKind.REFUSED);
        assertThat(FailureKind.ofSigner(new java.security.ProviderException("no such key"))).isEqualTo(FailureKind.REFUSED);
    }

    @Test
    void outages_are_retried_at_least_a_second_apart_conflicts_quickly() {
        final RetryPolicy policy = RetryPolicy.DEFAULT;
        for (int attempt = 1; attempt < 6; attempt++) {
            assertThat(policy.backoffAfter(attempt, FailureKind.CHAINCODE_UNREACHABLE)).isBetween(Duration.ofMillis(500),
                    Duration.ofSeconds(6));
            assertThat(policy.backoffAfter(attempt, FailureKind.READ_CONFLICT)).isLessThanOrEqualTo(Duration.ofSeconds(3));
        }
        assertThat(policy.backoffAfter(1, FailureKind.CHAINCODE_UNREACHABLE)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
        assertThat(policy.backoffAfter(1, FailureKind.COMMIT_UNSEEN)).isLessThanOrEqualTo(Duration.ofMillis(50));
    }
}
