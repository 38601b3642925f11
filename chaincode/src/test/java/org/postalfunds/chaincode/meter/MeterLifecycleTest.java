package org.postalfunds.chaincode.meter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.LedgerRefusal;
import org.postalfunds.api.model.Meter;
import org.postalfunds.api.model.MeterStatus;

class MeterLifecycleTest {

    private static Meter meterIn(final MeterStatus status) {
        return new Meter("m1", "MailerAMSP", "pem", "fp", null, "model", null, status, "audit pending", 0, 0, 0, null);
    }

    @Test
    void the_table_has_exactly_one_cell_for_every_status_and_action() {
        List<MeterStatus> statuses = new ArrayList<>(List.of(MeterStatus.values()));
        statuses.add(null);
        for (MeterStatus status : statuses) {
            for (MeterAction action : MeterAction.values()) {
                assertThat(MeterLifecycle.TABLE.stream().filter(row -> row.from() == status && row.action() == action))
                        .as(status + " x " + action).hasSize(1);
            }
        }
        assertThat(MeterLifecycle.TABLE).hasSize(statuses.size() * MeterAction.values().length);
        assertThat(MeterLifecycle.TABLE).allMatch(row -> row.allowed() == (row.to() != null));
    }

    @Test
    void withdrawn_is_final_and_only_registration_starts_a_meter() {
        assertThat(MeterLifecycle.TABLE).filteredOn(row -> row.from() == MeterStatus.WITHDRAWN)
                .noneMatch(MeterLifecycle.Row::allowed);
        assertThat(MeterLifecycle.TABLE).filteredOn(row -> row.from() == null && row.allowed())
                .extracting(MeterLifecycle.Row::action).containsExactly(MeterAction.REGISTER);
    }

    @Test
    void replaced_is_final_and_a_failed_meter_leaves_only_by_replacement_or_withdrawal() {
        assertThat(MeterLifecycle.TABLE).filteredOn(row -> row.from() == MeterStatus.REPLACED)
                .noneMatch(MeterLifecycle.Row::allowed);
        assertThat(MeterLifecycle.TABLE).filteredOn(row -> row.from() == MeterStatus.FAILED && row.allowed())
                .extracting(MeterLifecycle.Row::action).containsExactlyInAnyOrder(MeterAction.REPLACE, MeterAction.WITHDRAW);
        assertThat(MeterLifecycle.TABLE).filteredOn(row -> row.to() == MeterStatus.FAILED)
                .extracting(MeterLifecycle.Row::from).containsExactlyInAnyOrder(MeterStatus.ACTIVE, MeterStatus.SUSPENDED);
        assertThat(MeterLifecycle.TABLE).filteredOn(row -> row.from() == MeterStatus.FAILED && !row.allowed()
                && row.action() != MeterAction.REGISTER).allMatch(row -> row.refusal() == ErrorCode.METER_KEY_REVOKED);
        LedgerRefusal notFailed = catchThrowableOfType(LedgerRefusal.class,
                () -> MeterLifecycle.permit("m1", meterIn(MeterStatus.SUSPENDED), MeterAction.REPLACE));
        assertThat(notFailed.code()).isEqualTo(ErrorCode.METER_NOT_FAILED);
        assertThat(notFailed.getMessage()).contains("m1", "SUSPENDED", "reportPsdFailure");
    }

    @Test
    void a_refused_step_carries_the_table_s_code_and_says_why() {
        LedgerRefusal suspended = catchThrowableOfType(LedgerRefusal.class,
                () -> MeterLifecycle.permit("m1", meterIn(MeterStatus.SUSPENDED), MeterAction.MOVE_FUNDS));
        LedgerRefusal resumeActive = catchThrowableOfType(LedgerRefusal.class,
                () -> MeterLifecycle.permit("m1", meterIn(MeterStatus.ACTIVE), MeterAction.RESUME));
        LedgerRefusal unknown = catchThrowableOfType(LedgerRefusal.class,
                () -> MeterLifecycle.permit("m9", null, MeterAction.REFILL));

        assertThat(suspended.code()).isEqualTo(ErrorCode.METER_SUSPENDED);
        assertThat(suspended.getMessage()).contains("suspended: audit pending");
        assertThat(resumeActive.code()).isEqualTo(ErrorCode.ILLEGAL_TRANSITION);
        assertThat(resumeActive.getMessage()).contains("allowed: REFILL, SUSPEND, RECORD_INSPECTION, WITHDRAW, MOVE_FUNDS");
        assertThat(unknown.code()).isEqualTo(ErrorCode.UNKNOWN_METER);
        assertThat(MeterLifecycle.permit("m1", meterIn(MeterStatus.SUSPENDED), MeterAction.WITHDRAW))
                .isEqualTo(MeterStatus.WITHDRAWN);
    }
}
