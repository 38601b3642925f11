package org.postalfunds.chaincode;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.postalfunds.chaincode.access.Organisations;

/** Claim 8: funds received by one meter move on to a third meter, with nothing special in between. */
class ChainedTransferTest {
    private final LedgerFixture fx = new LedgerFixture();

    @Test
    void funds_move_from_a_to_b_to_c_by_pull_and_push_and_the_ledger_stays_balanced() {
        fx.registerMeter("a", Organisations.MAILER_A);
        fx.registerMeter("b", Organisations.MAILER_B);
        fx.registerMeter("c", Organisations.MAILER_A);
        fx.refill("a", 1_000);
        fx.authorise("a", "b");
        fx.authorise("b", "c");

        final String aToB = fx.request("b", "a", 600);
        fx.grant(aToB, "a");
        fx.accept(aToB, "b");
        final String bToC = fx.request("c", "b", 450);
        fx.grant(bToC, "b");
        fx.accept(bToC, "c");
        final String cBackToA = fx.offer("c", "a", 50);
        fx.submit(fx.meter("a"), ctx -> fx.contract.acknowledgeTransfer(ctx, "k1", cBackToA));

        assertThat(fx.available("a")).isEqualTo(450);
        assertThat(fx.available("b")).isEqualTo(150);
        assertThat(fx.available("c")).isEqualTo(400);
        assertThat(fx.meterView("b").at("/registers/transferredInMinorUnits").asLong()).isEqualTo(600);
        assertThat(fx.meterView("b").at("/registers/transferredOutMinorUnits").asLong()).isEqualTo(450);
        final var totals = fx.auditTotals();
        assertThat(totals.at("/totalsMinorUnits/METER").asLong()).isEqualTo(1_000);
        assertThat(totals.at("/totalsMinorUnits/ISSUED_FUNDS").asLong()).isEqualTo(-1_000);
        assertThat(totals.at("/proof/balanced").asBoolean()).isTrue();
    }
}
