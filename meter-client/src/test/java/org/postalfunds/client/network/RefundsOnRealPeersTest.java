package org.postalfunds.client.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.model.Indicium;
import org.postalfunds.api.model.IndiciumVerdict;
import org.postalfunds.api.model.Movement;
import org.postalfunds.api.model.PsdRegisters;
import org.postalfunds.api.model.RefundState;
import org.postalfunds.client.AuditorClient;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.audit.AuditReport;
import org.postalfunds.client.audit.ChainReport;
import org.postalfunds.client.audit.IndiciumCheck;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.model.Postage;
import org.postalfunds.client.model.RefundChange;
import org.postalfunds.testnetwork.ClientIdentities.ClientIdentity;
import org.postalfunds.testnetwork.NetworkDescription;
import org.postalfunds.testnetwork.PostalNetwork;

/**
 * Refunds of spoiled pieces on real Fabric peers: a MailerA meter prints three pieces through its own peer; the
 * postal authority, through its own, approves one refund (postage revenue back to the meter, endorsed by the data
 * center and the owner under the meter account's key-level policy), refuses nothing it should not and rejects
 * another; a scan of the refunded piece is flagged REFUNDED; a refund of a piece already scanned is refused with its
 * code; a retry of a request returns the first answer. Then the conservation audit and the chain verification pass.
 */
@PostalNetwork
class RefundsOnRealPeersTest {
    private static RealPeers peers;

    @BeforeAll
    static void start(final NetworkDescription network) {
        peers = new RealPeers(network);
    }

    @AfterAll
    static void close() {
        if (peers != null) {
            peers.close();
        }
    }

    @Test
    void a_spoiled_piece_is_refunded_once_and_a_scan_of_it_is_flagged_refunded() throws Exception {
        final ClientIdentity identity = peers.registeredMeter("MailerA", "refund", 10_000);
        final MeterClient meter = peers.meter("MailerA", identity);
        final String meterId = meter.meterId();
        final Indicium spoiled = print(meter, 85);
        final Indicium mailed = print(meter, 60);
        final Indicium notSpoiled = print(meter, 40);
        final AuditorClient postalAuthority = peers.auditor();

        // The meter asks; a retry with the same request id (a client that lost the answer) gets the same answer.
        final RequestId ask = RequestId.random();
        final RefundChange requested = meter.requestRefund(ask, 1, 85, "envelope jammed in the printer");
        assertThat(requested.refund().state()).isEqualTo(RefundState.REQUESTED);
        assertThat(requested.refund().creditMeterId()).isEqualTo(meterId);
        final RefundChange retried = meter.requestRefund(ask, 1, 85, "envelope jammed in the printer");
        assertThat(retried.receipt().txId()).isEqualTo(requested.receipt().txId());
        assertThat(meter.balance().registers().availableMinorUnits()).isEqualTo(10_000 - 185);

        // The postal authority approves: POSTAGE_REVENUE -> METER, the balance is back, the ascending register stays.
        final RefundChange approved = postalAuthority.approveRefund(RequestId.random(), meterId, 1);
        assertThat(approved.refund().state()).isEqualTo(RefundState.APPROVED);
        assertThat(approved.receipt().movements()).containsExactly(
                new Movement("POSTAGE_REVENUE:" + meterId, "METER:" + meterId, 85));
        final PsdRegisters registers = meter.balance().registers();
        assertThat(registers.availableMinorUnits()).isEqualTo(10_000 - 100);
        assertThat(registers.ascendingRegisterMinorUnits()).isEqualTo(185);
        assertThat(registers.refundedMinorUnits()).isEqualTo(85);
        assertThat(registers.postageRevenueMinorUnits()).isEqualTo(100);
        assertThat(registers.controlSumHolds()).isTrue();

        // The refunded piece turns up on mail anyway: every verifier flags it, and the sighting is recorded.
        final IndiciumCheck scanned = postalAuthority.scanIndicium(RequestId.random(), spoiled);
        assertThat(scanned.verdict()).isEqualTo(IndiciumVerdict.REFUNDED);
        assertThat(scanned.accepted()).isFalse();
        assertThat(scanned.ledger().scanCount()).isEqualTo(1);
        assertThat(postalAuthority.verifyIndicium(spoiled).verdict()).isEqualTo(IndiciumVerdict.REFUNDED);

        // A piece seen at a mail centre was mailed, not spoiled; a piece is refunded once.
        assertThat(postalAuthority.scanIndicium(RequestId.random(), mailed).verdict()).isEqualTo(IndiciumVerdict.GENUINE);
        assertRefused(ErrorCode.INDICIUM_ALREADY_SCANNED, () -> meter.requestRefund(RequestId.random(), 2, 60, "smudged"));
        assertRefused(ErrorCode.REFUND_ALREADY_REQUESTED,
                () -> meter.requestRefund(RequestId.random(), 1, 85, "envelope jammed in the printer"));

        // Rejected: nothing moves, and the piece stays genuine.
        meter.requestRefund(RequestId.random(), 3, 40, "wrong date printed");
        final RefundChange rejected = postalAuthority.rejectRefund(RequestId.random(), meterId, 3, "the date is right");
        assertThat(rejected.refund().state()).isEqualTo(RefundState.REJECTED);
        assertThat(rejected.receipt().movements()).isEmpty();
        assertThat(meter.balance().registers().availableMinorUnits()).isEqualTo(10_000 - 100);
        assertThat(postalAuthority.verifyIndicium(notSpoiled).verdict()).isEqualTo(IndiciumVerdict.GENUINE);
        assertThat(meter.refunds(null, 10, "").refunds()).extracting(refund -> refund.state())
                .containsExactly(RefundState.APPROVED, RefundState.REJECTED);

        final AuditReport audit = peers.auditPasses();
        assertThat(audit.totals().refundedMinorUnits()).isEqualTo(audit.totals().refundsCreditedMinorUnits())
                .isGreaterThanOrEqualTo(85);
        final ChainReport chain = postalAuthority.verifyChain(peers.network.chaincodeName(), Set.of("DataCenterMSP"),
                progress -> { });
        assertThat(chain.passed()).as("chain verification: %s", chain.checks()).isTrue();
    }

    private static Indicium print(final MeterClient meter, final long amount) throws Exception {
        return meter.printPostage(RequestId.random(), new Postage(amount, "10115", "DE", "LETTER-STD")).record().indicium();
    }

    private static void assertRefused(final ErrorCode code, final Call call) {
        final LedgerException refused = catchThrowableOfType(LedgerException.class, call::run);
        assertThat(refused).as("refused with " + code).isNotNull();
        assertThat(refused.errorCode()).as(refused.getMessage()).hasValue(code);
    }

    @FunctionalInterface
    private interface Call {
        void run() throws Exception;
    }
}
