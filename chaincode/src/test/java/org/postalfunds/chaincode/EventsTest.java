package org.postalfunds.chaincode;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.postalfunds.chaincode.access.Organisations;
import org.postalfunds.chaincode.fake.FakeLedger;

/** Exactly one event per committed submit, named for the state change, carrying the result JSON. */
class EventsTest {
    private final LedgerFixture fx = new LedgerFixture();

    @Test
    void each_state_change_emits_one_event_whose_payload_is_the_result() {
        fx.registerMeter("m1", Organisations.MAILER_A);
        fx.registerMeter("m2", Organisations.MAILER_B);
        final int before = fx.ledger.events().size();
        final String refill = fx.submit(fx.dataCenter, ctx -> fx.contract.refillMeter(ctx, "e1", "m1", "900"));
        final String print = fx.print("m1", 100);
        fx.authorise("m1", "m2");
        final String transferId = fx.request("m2", "m1", 200);
        fx.grant(transferId, "m1");
        fx.accept(transferId, "m2");
        final String suspend = fx.submit(fx.dataCenter, ctx -> fx.contract.suspendMeter(ctx, "e2", "m2", "audit"));

        final List<FakeLedger.Event> events = fx.ledger.events().subList(before, fx.ledger.events().size());
        assertThat(events).extracting(FakeLedger.Event::name).containsExactly("Refilled", "PostagePrinted",
                "RequesterAuthorised", "TransferRequested", "TransferGranted", "TransferAccepted",
                "MeterStatusChanged");
        assertThat(new String(events.get(0).payload(), UTF_8)).isEqualTo(refill);
        assertThat(new String(events.get(1).payload(), UTF_8)).isEqualTo(print);
        assertThat(new String(events.get(6).payload(), UTF_8)).isEqualTo(suspend);
    }

    @Test
    void results_are_byte_identical_when_two_peers_run_the_same_transaction() {
        fx.registerMeter("m1", Organisations.MAILER_A);
        fx.refill("m1", 500);
        final var first = fx.endorse(fx.dataCenter, ctx -> fx.contract.refillMeter(ctx, "same", "m1", "7"));
        final var second = fx.ledger.newTransaction(first.stub().getTxId(), fx.now(), fx.dataCenter.creator());
        final String again = fx.contract.refillMeter(new org.hyperledger.fabric.contract.Context(second), "same",
                "m1", "7");
        assertThat(again).isEqualTo(first.result());
        assertThat(second.writes().keySet()).containsExactlyElementsOf(first.stub().writes().keySet());
        first.stub().writes().forEach((key, value) -> assertThat(second.writes().get(key)).isEqualTo(value));
        assertThat(second.putOrder()).isEqualTo(first.stub().putOrder());
    }
}
