package org.postalfunds.client.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.LedgerFunction;

class AttemptsTest {
    private static final RetryPolicy FOUR_ATTEMPTS = new RetryPolicy(4, Duration.ofMillis(10), Duration.ofMillis(80));
    private final LedgerCall grant = LedgerCall.transaction(LedgerFunction.GRANT_TRANSFER, "req-7", "T-1", "3600");
    private final List<Duration> pauses = new ArrayList<>();
    private final List<LedgerCall> sent = new ArrayList<>();

    @Test
    void returns_the_first_successful_result_without_pausing() throws Exception {
        byte[] result = Attempts.run(grant, FOUR_ATTEMPTS, pauses::add, n -> ok("granted"));

        assertThat(new String(result, StandardCharsets.UTF_8)).isEqualTo("granted");
        assertThat(pauses).isEmpty();
    }

    @Test
    void retries_read_conflicts_with_the_same_request_id_until_one_commits() throws Exception {
        byte[] result = Attempts.run(grant, FOUR_ATTEMPTS, pauses::add, n -> {
            sent.add(grant);
            if (n < 3) {
                throw failure(FailureKind.of(TxValidationCode.MVCC_READ_CONFLICT), "tx-" + n);
            }
            return ok("granted");
        });

        assertThat(new String(result, StandardCharsets.UTF_8)).isEqualTo("granted");
        assertThat(sent).hasSize(3).allSatisfy(call -> assertThat(call.arguments().get(0)).isEqualTo("req-7"));
        assertThat(pauses).hasSize(2).allSatisfy(p -> assertThat(p).isBetween(Duration.ZERO, Duration.ofMillis(80)));
    }

    @Test
    void gives_up_after_the_policy_s_attempts_and_says_how_many() {
        LedgerException e = catchThrowableOfType(LedgerException.class, () -> Attempts.run(grant, FOUR_ATTEMPTS, pauses::add,
                n -> {
                    throw failure(FailureKind.TRANSIENT, "tx-" + n);
                }));

        assertThat(e.attempts()).isEqualTo(4);
        assertThat(e.kind()).isEqualTo(FailureKind.TRANSIENT);
        assertThat(e.requestId()).contains("req-7");
        assertThat(e.transactionId()).contains("tx-4");
        assertThat(e.getMessage()).contains("grantTransfer", "req-7", "4 attempt(s)");
        assertThat(pauses).hasSize(3);
    }

    @Test
    void does_not_retry_a_chaincode_refusal_and_carries_its_error_code() {
        LedgerException e = catchThrowableOfType(LedgerException.class, () -> Attempts.run(grant, FOUR_ATTEMPTS, pauses::add,
                n -> {
                    throw new Attempts.AttemptFailure(FailureKind.REFUSED, "INSUFFICIENT_FUNDS: donor has 5 available", "tx-1",
                            "INSUFFICIENT_FUNDS", null);
                }));

        assertThat(e.attempts()).isEqualTo(1);
        assertThat(e.errorCode()).contains(ErrorCode.INSUFFICIENT_FUNDS);
        assertThat(e.getMessage()).contains("donor has 5 available");
        assertThat(pauses).isEmpty();
    }

    @Test
    void counts_attempts_when_a_refusal_follows_conflicts() {
        LedgerException e = catchThrowableOfType(LedgerException.class, () -> Attempts.run(grant, FOUR_ATTEMPTS, pauses::add,
                n -> {
                    if (n == 1) {
                        throw failure(FailureKind.READ_CONFLICT, "tx-1");
                    }
                    throw new Attempts.AttemptFailure(FailureKind.REFUSED, "TRANSFER_NOT_PENDING", "tx-2", "TRANSFER_NOT_PENDING", null);
                }));

        assertThat(e.attempts()).isEqualTo(2);
        assertThat(e.kind()).isEqualTo(FailureKind.REFUSED);
    }

    @Test
    void classifies_validation_and_grpc_codes_for_retrying() {
        assertThat(FailureKind.of(TxValidationCode.MVCC_READ_CONFLICT).retryable()).isTrue();
        assertThat(FailureKind.of(TxValidationCode.PHANTOM_READ_CONFLICT).retryable()).isTrue();
        assertThat(FailureKind.of(TxValidationCode.ENDORSEMENT_POLICY_FAILURE)).isEqualTo(FailureKind.INVALIDATED);
        assertThat(FailureKind.of(io.grpc.Status.Code.DEADLINE_EXCEEDED)).isEqualTo(FailureKind.TRANSIENT);
        assertThat(FailureKind.of(io.grpc.Status.Code.UNAVAILABLE)).isEqualTo(FailureKind.TRANSIENT);
        assertThat(FailureKind.of(io.grpc.Status.Code.PERMISSION_DENIED)).isEqualTo(FailureKind.REFUSED);
    }

    @Test
    void an_aborted_endorsement_is_not_called_a_read_conflict() {
        // ABORTED: the gateway gave up collecting endorsements or the orderer refused; an MVCC conflict is a commit status.
        assertThat(FailureKind.of(io.grpc.Status.Code.ABORTED)).isEqualTo(FailureKind.TRANSIENT);
        assertThat(FailureKind.ENDORSEMENT_MISMATCH.retryable()).isTrue();
    }

    @Test
    void retries_a_lag_sensitive_refusal_with_the_same_call_until_the_endorser_catches_up() throws LedgerException {
        java.util.List<String> seen = new java.util.ArrayList<>();
        byte[] result = Attempts.run(grant, FOUR_ATTEMPTS, pauses::add,
                (call, attempt, kind, code) -> seen.add(attempt + " " + kind + " " + code + " " + call.requestId().orElseThrow()),
                n -> {
                    if (n < 3) {
                        throw new Attempts.AttemptFailure(FailureKind.ENDORSER_BEHIND, "UNKNOWN_TRANSFER: no transfer t-1",
                                "tx-" + n, "UNKNOWN_TRANSFER", null);
                    }
                    return ok("granted");
                });
        assertThat(new String(result, StandardCharsets.UTF_8)).isEqualTo("granted");
        assertThat(seen).containsExactly("1 ENDORSER_BEHIND UNKNOWN_TRANSFER " + grant.requestId().orElseThrow(),
                "2 ENDORSER_BEHIND UNKNOWN_TRANSFER " + grant.requestId().orElseThrow());
        assertThat(pauses).hasSize(2);
    }

    @Test
    void a_lag_sensitive_refusal_that_outlasts_the_policy_is_reported_as_a_refusal() {
        LedgerException e = catchThrowableOfType(LedgerException.class, () -> Attempts.run(grant, FOUR_ATTEMPTS, pauses::add,
                n -> {
                    throw new Attempts.AttemptFailure(FailureKind.ENDORSER_BEHIND, "ILLEGAL_TRANSITION: a CANCELLED transfer"
                            + " cannot take GRANT", "tx-" + n, "ILLEGAL_TRANSITION", null);
                }));
        assertThat(e.kind()).isEqualTo(FailureKind.REFUSED);
        assertThat(e.errorCode()).hasValue(ErrorCode.ILLEGAL_TRANSITION);
        assertThat(e.attempts()).isEqualTo(4);
        assertThat(pauses).hasSize(3);
    }

    @Test
    void retries_an_outage_for_its_time_budget_whatever_the_attempt_count() throws Exception {
        // Four attempts, but 60 s for an outage: the orderer comes back after 25 s (a Raft election on a loaded machine).
        final RetryPolicy policy = FOUR_ATTEMPTS.withOutageBudget(Duration.ofSeconds(60));
        final long[] now = {0};
        byte[] result = Attempts.run(grant, policy, pause -> {
            pauses.add(pause);
            now[0] += pause.toNanos();
        }, () -> now[0], RetryListener.NONE, n -> {
            if (now[0] < Duration.ofSeconds(25).toNanos()) {
                throw new Attempts.AttemptFailure(FailureKind.ORDERER_UNAVAILABLE, "no orderers could successfully process"
                        + " transaction", "tx-" + n, null, null);
            }
            return ok("granted");
        });
        assertThat(new String(result, StandardCharsets.UTF_8)).isEqualTo("granted");
        assertThat(pauses.size()).isGreaterThan(FOUR_ATTEMPTS.maxAttempts());
        assertThat(pauses).allSatisfy(p -> assertThat(p).isGreaterThanOrEqualTo(Duration.ofMillis(50)));
    }

    @Test
    void gives_up_an_outage_when_its_time_budget_is_spent_and_still_counts_other_failures() {
        final RetryPolicy policy = FOUR_ATTEMPTS.withOutageBudget(Duration.ofSeconds(10));
        final long[] now = {0};
        LedgerException e = catchThrowableOfType(LedgerException.class, () -> Attempts.run(grant, policy, pause -> {
            pauses.add(pause);
            now[0] += pause.toNanos();
        }, () -> now[0], RetryListener.NONE, n -> {
            throw new Attempts.AttemptFailure(FailureKind.PEER_UNREACHABLE, "connection refused", "tx-" + n, null, null);
        }));
        assertThat(e.kind()).isEqualTo(FailureKind.PEER_UNREACHABLE);
        assertThat(now[0]).isLessThanOrEqualTo(Duration.ofSeconds(10).toNanos());
        assertThat(e.attempts()).isEqualTo(pauses.size() + 1).isGreaterThan(FOUR_ATTEMPTS.maxAttempts());

        pauses.clear();
        LedgerException conflicts = catchThrowableOfType(LedgerException.class, () -> Attempts.run(grant, policy,
                pauses::add, () -> 0L, RetryListener.NONE, n -> {
                    throw failure(FailureKind.READ_CONFLICT, "tx-" + n);
                }));
        assertThat(conflicts.attempts()).isEqualTo(4);
    }

    @Test
    void refuses_policies_outside_their_limits() {
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO)).hasMessageContaining("attempts");
        assertThatThrownBy(() -> new RetryPolicy(RetryPolicy.MAX_ATTEMPTS_LIMIT + 1, Duration.ZERO, Duration.ZERO))
                .hasMessageContaining("attempts");
        assertThatThrownBy(() -> new RetryPolicy(3, Duration.ofSeconds(2), Duration.ofSeconds(1))).hasMessageContaining("backoff");
        assertThatThrownBy(() -> FOUR_ATTEMPTS.withOutageBudget(Duration.ofMinutes(6))).hasMessageContaining("outage budget");
    }

    private static byte[] ok(final String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Attempts.AttemptFailure failure(final FailureKind kind, final String transactionId) {
        return new Attempts.AttemptFailure(kind, kind + " on " + transactionId, transactionId, null, null);
    }
}
