package org.postalfunds.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.hyperledger.fabric.client.identity.X509Identity;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.model.MeterKind;
import org.postalfunds.api.model.MeterStatus;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.model.InspectionPeriodsChange;
import org.postalfunds.client.model.MeterChange;
import org.postalfunds.client.model.Postage;
import org.postalfunds.client.model.PrintedPostage;
import org.postalfunds.hsm.MeterSubject;
import org.postalfunds.hsm.enrol.MeterEnrolment;
import org.postalfunds.hsm.enrol.OrgCertificateAuthority;

/** The data center's side: registration (with the enrolment path), refills, inspections, the meter lifecycle. */
class DataCenterClientTest {
    private final Consortium consortium = new Consortium();

    @Test
    void an_enrolled_meter_registers_with_its_issued_certificate_and_then_signs_through_the_bridge() throws Exception {
        // The CA issues certificates valid from now; the contract checks them at the transaction time.
        consortium.clock().set(java.time.Instant.now());
        SoftwarePsd bridge = new SoftwarePsd();
        OrgCertificateAuthority mailerCa = OrgCertificateAuthority.create("Mailer A");
        MeterEnrolment enrolment = new MeterEnrolment(bridge, mailerCa, Consortium.MAILER_A);

        DataCenterClient.EnrolledRegistration registered = consortium.dataCenter.enrolAndRegister(RequestId.random(),
                enrolment, MeterSubject.client("meter-A1", "Mailer A"), Consortium.MAILER_A, MeterKind.POSTAL_METER,
                "PM-2000", Consortium.LIMITS);
        consortium.dataCenter.refill(RequestId.random(), "meter-A1", 1_000);
        X509Identity identity = registered.enrolled().identity();
        MeterClient meter = MeterClient.builder()
                .ledger(consortium.network.connect(identity.getMspId(), identity.getCertificate(), bridge.signer("meter-A1")))
                .meterId("meter-A1").psdSigner(bridge.signer("meter-A1")).clock(consortium.clock()).build();
        PrintedPostage printed = meter.printPostage(RequestId.random(), new Postage(70, "75001", "FR", "LETTER-STD"));

        assertThat(registered.enrolled().certificate().getIssuerX500Principal())
                .isEqualTo(mailerCa.certificate().getSubjectX500Principal());
        assertThat(registered.registration().meter().ownerMsp()).isEqualTo(Consortium.MAILER_A);
        assertThat(registered.registration().meter().status()).isEqualTo(MeterStatus.ACTIVE);
        assertThat(bridge.publicKey("meter-A1").enrolled()).isTrue();
        assertThat(printed.record().indicium().signedBy(bridge.publicKey("meter-A1").publicKey())).isTrue();
        assertThat(bridge.stats().count("SignDigest", "OK")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void a_suspended_meter_cannot_print_until_it_is_resumed() throws LedgerException, Exception {
        MeterClient meter = consortium.fundedMeter("meter-A1", Consortium.MAILER_A, 1_000);
        Postage letter = new Postage(85, "10115", "DE", "LETTER-STD");

        MeterChange suspended = consortium.dataCenter.suspend(RequestId.random(), "meter-A1", "tamper seal broken");
        LedgerException refused = catchThrowableOfType(LedgerException.class,
                () -> meter.printPostage(RequestId.random(), letter));
        MeterChange resumed = consortium.dataCenter.resume(RequestId.random(), "meter-A1");

        assertThat(suspended.previousStatus()).isEqualTo(MeterStatus.ACTIVE);
        assertThat(suspended.meter().status()).isEqualTo(MeterStatus.SUSPENDED);
        assertThat(suspended.meter().statusReason()).isEqualTo("tamper seal broken");
        assertThat(refused.errorCode()).hasValue(ErrorCode.METER_SUSPENDED);
        assertThat(resumed.meter().status()).isEqualTo(MeterStatus.ACTIVE);
        assertThat(meter.printPostage(RequestId.random(), letter).registers().pieceCount()).isEqualTo(1);
    }

    @Test
    void a_failed_psd_is_revoked_and_replaced_and_the_replacement_resumes_with_the_same_request_id() throws Exception {
        MeterClient failed = consortium.fundedMeter("meter-A1", Consortium.MAILER_A, 2_000);
        MeterClient peer = consortium.fundedMeter("meter-B1", Consortium.MAILER_B, 1_000);
        consortium.registerMeter("meter-A9", Consortium.MAILER_A);
        String offered = peer.offer(RequestId.random(), "meter-A1", 300,
                consortium.clock().instant().plusSeconds(3_600)).transfer().transferId();

        MeterChange reported = consortium.dataCenter.reportPsdFailure(RequestId.random(), "meter-A1", "stolen");
        LedgerException revoked = catchThrowableOfType(LedgerException.class, () -> failed.balance());
        RequestId replacement = RequestId.of("replace-meter-A1");
        java.util.List<org.postalfunds.client.model.ReplacementStep> steps =
                consortium.dataCenter.replacePsd(replacement, "meter-A1", "meter-A9", 5);
        java.util.List<org.postalfunds.client.model.ReplacementStep> again =
                consortium.dataCenter.replacePsd(replacement, "meter-A1", "meter-A9", 5);

        assertThat(reported.meter().status()).isEqualTo(MeterStatus.FAILED);
        assertThat(reported.meter().keyRevoked()).isTrue();
        assertThat(revoked.errorCode()).hasValue(ErrorCode.METER_KEY_REVOKED);
        assertThat(steps).singleElement().satisfies(step -> {
            assertThat(step.complete()).isTrue();
            assertThat(step.movedTransferIds()).containsExactly(offered);
            assertThat(step.replacement().fundsMovedMinorUnits()).isEqualTo(2_000);
            assertThat(step.receipt().requestId()).isEqualTo("replace-meter-A1-s1");
        });
        // Run again (as after a crash): the step is answered from its record, nothing moves twice.
        assertThat(again.get(0).receipt().txId()).isEqualTo(steps.get(0).receipt().txId());
        assertThat(consortium.dataCenter.replacement("meter-A1").failedMeter().replacedByMeterId()).isEqualTo("meter-A9");
        assertThat(consortium.auditor.replacement("meter-A1").record().orElseThrow().state())
                .isEqualTo(org.postalfunds.api.model.ReplacementState.COMPLETE);
        assertThat(consortium.meter("meter-A9").acknowledge(RequestId.random(), offered).transfer().recipientMeterId())
                .isEqualTo("meter-A9");
        assertThat(consortium.available("meter-A9")).isEqualTo(2_300);
        assertThat(consortium.auditor.audit(org.postalfunds.client.audit.LedgerIndex.Progress.NONE).passed()).isTrue();
    }

    @Test
    void a_withdrawn_meter_hands_its_funds_back_to_the_data_center_for_good() throws LedgerException {
        consortium.fundedMeter("meter-A1", Consortium.MAILER_A, 2_500);

        MeterChange withdrawn = consortium.dataCenter.withdraw(RequestId.random(), "meter-A1");
        LedgerException refill = catchThrowableOfType(LedgerException.class,
                () -> consortium.dataCenter.refill(RequestId.random(), "meter-A1", 100));

        assertThat(withdrawn.meter().status()).isEqualTo(MeterStatus.WITHDRAWN);
        assertThat(withdrawn.registersAfter().orElseThrow().descendingRegisterMinorUnits()).isZero();
        assertThat(withdrawn.registersAfter().orElseThrow().withdrawnMinorUnits()).isEqualTo(2_500);
        assertThat(withdrawn.receipt().movements()).singleElement()
                .satisfies(m -> assertThat(m.creditAccount()).isEqualTo("ISSUED_FUNDS:meter-A1"));
        assertThat(refill.errorCode()).hasValue(ErrorCode.METER_WITHDRAWN);
    }

    @Test
    void inspection_periods_are_set_read_back_and_recorded_inspections_restart_the_clock() throws LedgerException {
        consortium.registerMeter("meter-A1", Consortium.MAILER_A);

        InspectionPeriodsChange changed = consortium.dataCenter.setInspectionPeriods(RequestId.random(), 30, 45);
        consortium.clock().advance(java.time.Duration.ofDays(40));
        MeterChange inspected = consortium.dataCenter.recordInspection(RequestId.random(), "meter-A1");

        assertThat(changed.previous().dueAfterDays()).isEqualTo(90);
        assertThat(consortium.dataCenter.inspectionPeriods().overdueAfterDays()).isEqualTo(45);
        assertThat(inspected.inspection().dueAtEpochSeconds())
                .isEqualTo(consortium.clock().instant().getEpochSecond() + 30L * 86_400);
        assertThat(consortium.dataCenter.meter("meter-A1").inspection().status().name()).isEqualTo("CURRENT");
    }

    @Test
    void registering_the_same_psd_key_for_a_second_meter_is_refused() throws LedgerException {
        consortium.registerMeter("meter-A1", Consortium.MAILER_A);

        LedgerException refused = catchThrowableOfType(LedgerException.class, () -> consortium.dataCenter.register(
                RequestId.random(), org.postalfunds.api.model.MeterRegistration.builder().meterId("meter-A2")
                        .ownerMsp(Consortium.MAILER_A).certificate(Consortium.certificate(consortium.meterKey("meter-A1")))
                        .model("PM-2000").limits(Consortium.LIMITS).build()));

        assertThat(refused.errorCode()).hasValue(ErrorCode.PUBLIC_KEY_ALREADY_REGISTERED);
    }
}
