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
import org.postalfunds.chaincode.support.TransitionTable;

class MeterLifecycleTest {
    private static final List<TransitionTable.Cell<MeterStatus, MeterAction>> CELLS = MeterLifecycle.TABLE.cells();

    private static Meter meterIn(final MeterStatus status) {
        return new Meter("m1", "MailerAMSP", "pem", "fp", null, "model", null, status, "audit pending", 0, 0, 0, null);
    }

    @Test
    void the_table_has_exactly_one_cell_for_every_status_and_action() {
        List<MeterStatus> statuses = new ArrayList<>(List.of(MeterStatus.values()));
        statuses.add(null);
        for (MeterStatus status : statuses) {
            for (MeterAction action : MeterAction.values()) {
                assertThat(CELLS.stream().filter(row -> row.from() == status && row.action() == action))
                        .as(status + " x " + action).hasSize(1);
            }
        }
        assertThat(CELLS).hasSize(statuses.size() * MeterAction.values().length);
        assertThat(CELLS).allMatch(row -> row.allowed() == (row.to() != null));
    }

    @Test
    void withdrawn_is_final_and_only_registration_starts_a_meter() {
        assertThat(CELLS).filteredOn(row -> row.from() == MeterStatus.WITHDRAWN)
                .noneMatch(TransitionTable.Cell::allowed);
        assertThat(CELLS).filteredOn(row -> row.from() == null && row.allowed())
                .extracting(TransitionTable.Cell::action).containsExactly(MeterAction.REGISTER);
    }

    @Test
    void replaced_is_final_and_a_failed_meter_leaves_only_by_replacement_or_withdrawal() {
        assertThat(CELLS).filteredOn(row -> row.from() == MeterStatus.REPLACED)
                .noneMatch(TransitionTable.Cell::allowed);
        assertThat(CELLS).filteredOn(row -> row.from() == MeterStatus.FAILED && row.allowed())
                .extracting(TransitionTable.Cell::action)
                .containsExactlyInAnyOrder(MeterAction.REPLACE, MeterAction.WITHDRAW);
        assertThat(CELLS).filteredOn(row -> row.to() == MeterStatus.FAILED)
                .extracting(TransitionTable.Cell::from)
                .containsExactlyInAnyOrder(MeterStatus.ACTIVE, MeterStatus.SUSPENDED);
        assertThat(CELLS).filteredOn(row -> row.from() == MeterStatus.FAILED && !row.allowed()
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

    /** The words of every refusal, letter for letter: clients and operators read them, tests elsewhere match them. */
    @Test
    void every_refusal_keeps_its_message() {
        final Meter failed = meterIn(MeterStatus.ACTIVE).withKeyRevoked(MeterStatus.FAILED, "stolen", 1_700_000_000L);
        final Meter replaced = failed.withReplacedBy("m2").withStatus(MeterStatus.REPLACED, "replaced", 1_700_000_100L);

        assertThat(messageOf("m9", null, MeterAction.REFILL)).isEqualTo("UNKNOWN_METER: no meter m9 is registered");
        assertThat(messageOf("m1", meterIn(MeterStatus.ACTIVE), MeterAction.REGISTER))
                .isEqualTo("METER_ALREADY_REGISTERED: meter m1 is registered");
        assertThat(messageOf("m1", meterIn(MeterStatus.WITHDRAWN), MeterAction.SUSPEND))
                .isEqualTo("METER_WITHDRAWN: meter m1 is withdrawn");
        assertThat(messageOf("m1", meterIn(MeterStatus.SUSPENDED), MeterAction.REFILL))
                .isEqualTo("METER_SUSPENDED: meter m1 is suspended: audit pending");
        assertThat(messageOf("m1", failed, MeterAction.MOVE_FUNDS)).isEqualTo("METER_KEY_REVOKED: meter m1's PSD key"
                + " was revoked at 1700000000 (stolen): move funds is not possible");
        assertThat(messageOf("m1", failed.withReplacedBy("m2"), MeterAction.RECORD_INSPECTION))
                .isEqualTo("METER_KEY_REVOKED: meter m1's PSD key was revoked at 1700000000 (stolen): record inspection"
                        + " is not possible; its replacement is meter m2");
        assertThat(messageOf("m1", replaced, MeterAction.WITHDRAW))
                .isEqualTo("METER_REPLACED: meter m1 was replaced by meter m2");
        assertThat(messageOf("m1", meterIn(MeterStatus.ACTIVE), MeterAction.REPLACE)).isEqualTo("METER_NOT_FAILED:"
                + " meter m1 is ACTIVE: only a meter reported failed (reportPsdFailure, key revoked) is replaced");
        assertThat(messageOf("m1", meterIn(MeterStatus.ACTIVE), MeterAction.RESUME)).isEqualTo("ILLEGAL_TRANSITION:"
                + " meter m1 is ACTIVE: resume is not possible (allowed: REFILL, SUSPEND, RECORD_INSPECTION, WITHDRAW,"
                + " MOVE_FUNDS, REPORT_FAILURE)");
        assertThat(messageOf("m1", meterIn(MeterStatus.SUSPENDED), MeterAction.SUSPEND)).isEqualTo("ILLEGAL_TRANSITION:"
                + " meter m1 is SUSPENDED: suspend is not possible (allowed: RESUME, RECORD_INSPECTION, WITHDRAW,"
                + " REPORT_FAILURE)");
    }

    private static String messageOf(final String meterId, final Meter meter, final MeterAction action) {
        return catchThrowableOfType(LedgerRefusal.class, () -> MeterLifecycle.permit(meterId, meter, action))
                .getMessage();
    }
}
