package org.postalfunds.chaincode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postalfunds.chaincode.LedgerFixture.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Limits;
import org.postalfunds.api.model.MeterKind;
import org.postalfunds.chaincode.access.Organisations;
import org.postalfunds.chaincode.fake.TestIdentity;

class RefillAndPrintTest {
    private final LedgerFixture fx = new LedgerFixture();

    @BeforeEach
    void registerMeters() {
        fx.registerMeter("m1", Organisations.MAILER_A);
    }

    @Nested
    class RefillMeter {
        @Test
        void data_center_refills_debiting_issued_funds_and_crediting_the_meter() {
            final JsonNode result = json(fx.submit(fx.dataCenter,
                    ctx -> fx.contract.refillMeter(ctx, "r1", "m1", "2500")));
            assertThat(result.at("/event").asText()).isEqualTo("Refilled");
            assertThat(result.at("/registers/descendingRegisterMinorUnits").asLong()).isEqualTo(2_500);
            assertThat(result.at("/registers/refilledMinorUnits").asLong()).isEqualTo(2_500);
            assertThat(result.at("/movements").toString()).isEqualTo(
                    "[{\"amountMinorUnits\":2500,\"creditAccount\":\"METER:m1\",\"debitAccount\":\"ISSUED_FUNDS:m1\"}]");
            // A refill makes the balance exact: it folds the meter's inflow and sets its ceiling.
            assertThat(fx.lastWrittenKeys()).containsExactly("~account~INFLOW~m1~", "~account~METER~m1~", "~meter~m1~",
                    "~request~DataCenterMSP~r1~");
            assertThat(fx.lastStub().eventName()).isEqualTo("Refilled");
        }

        @Test
        void a_mailer_or_the_meter_itself_cannot_refill() {
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.mailerA, ctx -> fx.contract.refillMeter(ctx, "r1", "m1", "10"));
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.meter("m1"),
                    ctx -> fx.contract.refillMeter(ctx, "r1", "m1", "10"));
        }

        @Test
        void zero_and_negative_amounts_are_refused() {
            fx.rejectsWith(ErrorCode.INVALID_AMOUNT, fx.dataCenter, ctx -> fx.contract.refillMeter(ctx, "r1", "m1", "0"));
            fx.rejectsWith(ErrorCode.INVALID_AMOUNT, fx.dataCenter,
                    ctx -> fx.contract.refillMeter(ctx, "r1", "m1", "-5"));
            fx.rejectsWith(ErrorCode.INVALID_AMOUNT, fx.dataCenter,
                    ctx -> fx.contract.refillMeter(ctx, "r1", "m1", String.valueOf(Long.MIN_VALUE)));
        }

        @Test
        void a_maximum_balance_above_the_ledger_bound_is_refused_at_registration() {
            // The new user's case: 92233720368547758.07 as a maximum balance (Long.MAX_VALUE minor units).
            final TestIdentity big = TestIdentity.p256(Organisations.MAILER_A, "big");
            for (final long[] limits : new long[][] {{Long.MAX_VALUE, 10, 10},
                    {Limits.MAX_METER_BALANCE_MINOR_UNITS + 1, 10, 10},
                    {1_000, Limits.MAX_METER_BALANCE_MINOR_UNITS + 1, 10},
                    {1_000, 10, Limits.MAX_METER_BALANCE_MINOR_UNITS + 1}}) {
                fx.rejectsWith(ErrorCode.LIMIT_EXCEEDED, fx.dataCenter, ctx -> fx.contract.registerMeter(ctx, "g1",
                        LedgerFixture.registration("big", Organisations.MAILER_A, big.certificatePem(),
                                MeterKind.POSTAL_METER, limits[0], limits[1], limits[2])));
            }
        }

        @Test
        void meters_at_the_largest_balance_refilled_to_it_still_audit() {
            fx.refill("m1", 100);
            fx.registerMeter("big", Organisations.MAILER_A, MeterKind.POSTAL_METER,
                    Limits.MAX_METER_BALANCE_MINOR_UNITS, 10, 10);
            fx.registerMeter("big2", Organisations.MAILER_B, MeterKind.POSTAL_METER,
                    Limits.MAX_METER_BALANCE_MINOR_UNITS, 10, 10);
            fx.refill("big", Limits.MAX_METER_BALANCE_MINOR_UNITS);
            fx.refill("big2", Limits.MAX_METER_BALANCE_MINOR_UNITS);
            final JsonNode totals = fx.auditTotals();
            assertThat(totals.at("/proof/balanced").asBoolean()).isTrue();
            assertThat(totals.at("/totalsMinorUnits/METER").asLong())
                    .isEqualTo(2 * Limits.MAX_METER_BALANCE_MINOR_UNITS + 100);
        }

        @Test
        void the_ledger_bounds_keep_every_sum_inside_a_long() {
            // Every meter the audit accepts at the lifetime issuance cap: the ledger's funds, times the classes an
            // audit adds up, still fit.
            assertThat(Math.multiplyExact((long) Limits.MAX_AUDITED_ACCOUNTS, Limits.MAX_ISSUED_PER_METER_MINOR_UNITS))
                    .isEqualTo(Limits.MAX_LEDGER_FUNDS_MINOR_UNITS);
            assertThat(Math.multiplyExact(Limits.MAX_LEDGER_FUNDS_MINOR_UNITS, 9L)).isPositive();
            assertThat(Limits.MAX_METER_BALANCE_MINOR_UNITS).isLessThanOrEqualTo(Limits.MAX_ISSUED_PER_METER_MINOR_UNITS);
        }

        @Test
        void refilling_beyond_the_maximum_is_limit_exceeded_for_any_amount() {
            fx.refill("m1", 10);
            for (final long amount : new long[] {LedgerFixture.DEFAULT_MAX_BALANCE,
                    Limits.MAX_METER_BALANCE_MINOR_UNITS, Limits.MAX_AMOUNT_MINOR_UNITS}) {
                fx.rejectsWith(ErrorCode.LIMIT_EXCEEDED, fx.dataCenter,
                        ctx -> fx.contract.refillMeter(ctx, "r1", "m1", String.valueOf(amount)));
            }
            // Beyond the largest amount the ledger knows, the argument itself is refused.
            fx.rejectsWith(ErrorCode.INVALID_AMOUNT, fx.dataCenter,
                    ctx -> fx.contract.refillMeter(ctx, "r1", "m1", String.valueOf(Long.MAX_VALUE)));
        }

        @Test
        void a_meter_is_issued_at_most_the_lifetime_cap() {
            final long max = Limits.MAX_METER_BALANCE_MINOR_UNITS;
            fx.registerMeter("big", Organisations.MAILER_A, MeterKind.POSTAL_METER, max, max, max);
            final long refills = Limits.MAX_ISSUED_PER_METER_MINOR_UNITS / max;
            for (long i = 0; i < refills; i++) {
                fx.refill("big", max);
                fx.print("big", max);
            }
            final String message = fx.rejectsWith(ErrorCode.LIMIT_EXCEEDED, fx.dataCenter,
                    ctx -> fx.contract.refillMeter(ctx, "r1", "big", "1"));
            assertThat(message).contains("over its life");
            assertThat(fx.auditTotals().at("/proof/balanced").asBoolean()).isTrue();
        }

        @Test
        void a_refill_beyond_the_meter_balance_limit_is_refused() {
            fx.refill("m1", LedgerFixture.DEFAULT_MAX_BALANCE - 1);
            fx.rejectsWith(ErrorCode.LIMIT_EXCEEDED, fx.dataCenter, ctx -> fx.contract.refillMeter(ctx, "r1", "m1", "2"));
        }

        @Test
        void a_suspended_meter_is_not_refilled() {
            fx.submit(fx.dataCenter, ctx -> fx.contract.suspendMeter(ctx, "s1", "m1", "audit"));
            fx.rejectsWith(ErrorCode.METER_SUSPENDED, fx.dataCenter,
                    ctx -> fx.contract.refillMeter(ctx, "r1", "m1", "10"));
        }

        @Test
        void an_unknown_meter_is_not_refilled() {
            fx.rejectsWith(ErrorCode.UNKNOWN_METER, fx.dataCenter,
                    ctx -> fx.contract.refillMeter(ctx, "r1", "ghost", "10"));
        }
    }

    @Nested
    class PrintPostage {
        @BeforeEach
        void fund() {
            fx.refill("m1", 1_000);
        }

        @Test
        void the_meter_prints_debiting_its_descending_register_and_recording_the_signed_indicium() {
            final String indicium = fx.indicium("m1", 1, 85, fx.meter("m1"));
            final JsonNode result = json(fx.submit(fx.meter("m1"),
                    ctx -> fx.contract.printPostage(ctx, "p1", indicium)));

            assertThat(result.at("/event").asText()).isEqualTo("PostagePrinted");
            assertThat(result.at("/registers/descendingRegisterMinorUnits").asLong()).isEqualTo(915);
            assertThat(result.at("/registers/ascendingRegisterMinorUnits").asLong()).isEqualTo(85);
            assertThat(result.at("/registers/pieceCount").asLong()).isEqualTo(1);
            assertThat(result.at("/indicium/indicium")).isEqualTo(json(indicium));
            assertThat(result.at("/movements/0/creditAccount").asText()).isEqualTo("POSTAGE_REVENUE:m1");
            assertThat(fx.lastWrittenKeys()).containsExactly("~account~METER~m1~",
                    "~indicium~m1~0000000000000000001~", "~request~MailerAMSP~p1~");
            final JsonNode recorded = json(fx.evaluate(fx.mailerA, ctx -> fx.contract.getIndicium(ctx, "m1", "1")));
            assertThat(recorded.at("/indicium/signature").asText()).isEqualTo(json(indicium).at("/signature").asText());
        }

        @Test
        void piece_numbers_run_on_from_the_piece_count() {
            fx.print("m1", 10);
            fx.print("m1", 10);
            assertThat(fx.meterView("m1").at("/registers/pieceCount").asLong()).isEqualTo(2);
            final String stale = fx.indicium("m1", 2, 10, fx.meter("m1"));
            assertThat(fx.rejectsWith(ErrorCode.PIECE_NUMBER_MISMATCH, fx.meter("m1"),
                    ctx -> fx.contract.printPostage(ctx, "p9", stale))).contains("piece 3");
        }

        @Test
        void the_owner_organisation_without_the_psd_key_cannot_print() {
            final String indicium = fx.indicium("m1", 1, 10, fx.meter("m1"));
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.mailerA, ctx -> fx.contract.printPostage(ctx, "p1", indicium));
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.dataCenter,
                    ctx -> fx.contract.printPostage(ctx, "p1", indicium));
        }

        @Test
        void a_meter_cannot_print_for_another_meter() {
            final TestIdentity other = fx.registerMeter("m2", Organisations.MAILER_A);
            final String indicium = fx.indicium("m1", 1, 10, other);
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, other, ctx -> fx.contract.printPostage(ctx, "p1", indicium));
        }

        @Test
        void a_signature_by_another_key_is_refused() {
            final String forged = fx.indicium("m1", 1, 10, TestIdentity.p256(Organisations.MAILER_A, "thief"));
            fx.rejectsWith(ErrorCode.INVALID_SIGNATURE, fx.meter("m1"),
                    ctx -> fx.contract.printPostage(ctx, "p1", forged));
        }

        @Test
        void an_indicium_altered_after_signing_is_refused() {
            final String altered = fx.indicium("m1", 1, 10, fx.meter("m1")).replace("\"10115\"", "\"99999\"");
            fx.rejectsWith(ErrorCode.INVALID_SIGNATURE, fx.meter("m1"),
                    ctx -> fx.contract.printPostage(ctx, "p1", altered));
        }

        @Test
        void the_mailing_date_must_be_the_transaction_day() {
            final LocalDate tomorrow = LocalDate.ofInstant(fx.now(), ZoneOffset.UTC).plusDays(1);
            final String indicium = fx.indicium("m1", 1, 10, tomorrow, fx.meter("m1"));
            fx.rejectsWith(ErrorCode.MAILING_DATE_MISMATCH, fx.meter("m1"),
                    ctx -> fx.contract.printPostage(ctx, "p1", indicium));
        }

        @Test
        void a_handheld_metering_unit_has_nothing_to_print_with() {
            final TestIdentity handheld = fx.registerMeter("h1", Organisations.MAILER_A,
                    MeterKind.HANDHELD_METERING_UNIT, 1_000, 100, 100);
            fx.refill("h1", 100);
            final String indicium = fx.indicium("h1", 1, 10, handheld);
            fx.rejectsWith(ErrorCode.PRINTING_NOT_SUPPORTED, handheld,
                    ctx -> fx.contract.printPostage(ctx, "p1", indicium));
        }

        @Test
        void a_suspended_meter_cannot_print() {
            fx.submit(fx.dataCenter, ctx -> fx.contract.suspendMeter(ctx, "s1", "m1", "audit"));
            final String indicium = fx.indicium("m1", 1, 10, fx.meter("m1"));
            fx.rejectsWith(ErrorCode.METER_SUSPENDED, fx.meter("m1"),
                    ctx -> fx.contract.printPostage(ctx, "p1", indicium));
        }

        @Test
        void a_withdrawn_meter_cannot_print() {
            fx.submit(fx.dataCenter, ctx -> fx.contract.withdrawMeter(ctx, "w1", "m1"));
            final String indicium = fx.indicium("m1", 1, 10, fx.meter("m1"));
            fx.rejectsWith(ErrorCode.METER_WITHDRAWN, fx.meter("m1"),
                    ctx -> fx.contract.printPostage(ctx, "p1", indicium));
        }

        @Test
        void an_inspection_overdue_meter_cannot_print_until_inspected() {
            fx.advance(Duration.ofDays(121));
            final String indicium = fx.indicium("m1", 1, 10, fx.meter("m1"));
            fx.rejectsWith(ErrorCode.INSPECTION_OVERDUE, fx.meter("m1"),
                    ctx -> fx.contract.printPostage(ctx, "p1", indicium));
            fx.submit(fx.dataCenter, ctx -> fx.contract.recordInspection(ctx, "i1", "m1"));
            fx.submit(fx.meter("m1"), ctx -> fx.contract.printPostage(ctx, "p2", indicium));
        }

        @Test
        void an_inspection_due_meter_still_prints() {
            fx.advance(Duration.ofDays(100));
            assertThat(fx.meterView("m1").at("/inspection/status").asText()).isEqualTo("DUE");
            fx.print("m1", 10);
        }

        @Test
        void postage_beyond_the_funds_or_the_per_piece_limit_is_refused() {
            final String tooMuch = fx.indicium("m1", 1, 1_001, fx.meter("m1"));
            fx.rejectsWith(ErrorCode.INSUFFICIENT_FUNDS, fx.meter("m1"),
                    ctx -> fx.contract.printPostage(ctx, "p1", tooMuch));
            fx.refill("m1", 20_000);
            final String overLimit = fx.indicium("m1", 1, LedgerFixture.DEFAULT_MAX_PIECE + 1, fx.meter("m1"));
            fx.rejectsWith(ErrorCode.LIMIT_EXCEEDED, fx.meter("m1"),
                    ctx -> fx.contract.printPostage(ctx, "p2", overLimit));
        }

        @Test
        void zero_or_negative_postage_and_malformed_indicia_are_refused() {
            final String valid = fx.indicium("m1", 1, 10, fx.meter("m1"));
            fx.rejectsWith(ErrorCode.INVALID_AMOUNT, fx.meter("m1"), ctx -> fx.contract.printPostage(ctx, "p1",
                    valid.replace("\"amountMinorUnits\":10", "\"amountMinorUnits\":0")));
            fx.rejectsWith(ErrorCode.INVALID_AMOUNT, fx.meter("m1"), ctx -> fx.contract.printPostage(ctx, "p1",
                    valid.replace("\"amountMinorUnits\":10", "\"amountMinorUnits\":-10")));
            fx.rejectsWith(ErrorCode.MALFORMED_JSON, fx.meter("m1"),
                    ctx -> fx.contract.printPostage(ctx, "p1", "not json"));
            fx.rejectsWith(ErrorCode.MALFORMED_JSON, fx.meter("m1"), ctx -> fx.contract.printPostage(ctx, "p1",
                    valid.replace("\"amountMinorUnits\":10", "\"amountMinorUnits\":99999999999999999999")));
            fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.meter("m1"), ctx -> fx.contract.printPostage(ctx, "p1",
                    valid.replace("\"DE\"", "\"de\"")));
            fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.meter("m1"), ctx -> fx.contract.printPostage(ctx, "p1",
                    valid.replaceAll("\"mailingDate\":\"[^\"]*\"", "\"mailingDate\":\"2026-02-30\"")));
            fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.meter("m1"), ctx -> fx.contract.printPostage(ctx, "p1",
                    valid.replaceAll("\"signature\":\"[^\"]*\"", "\"signature\":\"%%%\"")));
        }
    }
}
