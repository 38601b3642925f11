package org.postalfunds.api.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class TransferStateTest {

    @Test
    void every_state_is_open_or_settled_and_only_open_ones_hold_escrow() {
        for (TransferState state : TransferState.values()) {
            assertThat(state.isOpen()).as(state.name()).isNotEqualTo(state.isSettled());
            if (state.holdsEscrow()) {
                assertThat(state.isOpen()).as(state.name()).isTrue();
            }
        }
        assertThat(TransferState.OPEN).containsExactlyInAnyOrder(TransferState.REQUESTED, TransferState.GRANTED,
                TransferState.OFFERED);
        assertThat(TransferState.HOLDING_ESCROW).containsExactlyInAnyOrder(TransferState.GRANTED, TransferState.OFFERED);
        assertThat(EnumSet.copyOf(TransferState.SETTLED)).isEqualTo(EnumSet.of(TransferState.DENIED,
                TransferState.ACCEPTED, TransferState.CANCELLED, TransferState.ACKNOWLEDGED, TransferState.REJECTED,
                TransferState.EXPIRED));
        assertThat(TransferState.GRANTED.eventName()).isEqualTo("TransferGranted");
    }

    @Test
    void registers_report_a_broken_control_sum_instead_of_refusing_to_exist() {
        PsdRegisters broken = new PsdRegisters("m1", 100, 0, 0, 50, 0, 0, 0, 0, 0);
        assertThat(broken.controlSumHolds()).isFalse();
        assertThat(PsdRegisters.empty("m1").refill(100).print(30).controlSumHolds()).isTrue();
        assertThat(new Allotment("d1", "r1", 5, 5, 0, 0, 0).controlSumHolds()).isTrue();
        assertThat(new Allotment("d1", "r1", -1, 0, 0, 0, 0).controlSumHolds()).isFalse();
    }
}
