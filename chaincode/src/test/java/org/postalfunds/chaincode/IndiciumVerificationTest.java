package org.postalfunds.chaincode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postalfunds.chaincode.LedgerFixture.json;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.chaincode.access.Organisations;
import org.postalfunds.chaincode.fake.TestIdentity;

/** The postal authority checks indicia found on mail against the ledger. */
class IndiciumVerificationTest {
    private final LedgerFixture fx = new LedgerFixture();
    private String printed;

    @BeforeEach
    void onePrintedPiece() {
        fx.registerMeter("m1", Organisations.MAILER_A);
        fx.refill("m1", 1_000);
        printed = fx.indicium("m1", 1, 85, fx.meter("m1"));
        fx.submit(fx.meter("m1"), ctx -> fx.contract.printPostage(ctx, "p1", printed));
    }

    private String verdictOf(final String indicium) {
        return json(fx.evaluate(fx.authority, ctx -> fx.contract.verifyIndicium(ctx, indicium))).at("/verdict")
                .asText();
    }

    @Nested
    class VerifyIndicium {
        @Test
        void a_printed_indicium_is_genuine() {
            final JsonNode result = json(fx.evaluate(fx.authority, ctx -> fx.contract.verifyIndicium(ctx, printed)));
            assertThat(result.at("/verdict").asText()).isEqualTo("GENUINE");
            assertThat(result.at("/recorded/txId").asText()).isNotEmpty();
            assertThat(result.at("/scanCount").asLong()).isZero();
        }

        @Test
        void a_genuine_indicium_already_scanned_is_a_duplicate_for_every_verifier() {
            fx.submit(fx.authority, ctx -> fx.contract.recordIndiciumScan(ctx, "s1", printed));
            JsonNode result = json(fx.evaluate(fx.dataCenter, ctx -> fx.contract.verifyIndicium(ctx, printed)));
            assertThat(result.at("/verdict").asText()).isEqualTo("DUPLICATE");
            assertThat(result.at("/scanCount").asLong()).isEqualTo(1);
            fx.submit(fx.authority, ctx -> fx.contract.recordIndiciumScan(ctx, "s2", printed));
            result = json(fx.evaluate(fx.authority, ctx -> fx.contract.verifyIndicium(ctx, printed)));
            assertThat(result.at("/verdict").asText()).isEqualTo("DUPLICATE");
            assertThat(result.at("/scanCount").asLong()).isEqualTo(2);
            assertThat(result.at("/recorded/txId").asText()).isNotEmpty();
        }

        @Test
        void a_signature_by_another_key_is_a_forgery() {
            final String forged = fx.indicium("m1", 1, 85, TestIdentity.p256(Organisations.MAILER_A, "thief"));
            assertThat(verdictOf(forged)).isEqualTo("FORGED");
            assertThat(verdictOf(printed.replace("\"10115\"", "\"20095\""))).isEqualTo("FORGED");
        }

        @Test
        void a_correctly_signed_piece_that_was_never_paid_for_is_not_on_the_ledger() {
            assertThat(verdictOf(fx.indicium("m1", 2, 85, fx.meter("m1")))).isEqualTo("NOT_ON_LEDGER");
        }

        @Test
        void a_second_signed_indicium_for_a_recorded_piece_number_conflicts() {
            assertThat(verdictOf(fx.indicium("m1", 1, 5, fx.meter("m1")))).isEqualTo("CONFLICTING");
        }

        @Test
        void an_indicium_of_an_unknown_meter_is_reported() {
            assertThat(verdictOf(fx.indicium("m9", 1, 85, fx.meter("m1")))).isEqualTo("UNKNOWN_METER");
        }

        @Test
        void only_auditors_verify_and_malformed_input_is_refused() {
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.mailerA, ctx -> fx.contract.verifyIndicium(ctx, printed));
            fx.rejectsWith(ErrorCode.MALFORMED_JSON, fx.authority, ctx -> fx.contract.verifyIndicium(ctx, "[]"));
        }
    }

    @Nested
    class RecordIndiciumScan {
        @Test
        void the_second_sighting_of_a_genuine_indicium_is_a_duplicate() {
            final JsonNode first = json(fx.submit(fx.authority,
                    ctx -> fx.contract.recordIndiciumScan(ctx, "s1", printed)));
            assertThat(first.at("/event").asText()).isEqualTo("IndiciumScanned");
            assertThat(first.at("/verification/verdict").asText()).isEqualTo("GENUINE");
            final JsonNode second = json(fx.submit(fx.authority,
                    ctx -> fx.contract.recordIndiciumScan(ctx, "s2", printed)));
            assertThat(second.at("/verification/verdict").asText()).isEqualTo("DUPLICATE");
            assertThat(second.at("/verification/scanCount").asLong()).isEqualTo(2);
            final JsonNode third = json(fx.submit(fx.authority,
                    ctx -> fx.contract.recordIndiciumScan(ctx, "s3", printed)));
            assertThat(third.at("/verification/verdict").asText()).isEqualTo("DUPLICATE");
            assertThat(third.at("/verification/scanCount").asLong()).isEqualTo(3);
        }

        @Test
        void a_forged_indicium_is_reported_and_not_counted() {
            final String forged = fx.indicium("m1", 1, 85, TestIdentity.p256(Organisations.MAILER_A, "thief"));
            final JsonNode result = json(fx.submit(fx.authority,
                    ctx -> fx.contract.recordIndiciumScan(ctx, "s1", forged)));
            assertThat(result.at("/verification/verdict").asText()).isEqualTo("FORGED");
            assertThat(fx.lastWrittenKeys()).containsExactly("~request~PostalAuthorityMSP~s1~");
        }

        @Test
        void only_the_postal_authority_records_scans() {
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.dataCenter,
                    ctx -> fx.contract.recordIndiciumScan(ctx, "s1", printed));
        }
    }

    @Nested
    class GetIndicium {
        @Test
        void an_unprinted_piece_is_unknown() {
            fx.rejectsWith(ErrorCode.UNKNOWN_INDICIUM, fx.mailerA, ctx -> fx.contract.getIndicium(ctx, "m1", "2"));
            fx.rejectsWith(ErrorCode.INVALID_COUNT, fx.mailerA, ctx -> fx.contract.getIndicium(ctx, "m1", "0"));
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.mailerB, ctx -> fx.contract.getIndicium(ctx, "m1", "1"));
        }
    }
}
