package org.postalfunds.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.model.MeterView;
import org.postalfunds.chaincode.fake.FakeLedger;
import org.postalfunds.chaincode.fake.FakeStub;
import org.postalfunds.chaincode.state.Keys;
import org.postalfunds.client.audit.AuditCheck;
import org.postalfunds.client.audit.AuditReport;
import org.postalfunds.client.audit.LedgerIndex;
import org.postalfunds.client.ledger.InProcessNetwork;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.model.Postage;

/** The auditor's view: every meter's balance from the event log, and the conservation check re-derived. */
class AuditTest {
    private final Consortium consortium = new Consortium();
    private MeterClient a1;
    private MeterClient b1;
    private MeterClient c1;

    private Instant inHours(final long hours) {
        return consortium.clock().instant().plus(Duration.ofHours(hours));
    }

    /** A busy ledger: refills, a print, a pull, a push, an allotment with a grant, and an open escrow. */
    @BeforeEach
    void aBusyLedger() throws Exception {
        a1 = consortium.fundedMeter("meter-A1", Consortium.MAILER_A, 5_000);
        b1 = consortium.fundedMeter("meter-B1", Consortium.MAILER_B, 20_000);
        c1 = consortium.registerMeter("meter-C1", Consortium.MAILER_A);
        a1.printPostage(RequestId.random(), new Postage(85, "10115", "DE", "LETTER-STD"));
        b1.authoriseRequester(RequestId.random(), "meter-A1");
        b1.authoriseRequester(RequestId.random(), "meter-C1");
        String pull = a1.request(RequestId.random(), "meter-B1", 1_000, inHours(1)).transferId();
        b1.grant(RequestId.random(), pull, inHours(2));
        a1.accept(RequestId.random(), pull);
        c1.acknowledge(RequestId.random(), b1.offer(RequestId.random(), "meter-C1", 700, inHours(1)).transferId());
        b1.fundAllotment(RequestId.random(), "meter-C1", 3_000);
        String fromAllotment = c1.request(RequestId.random(), "meter-B1", 400, inHours(1)).transferId();
        b1.grant(RequestId.random(), fromAllotment, inHours(5));
    }

    @Test
    void the_largest_meters_the_ledger_allows_refilled_to_the_top_still_audit_and_list() throws Exception {
        // The new user's case was a maximum balance of 92233720368547758.07: refused now, so no sum can overflow.
        org.postalfunds.chaincode.fake.TestIdentity key =
                org.postalfunds.chaincode.fake.TestIdentity.p256(Consortium.MAILER_A, "meter-MAX");
        LedgerException refused = catchThrowableOfType(LedgerException.class, () -> consortium.dataCenter.register(
                RequestId.random(), org.postalfunds.api.model.MeterRegistration.builder().meterId("meter-MAX")
                        .ownerMsp(Consortium.MAILER_A).certificate(Consortium.certificate(key)).kind(
                                org.postalfunds.api.model.MeterKind.POSTAL_METER).model("PM-2000")
                        .limits(new org.postalfunds.api.model.MeterLimits(Long.MAX_VALUE, 10, 10)).build()));
        assertThat(refused.errorCode()).contains(ErrorCode.LIMIT_EXCEEDED);

        long top = org.postalfunds.api.Limits.MAX_METER_BALANCE_MINOR_UNITS;
        for (String meterId : List.of("meter-BIG1", "meter-BIG2")) {
            org.postalfunds.chaincode.fake.TestIdentity big =
                    org.postalfunds.chaincode.fake.TestIdentity.p256(Consortium.MAILER_B, meterId);
            consortium.dataCenter.register(RequestId.random(), org.postalfunds.api.model.MeterRegistration.builder()
                    .meterId(meterId).ownerMsp(Consortium.MAILER_B).certificate(Consortium.certificate(big))
                    .kind(org.postalfunds.api.model.MeterKind.POSTAL_METER).model("PM-2000")
                    .limits(new org.postalfunds.api.model.MeterLimits(top, 10, 10)).build());
            consortium.dataCenter.refill(RequestId.random(), meterId, top);
        }
        AuditReport report = consortium.auditor.audit(LedgerIndex.Progress.NONE);
        assertThat(report.passed()).as(report.toString()).isTrue();
        assertThat(consortium.auditor.balances(LedgerIndex.Progress.NONE).stream()
                .mapToLong(view -> view.registers().descendingRegisterMinorUnits()).sum())
                .isEqualTo(2 * top + 5_915L + 15_300L + 700L);
    }

    @Test
    void balances_list_every_registered_meter_with_its_registers() throws Exception {
        List<MeterView> balances = consortium.auditor.balances(LedgerIndex.Progress.NONE);

        assertThat(balances).extracting(view -> view.meter().meterId()).containsExactly("meter-A1", "meter-B1", "meter-C1");
        assertThat(balances).extracting(view -> view.registers().descendingRegisterMinorUnits())
                .containsExactly(5_915L, 15_300L, 700L);
        assertThat(balances).allSatisfy(view -> assertThat(view.registers().controlSumHolds()).isTrue());
    }

    @Test
    void the_audit_of_a_busy_ledger_passes_every_check() throws Exception {
        AuditReport report = consortium.auditor.audit(LedgerIndex.Progress.NONE);

        assertThat(report.checks()).allSatisfy(check -> assertThat(check.passed()).as(check.name() + ": " + check.findings()).isTrue());
        assertThat(report.passed()).isTrue();
        assertThat(report.metersChecked()).isEqualTo(3);
        assertThat(report.allotmentsChecked()).isEqualTo(1);
        assertThat(report.transfersChecked()).isEqualTo(1);
        assertThat(report.totals().total("ESCROW")).isEqualTo(400);
        assertThat(report.totals().total("ALLOTMENT")).isEqualTo(2_600);
        assertThat(report.eventsReplayed()).isEqualTo(consortium.network.events().size());
    }

    @Test
    void an_escrow_left_open_past_its_deadline_fails_the_audit_until_someone_expires_it() throws Exception {
        consortium.clock().advance(Duration.ofHours(6));

        AuditReport overdue = consortium.auditor.audit(LedgerIndex.Progress.NONE);
        String transferId = c1.transfers(org.postalfunds.api.model.TransferState.GRANTED, 10).get(0).transferId();
        c1.expire(RequestId.random(), transferId);
        AuditReport afterExpiry = consortium.auditor.audit(LedgerIndex.Progress.NONE);

        assertThat(overdue.passed()).isFalse();
        assertThat(overdue.checks()).filteredOn(check -> !check.passed()).extracting(AuditCheck::name)
                .containsExactly("no escrow open past its deadline");
        assertThat(overdue.checks().get(overdue.checks().size() - 1).findings()).singleElement()
                .asString().contains(transferId).contains("postal meter expire " + transferId);
        assertThat(afterExpiry.passed()).isTrue();
    }

    @Test
    void money_created_outside_the_contract_is_caught_by_the_zero_sum_check() throws Exception {
        // Someone with write access to the state database adds 1.00 to a meter, keeping its control sum intact.
        FakeLedger ledger = consortium.network.fakeLedger();
        String key = Keys.meterAccount("meter-A1");
        ObjectNode registers = (ObjectNode) new ObjectMapper().readTree(ledger.value(key).orElseThrow());
        registers.put("descendingRegisterMinorUnits", registers.get("descendingRegisterMinorUnits").asLong() + 100);
        registers.put("transferredInMinorUnits", registers.get("transferredInMinorUnits").asLong() + 100);
        FakeStub forged = ledger.newTransaction("f".repeat(64), consortium.clock().instant(),
                consortium.auditorIdentity.creator());
        forged.putState(key, registers.toString().getBytes(StandardCharsets.UTF_8));
        assertThat(ledger.commit(forged, InProcessNetwork.ALL_ORGS)).isEqualTo(FakeLedger.Validation.VALID);

        AuditReport report = consortium.auditor.audit(LedgerIndex.Progress.NONE);

        assertThat(report.passed()).isFalse();
        assertThat(report.checks()).filteredOn(check -> !check.passed()).extracting(AuditCheck::name)
                .contains("all accounts sum to zero");
        assertThat(report.checks().get(0).findings()).anySatisfy(finding -> assertThat(finding).contains("sum to 100"));
    }

    @Test
    void a_meter_whose_stored_registers_break_their_control_sum_stops_the_audit_with_the_contracts_code() throws Exception {
        FakeLedger ledger = consortium.network.fakeLedger();
        String key = Keys.meterAccount("meter-B1");
        ObjectNode registers = (ObjectNode) new ObjectMapper().readTree(ledger.value(key).orElseThrow());
        registers.put("descendingRegisterMinorUnits", registers.get("descendingRegisterMinorUnits").asLong() + 1);
        FakeStub forged = ledger.newTransaction("e".repeat(64), consortium.clock().instant(),
                consortium.auditorIdentity.creator());
        forged.putState(key, registers.toString().getBytes(StandardCharsets.UTF_8));
        ledger.commit(forged, InProcessNetwork.ALL_ORGS);

        LedgerException refused = catchThrowableOfType(LedgerException.class,
                () -> consortium.auditor.audit(LedgerIndex.Progress.NONE));

        assertThat(refused.errorCode()).hasValue(ErrorCode.INVARIANT_VIOLATED);
    }

    @Test
    void the_auditor_reads_any_accounts_history_newest_first() throws Exception {
        var history = consortium.auditor.history("METER:meter-A1", 100);

        assertThat(history.accountId()).isEqualTo("METER:meter-A1");
        // Registered, refilled, printed: the accepted 1,000 waits on the meter's inflow key until a debit of it
        // needs it (README, "Hot keys"), so the registers' newest version holds 4,915 and the meter's balance 5,915.
        assertThat(history.history()).hasSizeGreaterThanOrEqualTo(3);
        assertThat(history.history().get(0).value().get("descendingRegisterMinorUnits").asLong()).isEqualTo(4_915);
        assertThat(consortium.auditor.meter("meter-A1").registers().descendingRegisterMinorUnits()).isEqualTo(5_915);
        assertThat(history.history().get(history.history().size() - 1).value().get("descendingRegisterMinorUnits").asLong())
                .isZero();
    }
}
