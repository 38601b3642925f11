package org.postalfunds.chaincode;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.chaincode.access.Organisations;

/** Every submit carries a client-chosen request id; a retry never moves funds twice. */
class IdempotencyTest {
    private final LedgerFixture fx = new LedgerFixture();

    @BeforeEach
    void meter() {
        fx.registerMeter("m1", Organisations.MAILER_A);
    }

    @Test
    void the_same_request_again_returns_the_first_result_and_writes_nothing() {
        final String first = fx.submit(fx.dataCenter, ctx -> fx.contract.refillMeter(ctx, "refill-7", "m1", "300"));
        final String again = fx.submit(fx.dataCenter, ctx -> fx.contract.refillMeter(ctx, "refill-7", "m1", "300"));

        assertThat(again).isEqualTo(first);
        assertThat(fx.lastStub().putOrder()).isEmpty();
        assertThat(fx.lastStub().eventName()).isNull();
        assertThat(fx.available("m1")).isEqualTo(300);
    }

    @Test
    void the_same_request_id_with_different_content_is_refused() {
        fx.submit(fx.dataCenter, ctx -> fx.contract.refillMeter(ctx, "refill-7", "m1", "300"));
        final String message = fx.rejectsWith(ErrorCode.REQUEST_ID_REUSED, fx.dataCenter,
                ctx -> fx.contract.refillMeter(ctx, "refill-7", "m1", "301"));
        assertThat(message).contains("refillMeter");
        fx.rejectsWith(ErrorCode.REQUEST_ID_REUSED, fx.dataCenter,
                ctx -> fx.contract.suspendMeter(ctx, "refill-7", "m1", "x"));
    }

    @Test
    void a_retry_of_a_transfer_returns_the_same_transfer() {
        fx.registerMeter("m2", Organisations.MAILER_B);
        fx.refill("m1", 1_000);
        final long deadline = fx.nowSeconds() + 600;
        final String first = fx.submit(fx.meter("m1"),
                ctx -> fx.contract.offerTransfer(ctx, "offer-1", "m1", "m2", "400", String.valueOf(deadline)));
        final String again = fx.submit(fx.meter("m1"),
                ctx -> fx.contract.offerTransfer(ctx, "offer-1", "m1", "m2", "400", String.valueOf(deadline)));
        assertThat(again).isEqualTo(first);
        assertThat(fx.available("m1")).isEqualTo(600);
    }

    @Test
    void a_failed_request_is_not_remembered_and_may_be_retried() {
        fx.rejectsWith(ErrorCode.INVALID_AMOUNT, fx.dataCenter,
                ctx -> fx.contract.refillMeter(ctx, "refill-8", "m1", "0"));
        fx.submit(fx.dataCenter, ctx -> fx.contract.refillMeter(ctx, "refill-8", "m1", "5"));
        assertThat(fx.available("m1")).isEqualTo(5);
    }

    @Test
    void request_ids_belong_to_the_callers_organisation() {
        fx.registerMeter("m2", Organisations.MAILER_B);
        fx.refill("m1", 100);
        fx.refill("m2", 100);
        final long deadline = fx.nowSeconds() + 600;
        fx.submit(fx.meter("m1"), ctx -> fx.contract.offerTransfer(ctx, "shared-id", "m1", "m2", "10", String.valueOf(deadline)));
        fx.submit(fx.meter("m2"), ctx -> fx.contract.offerTransfer(ctx, "shared-id", "m2", "m1", "10", String.valueOf(deadline)));
        assertThat(fx.auditTotals().at("/openEscrows").asLong()).isEqualTo(2);
    }

    @Test
    void a_different_identity_of_the_same_organisation_cannot_replay_anothers_request() {
        fx.refill("m1", 100);
        fx.registerMeter("m2", Organisations.MAILER_A);
        final String indicium = fx.indicium("m1", 1, 10, fx.meter("m1"));
        fx.submit(fx.meter("m1"), ctx -> fx.contract.printPostage(ctx, "print-1", indicium));
        fx.rejectsWith(ErrorCode.REQUEST_ID_REUSED, fx.meter("m2"),
                ctx -> fx.contract.printPostage(ctx, "print-1", indicium));
    }
}
