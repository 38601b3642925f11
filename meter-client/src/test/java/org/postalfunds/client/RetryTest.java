package org.postalfunds.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.client.ledger.FailureKind;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.model.MeterChange;

/** Retries reuse the request id, so they never move funds twice; refusals are not retried. */
class RetryTest {
    private final Consortium consortium = new Consortium();

    @Test
    void a_read_conflict_is_retried_with_the_same_request_id_and_moves_funds_once() throws LedgerException {
        consortium.fundedMeter("meter-A1", Consortium.MAILER_A, 1_000);
        // Between this refill's endorsement and its commit another refill of the same meter commits: MVCC conflict.
        consortium.network.beforeNextCommit(() -> {
            try {
                consortium.dataCenter.refill(RequestId.of("concurrent-refill"), "meter-A1", 10);
            } catch (LedgerException e) {
                throw new IllegalStateException(e);
            }
        });

        MeterChange refilled = consortium.dataCenter.refill(RequestId.of("conflicted-refill"), "meter-A1", 500);

        assertThat(consortium.network.submittedRequestIds()).containsSubsequence("conflicted-refill",
                "concurrent-refill", "conflicted-refill");
        assertThat(consortium.network.submittedRequestIds()).filteredOn("conflicted-refill"::equals).hasSize(2);
        assertThat(refilled.registersAfter().orElseThrow().descendingRegisterMinorUnits()).isEqualTo(1_510);
        assertThat(consortium.available("meter-A1")).isEqualTo(1_510);
    }

    @Test
    void repeating_a_committed_request_id_returns_the_first_result_and_moves_nothing() throws LedgerException {
        consortium.registerMeter("meter-A1", Consortium.MAILER_A);
        MeterChange first = consortium.dataCenter.refill(RequestId.of("refill-1"), "meter-A1", 700);

        MeterChange again = consortium.dataCenter.refill(RequestId.of("refill-1"), "meter-A1", 700);

        assertThat(again.receipt().txId()).isEqualTo(first.receipt().txId());
        assertThat(again.receipt().json()).isEqualTo(first.receipt().json());
        assertThat(consortium.available("meter-A1")).isEqualTo(700);
    }

    @Test
    void a_request_id_reused_for_different_content_is_refused_once_without_retrying() throws LedgerException {
        consortium.registerMeter("meter-A1", Consortium.MAILER_A);
        consortium.dataCenter.refill(RequestId.of("refill-1"), "meter-A1", 700);

        LedgerException refused = catchThrowableOfType(LedgerException.class,
                () -> consortium.dataCenter.refill(RequestId.of("refill-1"), "meter-A1", 800));

        assertThat(refused.kind()).isEqualTo(FailureKind.REFUSED);
        assertThat(refused.errorCode()).hasValue(ErrorCode.REQUEST_ID_REUSED);
        assertThat(refused.attempts()).isEqualTo(1);
        assertThat(refused.requestId()).hasValue("refill-1");
        assertThat(consortium.available("meter-A1")).isEqualTo(700);
    }
}
