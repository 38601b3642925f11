package org.postalfunds.chaincode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postalfunds.chaincode.LedgerFixture.json;
import static org.postalfunds.chaincode.LedgerFixture.registration;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.model.MeterKind;
import org.postalfunds.chaincode.access.Organisations;
import org.postalfunds.chaincode.fake.FakeLedger;
import org.postalfunds.chaincode.fake.TestIdentity;

class MeterRegistryTest {
    private final LedgerFixture fx = new LedgerFixture();

    private String registrationOf(final String meterId, final TestIdentity meter) {
        return registration(meterId, meter.mspId(), meter.certificatePem(), MeterKind.POSTAL_METER, 1000, 100, 500);
    }

    private static String withKeyAgreement(final String registration, final String keyAgreementPem) {
        final com.fasterxml.jackson.databind.node.ObjectNode node = (com.fasterxml.jackson.databind.node.ObjectNode) json(registration);
        node.put("keyAgreementCertificatePem", keyAgreementPem);
        return node.toString();
    }

    @Nested
    class RegisterMeter {
        @Test
        void data_center_registers_a_meter_with_empty_registers_and_owner_endorsement_on_its_account() {
            final TestIdentity meter = TestIdentity.p256(Organisations.MAILER_A, "m1");
            final JsonNode result = json(fx.submit(fx.dataCenter,
                    ctx -> fx.contract.registerMeter(ctx, "r1", registrationOf("m1", meter))));

            assertThat(result.at("/event").asText()).isEqualTo("MeterRegistered");
            assertThat(result.at("/meter/status").asText()).isEqualTo("ACTIVE");
            assertThat(result.at("/meter/ownerMsp").asText()).isEqualTo("MailerAMSP");
            assertThat(result.at("/registers/descendingRegisterMinorUnits").asLong()).isZero();
            assertThat(fx.lastWrittenKeys()).containsExactly("~account~INFLOW~m1~",
                    "~account~METER~m1~", "~meter-key~" + result.at("/meter/publicKeyFingerprint").asText() + "~",
                    "~meter~m1~", "~request~DataCenterMSP~r1~");
            final String accountKey = org.postalfunds.chaincode.state.Keys.meterAccount("m1");
            assertThat(FakeLedger.orgsOf(fx.ledger.validationParameter(accountKey)))
                    .containsExactlyInAnyOrder("DataCenterMSP", "MailerAMSP");
            assertThat(FakeLedger.orgsOf(fx.ledger.validationParameter(
                    org.postalfunds.chaincode.state.Keys.meterInflow("m1"))))
                    .containsExactlyInAnyOrder("DataCenterMSP", "MailerAMSP");
            assertThat(fx.lastStub().eventName()).isEqualTo("MeterRegistered");
        }

        @Test
        void a_key_agreement_certificate_issued_by_the_meters_key_is_stored_and_published_with_its_certificate() {
            final TestIdentity meter = TestIdentity.p256(Organisations.MAILER_A, "m1");
            final String agreement = meter.keyAgreementCertificatePem("m1");
            fx.submit(fx.dataCenter, ctx -> fx.contract.registerMeter(ctx, "r1",
                    withKeyAgreement(registrationOf("m1", meter), agreement)));

            final JsonNode published = json(fx.evaluate(fx.mailerB,
                    ctx -> fx.information.getMeterCertificate(ctx, "m1")));
            assertThat(published.path("keyAgreementCertificatePem").asText()).isEqualTo(agreement);
            assertThat(published.path("certificatePem").asText()).isEqualTo(meter.certificatePem());
        }

        @Test
        void a_key_agreement_certificate_not_issued_by_the_meters_key_or_for_another_meter_is_refused() {
            final TestIdentity meter = TestIdentity.p256(Organisations.MAILER_A, "m1");
            final TestIdentity stranger = TestIdentity.p256(Organisations.MAILER_A, "stranger");
            fx.rejectsWith(ErrorCode.INVALID_CERTIFICATE, fx.dataCenter, ctx -> fx.contract.registerMeter(ctx, "r1",
                    withKeyAgreement(registrationOf("m1", meter), stranger.keyAgreementCertificatePem("m1"))));
            fx.rejectsWith(ErrorCode.INVALID_CERTIFICATE, fx.dataCenter, ctx -> fx.contract.registerMeter(ctx, "r2",
                    withKeyAgreement(registrationOf("m1", meter), meter.keyAgreementCertificatePem("m2"))));
            // The meter's own certificate is a signing certificate, not a key-agreement one.
            fx.rejectsWith(ErrorCode.INVALID_CERTIFICATE, fx.dataCenter, ctx -> fx.contract.registerMeter(ctx, "r3",
                    withKeyAgreement(registrationOf("m1", meter), meter.certificatePem())));
            fx.rejectsWith(ErrorCode.INVALID_CERTIFICATE, fx.dataCenter, ctx -> fx.contract.registerMeter(ctx, "r4",
                    withKeyAgreement(registrationOf("m1", meter), "not a certificate")));
        }

        @Test
        void a_mailer_cannot_register_a_meter() {
            final TestIdentity meter = TestIdentity.p256(Organisations.MAILER_A, "m1");
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.mailerA,
                    ctx -> fx.contract.registerMeter(ctx, "r1", registrationOf("m1", meter)));
        }

        @Test
        void the_same_meter_id_cannot_be_registered_twice() {
            fx.registerMeter("m1", Organisations.MAILER_A);
            final TestIdentity other = TestIdentity.p256(Organisations.MAILER_A, "other");
            fx.rejectsWith(ErrorCode.METER_ALREADY_REGISTERED, fx.dataCenter,
                    ctx -> fx.contract.registerMeter(ctx, "r2", registrationOf("m1", other)));
        }

        @Test
        void one_psd_key_cannot_belong_to_two_meters() {
            final TestIdentity meter = fx.registerMeter("m1", Organisations.MAILER_A);
            fx.rejectsWith(ErrorCode.PUBLIC_KEY_ALREADY_REGISTERED, fx.dataCenter,
                    ctx -> fx.contract.registerMeter(ctx, "r2", registrationOf("m2", meter.renewed())));
        }

        @Test
        void a_certificate_with_an_rsa_key_is_refused() {
            final TestIdentity rsa = TestIdentity.rsa(Organisations.MAILER_A, "m1");
            assertThat(fx.rejectsWith(ErrorCode.INVALID_CERTIFICATE, fx.dataCenter,
                    ctx -> fx.contract.registerMeter(ctx, "r1", registrationOf("m1", rsa)))).contains("P-256");
        }

        @Test
        void an_expired_certificate_is_refused() {
            final TestIdentity expired = TestIdentity.p256Valid(Organisations.MAILER_A, "m1",
                    Instant.parse("2020-01-01T00:00:00Z"), Instant.parse("2021-01-01T00:00:00Z"));
            fx.rejectsWith(ErrorCode.INVALID_CERTIFICATE, fx.dataCenter,
                    ctx -> fx.contract.registerMeter(ctx, "r1", registrationOf("m1", expired)));
        }

        @Test
        void a_certificate_that_does_not_parse_is_refused() {
            fx.rejectsWith(ErrorCode.INVALID_CERTIFICATE, fx.dataCenter, ctx -> fx.contract.registerMeter(ctx, "r1",
                    registration("m1", "MailerAMSP", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                            MeterKind.POSTAL_METER, 1, 1, 1)));
        }

        @Test
        void malformed_json_is_refused() {
            fx.rejectsWith(ErrorCode.MALFORMED_JSON, fx.dataCenter,
                    ctx -> fx.contract.registerMeter(ctx, "r1", "{\"meterId\": \"m1\","));
        }

        @Test
        void unknown_and_duplicate_fields_are_refused() {
            final TestIdentity meter = TestIdentity.p256(Organisations.MAILER_A, "m1");
            final String valid = registrationOf("m1", meter);
            fx.rejectsWith(ErrorCode.MALFORMED_JSON, fx.dataCenter, ctx -> fx.contract.registerMeter(ctx, "r1",
                    valid.replaceFirst("\\{", "{\"colour\":\"red\",")));
            fx.rejectsWith(ErrorCode.MALFORMED_JSON, fx.dataCenter, ctx -> fx.contract.registerMeter(ctx, "r1",
                    valid.replaceFirst("\\{", "{\"meterId\":\"m9\",")));
        }

        @Test
        void a_limit_given_as_a_string_or_a_fraction_is_refused() {
            final TestIdentity meter = TestIdentity.p256(Organisations.MAILER_A, "m1");
            final String valid = registrationOf("m1", meter);
            fx.rejectsWith(ErrorCode.MALFORMED_JSON, fx.dataCenter, ctx -> fx.contract.registerMeter(ctx, "r1",
                    valid.replace("\"maxBalanceMinorUnits\":1000", "\"maxBalanceMinorUnits\":\"1000\"")));
            fx.rejectsWith(ErrorCode.MALFORMED_JSON, fx.dataCenter, ctx -> fx.contract.registerMeter(ctx, "r1",
                    valid.replace("\"maxBalanceMinorUnits\":1000", "\"maxBalanceMinorUnits\":10.5")));
        }

        @Test
        void an_owner_outside_the_mailer_organisations_is_refused() {
            final TestIdentity meter = TestIdentity.p256(Organisations.POSTAL_AUTHORITY, "m1");
            fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.dataCenter,
                    ctx -> fx.contract.registerMeter(ctx, "r1", registrationOf("m1", meter)));
        }

        @Test
        void zero_limits_and_bad_meter_ids_are_refused() {
            final TestIdentity meter = TestIdentity.p256(Organisations.MAILER_A, "m1");
            fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.dataCenter, ctx -> fx.contract.registerMeter(ctx, "r1",
                    registration("m1", "MailerAMSP", meter.certificatePem(), MeterKind.POSTAL_METER, 0, 1, 1)));
            fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.dataCenter, ctx -> fx.contract.registerMeter(ctx, "r1",
                    registration("m 1", "MailerAMSP", meter.certificatePem(), MeterKind.POSTAL_METER, 1, 1, 1)));
            fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.dataCenter, ctx -> fx.contract.registerMeter(ctx, "r1",
                    registration("m\u00001", "MailerAMSP", meter.certificatePem(), MeterKind.POSTAL_METER, 1, 1, 1)));
        }

        @Test
        void a_request_id_with_illegal_characters_is_refused() {
            final TestIdentity meter = TestIdentity.p256(Organisations.MAILER_A, "m1");
            fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.dataCenter,
                    ctx -> fx.contract.registerMeter(ctx, "r/1", registrationOf("m1", meter)));
        }
    }

    @Nested
    class SuspendAndResumeMeter {
        @Test
        void data_center_suspends_and_resumes_a_meter() {
            fx.registerMeter("m1", Organisations.MAILER_A);
            final JsonNode suspended = json(fx.submit(fx.dataCenter,
                    ctx -> fx.contract.suspendMeter(ctx, "r1", "m1", "tamper alarm")));
            assertThat(suspended.at("/event").asText()).isEqualTo("MeterStatusChanged");
            assertThat(suspended.at("/meter/status").asText()).isEqualTo("SUSPENDED");
            assertThat(suspended.at("/meter/statusReason").asText()).isEqualTo("tamper alarm");
            assertThat(suspended.at("/previousStatus").asText()).isEqualTo("ACTIVE");

            final JsonNode resumed = json(fx.submit(fx.dataCenter, ctx -> fx.contract.resumeMeter(ctx, "r2", "m1")));
            assertThat(resumed.at("/meter/status").asText()).isEqualTo("ACTIVE");
            assertThat(fx.lastStub().eventName()).isEqualTo("MeterStatusChanged");
        }

        @Test
        void a_mailer_cannot_suspend_or_resume() {
            fx.registerMeter("m1", Organisations.MAILER_A);
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.mailerA,
                    ctx -> fx.contract.suspendMeter(ctx, "r1", "m1", "why not"));
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.meter("m1"), ctx -> fx.contract.resumeMeter(ctx, "r1", "m1"));
        }

        @Test
        void suspending_twice_or_resuming_an_active_meter_is_an_illegal_transition() {
            fx.registerMeter("m1", Organisations.MAILER_A);
            fx.rejectsWith(ErrorCode.ILLEGAL_TRANSITION, fx.dataCenter, ctx -> fx.contract.resumeMeter(ctx, "r1", "m1"));
            fx.submit(fx.dataCenter, ctx -> fx.contract.suspendMeter(ctx, "r2", "m1", "audit"));
            fx.rejectsWith(ErrorCode.ILLEGAL_TRANSITION, fx.dataCenter,
                    ctx -> fx.contract.suspendMeter(ctx, "r3", "m1", "again"));
        }

        @Test
        void an_unknown_meter_cannot_be_suspended() {
            fx.rejectsWith(ErrorCode.UNKNOWN_METER, fx.dataCenter,
                    ctx -> fx.contract.suspendMeter(ctx, "r1", "nope", "x"));
        }

        @Test
        void an_overlong_reason_is_refused() {
            fx.registerMeter("m1", Organisations.MAILER_A);
            fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.dataCenter,
                    ctx -> fx.contract.suspendMeter(ctx, "r1", "m1", "x".repeat(201)));
        }
    }

    @Nested
    class WithdrawMeter {
        @Test
        void withdrawal_returns_the_remaining_funds_to_issued_funds_and_closes_the_meter() {
            fx.registerMeter("m1", Organisations.MAILER_A);
            fx.refill("m1", 700);
            fx.print("m1", 50);
            final JsonNode result = json(fx.submit(fx.dataCenter, ctx -> fx.contract.withdrawMeter(ctx, "r1", "m1")));

            assertThat(result.at("/meter/status").asText()).isEqualTo("WITHDRAWN");
            assertThat(result.at("/registers/descendingRegisterMinorUnits").asLong()).isZero();
            assertThat(result.at("/registers/withdrawnMinorUnits").asLong()).isEqualTo(650);
            assertThat(result.at("/movements/0/debitAccount").asText()).isEqualTo("METER:m1");
            assertThat(result.at("/movements/0/creditAccount").asText()).isEqualTo("ISSUED_FUNDS:m1");
            assertThat(fx.auditTotals().at("/totalsMinorUnits/ISSUED_FUNDS").asLong()).isEqualTo(-50);
        }

        @Test
        void a_withdrawn_meter_stays_closed() {
            fx.registerMeter("m1", Organisations.MAILER_A);
            fx.submit(fx.dataCenter, ctx -> fx.contract.withdrawMeter(ctx, "r1", "m1"));
            fx.rejectsWith(ErrorCode.METER_WITHDRAWN, fx.dataCenter, ctx -> fx.contract.withdrawMeter(ctx, "r2", "m1"));
            fx.rejectsWith(ErrorCode.METER_WITHDRAWN, fx.dataCenter, ctx -> fx.contract.resumeMeter(ctx, "r3", "m1"));
            fx.rejectsWith(ErrorCode.METER_WITHDRAWN, fx.dataCenter,
                    ctx -> fx.contract.refillMeter(ctx, "r4", "m1", "10"));
            fx.rejectsWith(ErrorCode.METER_WITHDRAWN, fx.dataCenter,
                    ctx -> fx.contract.recordInspection(ctx, "r5", "m1"));
        }

        @Test
        void only_the_data_center_withdraws() {
            fx.registerMeter("m1", Organisations.MAILER_A);
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.authority, ctx -> fx.contract.withdrawMeter(ctx, "r1", "m1"));
        }
    }

    @Nested
    class Inspection {
        @Test
        void a_meter_becomes_inspection_due_after_90_days_and_overdue_after_120() {
            fx.registerMeter("m1", Organisations.MAILER_A);
            fx.advance(Duration.ofDays(90));
            assertThat(fx.meterView("m1").at("/inspection/status").asText()).isEqualTo("CURRENT");
            fx.advance(Duration.ofSeconds(1));
            assertThat(fx.meterView("m1").at("/inspection/status").asText()).isEqualTo("DUE");
            fx.advance(Duration.ofDays(30));
            assertThat(fx.meterView("m1").at("/inspection/status").asText()).isEqualTo("OVERDUE");
        }

        @Test
        void recording_an_inspection_restarts_the_clock() {
            fx.registerMeter("m1", Organisations.MAILER_A);
            fx.advance(Duration.ofDays(130));
            final JsonNode result = json(fx.submit(fx.dataCenter,
                    ctx -> fx.contract.recordInspection(ctx, "r1", "m1")));
            assertThat(result.at("/event").asText()).isEqualTo("InspectionRecorded");
            assertThat(result.at("/inspection/status").asText()).isEqualTo("CURRENT");
            assertThat(result.at("/meter/lastDataCenterContactEpochSeconds").asLong()).isEqualTo(fx.nowSeconds());
        }

        @Test
        void a_refill_counts_as_data_center_contact() {
            fx.registerMeter("m1", Organisations.MAILER_A);
            fx.advance(Duration.ofDays(125));
            fx.refill("m1", 10);
            assertThat(fx.meterView("m1").at("/inspection/status").asText()).isEqualTo("CURRENT");
        }

        @Test
        void only_the_data_center_records_inspections() {
            fx.registerMeter("m1", Organisations.MAILER_A);
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.mailerA, ctx -> fx.contract.recordInspection(ctx, "r1", "m1"));
        }

        @Test
        void the_periods_are_contract_parameters_set_by_the_data_center() {
            fx.registerMeter("m1", Organisations.MAILER_A);
            assertThat(json(fx.evaluate(fx.mailerA, ctx -> fx.contract.getInspectionPeriods(ctx))).toString())
                    .isEqualTo("{\"dueAfterDays\":90,\"overdueAfterDays\":120}");
            final JsonNode result = json(fx.submit(fx.dataCenter,
                    ctx -> fx.contract.setInspectionPeriods(ctx, "r1", "10", "20")));
            assertThat(result.at("/event").asText()).isEqualTo("InspectionPeriodsChanged");
            assertThat(result.at("/previous/dueAfterDays").asLong()).isEqualTo(90);
            fx.advance(Duration.ofDays(21));
            assertThat(fx.meterView("m1").at("/inspection/status").asText()).isEqualTo("OVERDUE");
        }

        @Test
        void inconsistent_periods_are_refused() {
            fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.dataCenter,
                    ctx -> fx.contract.setInspectionPeriods(ctx, "r1", "20", "20"));
            fx.rejectsWith(ErrorCode.INVALID_COUNT, fx.dataCenter,
                    ctx -> fx.contract.setInspectionPeriods(ctx, "r1", "0", "20"));
            fx.rejectsWith(ErrorCode.INVALID_COUNT, fx.dataCenter,
                    ctx -> fx.contract.setInspectionPeriods(ctx, "r1", "10", "5000"));
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.authority,
                    ctx -> fx.contract.setInspectionPeriods(ctx, "r1", "10", "20"));
        }
    }

    @Nested
    class GetMeter {
        @Test
        void owner_data_center_and_authority_see_a_meter_and_another_mailer_does_not() {
            fx.registerMeter("m1", Organisations.MAILER_A);
            for (final TestIdentity reader : new TestIdentity[] {fx.mailerA, fx.meter("m1"), fx.dataCenter,
                    fx.authority}) {
                assertThat(json(fx.evaluate(reader, ctx -> fx.contract.getMeter(ctx, "m1"))).at("/meter/meterId")
                        .asText()).isEqualTo("m1");
            }
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.mailerB, ctx -> fx.contract.getMeter(ctx, "m1"));
        }

        @Test
        void an_unknown_meter_is_reported_as_such() {
            fx.rejectsWith(ErrorCode.UNKNOWN_METER, fx.dataCenter, ctx -> fx.contract.getMeter(ctx, "ghost"));
        }
    }
}
