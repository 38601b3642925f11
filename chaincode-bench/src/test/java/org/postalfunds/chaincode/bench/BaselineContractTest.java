package org.postalfunds.chaincode.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.chaincode.LedgerFixture;
import org.postalfunds.chaincode.access.Organisations;

/** The benchmark baseline writes exactly one key of its own namespace and reads nothing. */
class BaselineContractTest {
    private final LedgerFixture fx = new LedgerFixture();
    private final BaselineContract baseline = new BaselineContract();

    @Test
    void a_write_puts_one_key_in_the_baseline_namespace_and_reads_nothing() {
        fx.registerMeter("m1", Organisations.MAILER_A);
        final var fundsBefore = fx.auditTotals();

        final String result = fx.submit(fx.mailerA, ctx -> baseline.write(ctx, "worker-1", "42"));

        assertThat(result).isEqualTo("{\"requestId\":\"worker-1\",\"chars\":2}");
        assertThat(fx.lastWrittenKeys()).containsExactly("~baseline~worker-1~");
        assertThat(fx.lastStub().readCount()).isZero();
        assertThat(fx.lastStub().eventName()).isNull();
        assertThat(fx.auditTotals()).isEqualTo(fundsBefore);
    }

    @Test
    void writes_to_the_same_key_in_one_block_never_conflict_because_nothing_is_read() {
        final var first = fx.endorse(fx.dataCenter, ctx -> baseline.write(ctx, "hot", "1"));
        final var second = fx.endorse(fx.mailerB, ctx -> baseline.write(ctx, "hot", "2"));
        assertThat(fx.ledger.commitBlock(java.util.List.of(first.stub(), second.stub()),
                java.util.List.of(LedgerFixture.ALL_ORGS, LedgerFixture.ALL_ORGS)))
                .containsOnly(org.postalfunds.chaincode.fake.FakeLedger.Validation.VALID);
    }

    @Test
    void a_malformed_request_id_or_an_oversized_value_is_refused_and_writes_nothing() {
        fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.mailerA, ctx -> baseline.write(ctx, "../funds", "1"));
        fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.mailerA, ctx -> baseline.write(ctx, "", "1"));
        fx.rejectsWith(ErrorCode.LIMIT_EXCEEDED, fx.mailerA,
                ctx -> baseline.write(ctx, "s", "x".repeat(BaselineContract.MAX_VALUE_CHARS + 1)));
        fx.rejectsWith(ErrorCode.LIMIT_EXCEEDED, fx.mailerA, ctx -> baseline.write(ctx, "s", null));
    }

    @Test
    void a_transfer_reads_and_writes_exactly_its_two_balances_and_touches_no_funds() {
        fx.registerMeter("m1", Organisations.MAILER_A);
        final var fundsBefore = fx.auditTotals();

        assertThat(fx.submit(fx.mailerA, ctx -> baseline.transfer(ctx, "r1", "a", "b", "5"))).isEqualTo("{\"from\":-5,\"to\":5}");
        assertThat(fx.lastWrittenKeys()).containsExactlyInAnyOrder("~baselineAccount~a~", "~baselineAccount~b~");
        assertThat(fx.lastStub().readCount()).isEqualTo(2);
        assertThat(fx.lastStub().eventName()).isNull();
        assertThat(fx.submit(fx.mailerB, ctx -> baseline.transfer(ctx, "r1", "b", "a", "2"))).isEqualTo("{\"from\":3,\"to\":-3}");
        assertThat(fx.auditTotals()).isEqualTo(fundsBefore);
    }

    @Test
    void transfers_of_the_same_balance_in_one_block_conflict_as_any_read_write_does() {
        final var first = fx.endorse(fx.dataCenter, ctx -> baseline.transfer(ctx, "r1", "x", "y", "1"));
        final var second = fx.endorse(fx.mailerB, ctx -> baseline.transfer(ctx, "r1", "x", "z", "1"));
        assertThat(fx.ledger.commitBlock(java.util.List.of(first.stub(), second.stub()),
                java.util.List.of(LedgerFixture.ALL_ORGS, LedgerFixture.ALL_ORGS))).containsExactly(
                org.postalfunds.chaincode.fake.FakeLedger.Validation.VALID,
                org.postalfunds.chaincode.fake.FakeLedger.Validation.MVCC_READ_CONFLICT);
    }

    @Test
    void a_transfer_with_bad_arguments_is_refused() {
        fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.mailerA, ctx -> baseline.transfer(ctx, "r1", "../a", "b", "1"));
        fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.mailerA, ctx -> baseline.transfer(ctx, "r1", "a", "b", "one"));
        fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.mailerA, ctx -> baseline.transfer(ctx, "r1", "a", "b", null));
    }
}
