package org.postalfunds.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.client.ledger.FailureKind;
import org.postalfunds.client.ledger.LedgerException;

/** Each role may do its own things only; the contract refuses the rest from the caller's certificate. */
class RefusalsTest {
    private final Consortium consortium = new Consortium();

    @Test
    void a_meter_cannot_act_on_a_transfer_between_two_other_meters() throws LedgerException {
        MeterClient recipient = consortium.fundedMeter("meter-A1", Consortium.MAILER_A, 100);
        MeterClient donor = consortium.fundedMeter("meter-B1", Consortium.MAILER_B, 10_000);
        MeterClient intruder = consortium.fundedMeter("meter-B2", Consortium.MAILER_B, 10_000);
        donor.authoriseRequester(RequestId.random(), "meter-A1");
        String transferId = recipient.request(RequestId.random(), "meter-B1", 500,
                consortium.clock().instant().plus(Duration.ofHours(1))).transferId();

        LedgerException grant = catchThrowableOfType(LedgerException.class, () -> intruder.grant(RequestId.random(),
                transferId, consortium.clock().instant().plus(Duration.ofHours(2))));
        LedgerException offer = catchThrowableOfType(LedgerException.class, () -> MeterClient.builder()
                .ledger(consortium.connect(consortium.meterKey("meter-B2"))).meterId("meter-B1")
                .psdSigner(Consortium.signer(consortium.meterKey("meter-B2"))).build()
                .offer(RequestId.random(), "meter-A1", 100, consortium.clock().instant().plus(Duration.ofHours(1))));

        assertThat(grant.errorCode()).hasValue(ErrorCode.NOT_AUTHORISED);
        assertThat(offer.errorCode()).hasValue(ErrorCode.NOT_AUTHORISED);
        assertThat(consortium.available("meter-B1")).isEqualTo(10_000);
    }

    @Test
    void a_mailer_cannot_refill_or_register_meters() throws LedgerException {
        consortium.registerMeter("meter-A1", Consortium.MAILER_A);
        DataCenterClient impostor = DataCenterClient.of(consortium.connect(consortium.mailerAOperator));

        LedgerException refill = catchThrowableOfType(LedgerException.class,
                () -> impostor.refill(RequestId.random(), "meter-A1", 1_000));

        assertThat(refill.kind()).isEqualTo(FailureKind.REFUSED);
        assertThat(refill.errorCode()).hasValue(ErrorCode.NOT_AUTHORISED);
        assertThat(refill.getMessage()).contains("DataCenterMSP");
        assertThat(consortium.available("meter-A1")).isZero();
    }

    @Test
    void a_mailer_cannot_run_the_auditors_ledger_wide_queries() throws LedgerException {
        consortium.registerMeter("meter-A1", Consortium.MAILER_A);
        AuditorClient impostor = AuditorClient.of(consortium.connect(consortium.mailerAOperator));

        LedgerException totals = catchThrowableOfType(LedgerException.class, impostor::totals);
        LedgerException audit = catchThrowableOfType(LedgerException.class,
                () -> impostor.audit(org.postalfunds.client.audit.LedgerIndex.Progress.NONE));

        assertThat(totals.errorCode()).hasValue(ErrorCode.NOT_AUTHORISED);
        assertThat(audit.errorCode()).hasValue(ErrorCode.NOT_AUTHORISED);
    }

    @Test
    void a_mailer_cannot_read_another_owners_meter() throws LedgerException {
        consortium.registerMeter("meter-B1", Consortium.MAILER_B);
        MeterClient meterA = consortium.registerMeter("meter-A1", Consortium.MAILER_A);

        LedgerException read = catchThrowableOfType(LedgerException.class, () -> meterA.meter("meter-B1"));

        assertThat(read.errorCode()).hasValue(ErrorCode.NOT_AUTHORISED);
    }
}
