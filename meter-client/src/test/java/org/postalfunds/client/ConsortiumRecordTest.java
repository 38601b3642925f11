package org.postalfunds.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.model.Consortium;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.model.ConsortiumChange;

/** The client reads MSP ids from the ledger's consortium record and admits owners through the typed API. */
class ConsortiumRecordTest {
    private final org.postalfunds.client.Consortium consortium = new org.postalfunds.client.Consortium();

    @Test
    void the_record_names_every_role_and_a_repeated_initialisation_changes_nothing() throws LedgerException {
        Consortium record = consortium.dataCenter.consortium();
        assertThat(record.dataCenterMsp()).isEqualTo("DataCenterMSP");
        assertThat(record.postalAuthorityMsp()).isEqualTo("PostalAuthorityMSP");
        assertThat(record.meterOwnerMsps()).containsExactly("MailerAMSP", "MailerBMSP");

        ConsortiumChange again = consortium.dataCenter.initConsortium(RequestId.random(), record);
        assertThat(again.consortium()).isEqualTo(record);
        LedgerException other = catchThrowableOfType(LedgerException.class, () -> consortium.dataCenter
                .initConsortium(RequestId.random(), record.withMeterOwner("MailerZMSP")));
        assertThat(other.errorCode()).hasValue(ErrorCode.CONSORTIUM_ALREADY_INITIALISED);
    }

    @Test
    void an_admitted_owner_registers_meters_that_transfer_with_the_others() throws LedgerException {
        LedgerException before = catchThrowableOfType(LedgerException.class,
                () -> consortium.registerMeter("meter-C1", "MailerCMSP"));
        assertThat(before.errorCode()).hasValue(ErrorCode.INVALID_ARGUMENT);

        consortium.network.joinChannel("MailerCMSP");
        ConsortiumChange admitted = consortium.dataCenter.admitMeterOwner(RequestId.random(), "MailerCMSP");
        assertThat(admitted.previous().meterOwnerMsps()).containsExactly("MailerAMSP", "MailerBMSP");
        assertThat(admitted.consortium().meterOwnerMsps()).containsExactly("MailerAMSP", "MailerBMSP", "MailerCMSP");

        MeterClient c1 = consortium.fundedMeter("meter-C1", "MailerCMSP", 1_000);
        consortium.registerMeter("meter-A1", org.postalfunds.client.Consortium.MAILER_A);
        c1.offer(RequestId.random(), "meter-A1", 400, consortium.clock().instant().plusSeconds(3_600));
        assertThat(consortium.available("meter-C1")).isEqualTo(600);
    }

    @Test
    void a_mailer_cannot_admit_an_organisation() {
        DataCenterClient impostor = DataCenterClient.of(consortium.connect(consortium.mailerAOperator));
        LedgerException refused = catchThrowableOfType(LedgerException.class,
                () -> impostor.admitMeterOwner(RequestId.random(), "MailerCMSP"));
        assertThat(refused.errorCode()).hasValue(ErrorCode.NOT_AUTHORISED);
    }
}
