package org.postalfunds.chaincode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postalfunds.chaincode.LedgerFixture.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.chaincode.access.Organisations;
import org.postalfunds.chaincode.fake.FakeLedger;
import org.postalfunds.chaincode.fake.TestIdentity;
import org.postalfunds.chaincode.state.Keys;

/** The consortium record: MSP ids and roles come from the ledger, written at deployment and grown by admission. */
class ConsortiumTest {
    private static final String MAILER_C = "MailerCMSP";

    @Nested
    class BeforeInitialisation {
        private final LedgerFixture fx = LedgerFixture.withoutConsortium();

        @Test
        void every_submit_and_query_is_refused_with_its_own_code() {
            final TestIdentity meter = TestIdentity.p256(Organisations.MAILER_A, "m1");
            fx.rejectsWith(ErrorCode.CONSORTIUM_NOT_INITIALISED, fx.dataCenter, ctx -> fx.contract.registerMeter(ctx,
                    "r1", LedgerFixture.registration("m1", Organisations.MAILER_A, meter.certificatePem(),
                            org.postalfunds.api.model.MeterKind.POSTAL_METER, 1000, 100, 500)));
            fx.rejectsWith(ErrorCode.CONSORTIUM_NOT_INITIALISED, fx.authority, ctx -> fx.contract.auditTotals(ctx));
            fx.rejectsWith(ErrorCode.CONSORTIUM_NOT_INITIALISED, fx.mailerA, ctx -> fx.contract.getConsortium(ctx));
            fx.rejectsWith(ErrorCode.CONSORTIUM_NOT_INITIALISED, fx.dataCenter,
                    ctx -> fx.contract.admitMeterOwner(ctx, "r2", MAILER_C));
        }

        @Test
        void only_the_data_center_the_record_names_may_write_it() {
            final String message = fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.mailerA,
                    ctx -> fx.contract.initConsortium(ctx, "r1", Organisations.RECORD_JSON));
            assertThat(message).contains("caller is MailerAMSP");
        }

        @Test
        void malformed_records_are_refused_with_a_code_and_change_nothing() {
            fx.rejectsWith(ErrorCode.MALFORMED_JSON, fx.dataCenter, ctx -> fx.contract.initConsortium(ctx, "r1", "{"));
            fx.rejectsWith(ErrorCode.MALFORMED_JSON, fx.dataCenter, ctx -> fx.contract.initConsortium(ctx, "r1",
                    Organisations.RECORD_JSON.replace("}", ",\"extra\":1}")));
            fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.dataCenter, ctx -> fx.contract.initConsortium(ctx, "r1",
                    Organisations.RECORD_JSON.replace("[\"MailerAMSP\",\"MailerBMSP\"]", "[]")));
            fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.dataCenter, ctx -> fx.contract.initConsortium(ctx, "r1",
                    Organisations.RECORD_JSON.replace("MailerBMSP", "DataCenterMSP")));
            fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.dataCenter, ctx -> fx.contract.initConsortium(ctx, "r1",
                    Organisations.RECORD_JSON.replace("MailerBMSP", "Mailer B")));
        }

        @Test
        void the_record_is_written_with_every_member_on_its_key_level_policy_and_may_be_repeated() {
            final JsonNode written = json(fx.submit(fx.dataCenter,
                    ctx -> fx.contract.initConsortium(ctx, "r1", Organisations.RECORD_JSON)));
            assertThat(written.at("/event").asText()).isEqualTo("ConsortiumChanged");
            assertThat(written.at("/changed").asBoolean()).isTrue();
            assertThat(written.at("/consortium/meterOwnerMsps").toString()).isEqualTo("[\"MailerAMSP\",\"MailerBMSP\"]");
            assertThat(FakeLedger.orgsOf(fx.ledger.validationParameter(Keys.consortiumConfig())))
                    .containsExactlyInAnyOrderElementsOf(Organisations.CONSORTIUM);

            // Deployment run again (a new request id): the same record changes nothing.
            final JsonNode again = json(fx.submit(fx.dataCenter,
                    ctx -> fx.contract.initConsortium(ctx, "r2", Organisations.RECORD_JSON)));
            assertThat(again.at("/changed").asBoolean()).isFalse();
            assertThat(fx.lastWrittenKeys()).containsExactly("~request~DataCenterMSP~r2~");

            fx.rejectsWith(ErrorCode.CONSORTIUM_ALREADY_INITIALISED, fx.dataCenter, ctx -> fx.contract.initConsortium(
                    ctx, "r3", Organisations.RECORD_JSON.replace("\"MailerBMSP\"", "\"MailerBMSP\",\"MailerZMSP\"")));
        }
    }

    @Nested
    class Admission {
        private final LedgerFixture fx = new LedgerFixture();

        @Test
        void every_member_reads_the_record_and_an_outsider_does_not() {
            final JsonNode consortium = json(fx.evaluate(fx.mailerB, ctx -> fx.contract.getConsortium(ctx)));
            assertThat(consortium.at("/dataCenterMsp").asText()).isEqualTo("DataCenterMSP");
            assertThat(consortium.at("/postalAuthorityMsp").asText()).isEqualTo("PostalAuthorityMSP");
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, TestIdentity.p256(MAILER_C, "c-operator"),
                    ctx -> fx.contract.getConsortium(ctx));
        }

        @Test
        void a_new_owner_may_register_meters_only_after_its_admission_endorsed_by_every_member() {
            final TestIdentity meter = TestIdentity.p256(MAILER_C, "c1");
            final String registration = LedgerFixture.registration("c1", MAILER_C, meter.certificatePem(),
                    org.postalfunds.api.model.MeterKind.POSTAL_METER, 1000, 100, 500);
            assertThat(fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.dataCenter,
                    ctx -> fx.contract.registerMeter(ctx, "r1", registration))).contains("MailerCMSP");

            // Endorsed by the data center and one mailer only: the record's key-level policy (every member) fails.
            final LedgerFixture.Endorsed partly = fx.endorse(fx.dataCenter,
                    ctx -> fx.contract.admitMeterOwner(ctx, "r2", MAILER_C));
            assertThat(partly.failure()).isNull();
            assertThat(fx.ledger.commit(partly.stub(), Set.of(Organisations.DATA_CENTER, Organisations.MAILER_A)))
                    .isEqualTo(FakeLedger.Validation.ENDORSEMENT_POLICY_FAILURE);

            final JsonNode admitted = json(fx.submit(fx.dataCenter,
                    ctx -> fx.contract.admitMeterOwner(ctx, "r3", MAILER_C)));
            assertThat(admitted.at("/consortium/meterOwnerMsps").toString())
                    .isEqualTo("[\"MailerAMSP\",\"MailerBMSP\",\"MailerCMSP\"]");
            assertThat(admitted.at("/previous/meterOwnerMsps").toString()).isEqualTo("[\"MailerAMSP\",\"MailerBMSP\"]");
            assertThat(FakeLedger.orgsOf(fx.ledger.validationParameter(Keys.consortiumConfig()))).contains(MAILER_C);

            final JsonNode registered = json(fx.submit(fx.dataCenter, ctx -> fx.contract.registerMeter(ctx, "r4", registration)));
            assertThat(registered.at("/meter/ownerMsp").asText()).isEqualTo(MAILER_C);
        }

        @Test
        void admission_is_the_data_center_s_and_refuses_members_and_malformed_ids() {
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.mailerA, ctx -> fx.contract.admitMeterOwner(ctx, "r1", MAILER_C));
            fx.rejectsWith(ErrorCode.ORGANISATION_ALREADY_MEMBER, fx.dataCenter,
                    ctx -> fx.contract.admitMeterOwner(ctx, "r2", Organisations.MAILER_B));
            fx.rejectsWith(ErrorCode.ORGANISATION_ALREADY_MEMBER, fx.dataCenter,
                    ctx -> fx.contract.admitMeterOwner(ctx, "r3", Organisations.POSTAL_AUTHORITY));
            fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.dataCenter, ctx -> fx.contract.admitMeterOwner(ctx, "r4", "a b"));
            fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.dataCenter, ctx -> fx.contract.admitMeterOwner(ctx, "r5", null));
        }

        @Test
        void the_number_of_owner_organisations_is_bounded() {
            final Set<String> members = new java.util.TreeSet<>(Organisations.CONSORTIUM);
            for (int i = 0; i < org.postalfunds.api.Limits.MAX_METER_OWNER_ORGANISATIONS - 2; i++) {
                final String msp = "Owner" + i + "MSP";
                // Every member so far endorses: each admission grows the record's key-level policy by one.
                final LedgerFixture.Endorsed admission = fx.endorse(fx.dataCenter,
                        ctx -> fx.contract.admitMeterOwner(ctx, "admit-" + msp, msp));
                assertThat(admission.failure()).isNull();
                assertThat(fx.ledger.commit(admission.stub(), members)).isEqualTo(FakeLedger.Validation.VALID);
                members.add(msp);
            }
            fx.rejectsWith(ErrorCode.LIMIT_EXCEEDED, fx.dataCenter,
                    ctx -> fx.contract.admitMeterOwner(ctx, "one-more", MAILER_C));
        }
    }
}
