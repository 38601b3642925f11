package org.postalfunds.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.model.MeterKind;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.model.Postage;
import org.postalfunds.client.model.PrintedPostage;

/** Printing postage: the client builds the next indicium, the PSD signs it, the contract debits and records it. */
class PrintPostageTest {
    private final Consortium consortium = new Consortium();
    private final Postage letter = new Postage(85, "10115", "DE", "LETTER-STD");

    @Test
    void a_print_debits_the_postage_and_records_an_indicium_signed_by_the_psd_key() throws Exception {
        MeterClient meter = consortium.fundedMeter("meter-A1", Consortium.MAILER_A, 1_000);

        PrintedPostage printed = meter.printPostage(RequestId.random(), letter);

        assertThat(printed.record().indicium().pieceNumber()).isEqualTo(1);
        assertThat(printed.record().indicium().mailingDay())
                .isEqualTo(LocalDate.ofInstant(consortium.clock().instant(), ZoneOffset.UTC));
        assertThat(printed.record().indicium().signedBy(consortium.meterKey("meter-A1").keyPair().getPublic())).isTrue();
        assertThat(printed.registers().descendingRegisterMinorUnits()).isEqualTo(915);
        assertThat(printed.registers().ascendingRegisterMinorUnits()).isEqualTo(85);
        assertThat(printed.receipt().movements()).singleElement()
                .satisfies(m -> assertThat(m.creditAccount()).isEqualTo("POSTAGE_REVENUE:meter-A1"));
        assertThat(meter.indicium(1).indicium()).isEqualTo(printed.record().indicium());
    }

    @Test
    void consecutive_prints_number_their_pieces_from_the_ledgers_piece_count() throws Exception {
        MeterClient meter = consortium.fundedMeter("meter-A1", Consortium.MAILER_A, 1_000);
        meter.printPostage(RequestId.random(), letter);

        PrintedPostage second = meter.printPostage(RequestId.random(), letter);

        assertThat(second.record().indicium().pieceNumber()).isEqualTo(2);
        assertThat(second.registers().pieceCount()).isEqualTo(2);
    }

    @Test
    void an_indicium_signed_with_a_key_other_than_the_registered_psd_key_is_refused() throws Exception {
        consortium.fundedMeter("meter-A1", Consortium.MAILER_A, 1_000);
        consortium.registerMeter("meter-A2", Consortium.MAILER_A);
        MeterClient wrongPsd = MeterClient.builder().ledger(consortium.connect(consortium.meterKey("meter-A1")))
                .meterId("meter-A1").psdSigner(Consortium.signer(consortium.meterKey("meter-A2")))
                .clock(consortium.clock()).build();

        LedgerException refused = catchThrowableOfType(LedgerException.class,
                () -> wrongPsd.printPostage(RequestId.random(), letter));

        assertThat(refused.errorCode()).hasValue(ErrorCode.INVALID_SIGNATURE);
        assertThat(consortium.available("meter-A1")).isEqualTo(1_000);
    }

    @Test
    void a_handheld_unit_cannot_print_and_postage_above_the_per_piece_limit_is_refused() throws Exception {
        MeterClient handheld = consortium.registerMeter("unit-A1", Consortium.MAILER_A, MeterKind.HANDHELD_METERING_UNIT);
        consortium.dataCenter.refill(RequestId.random(), "unit-A1", 1_000);
        MeterClient meter = consortium.fundedMeter("meter-A1", Consortium.MAILER_A, 100_000);

        LedgerException noPrinter = catchThrowableOfType(LedgerException.class,
                () -> handheld.printPostage(RequestId.random(), letter));
        LedgerException tooMuch = catchThrowableOfType(LedgerException.class,
                () -> meter.printPostage(RequestId.random(), new Postage(10_001, "10115", "DE", "LETTER-STD")));

        assertThat(noPrinter.errorCode()).hasValue(ErrorCode.PRINTING_NOT_SUPPORTED);
        assertThat(tooMuch.errorCode()).hasValue(ErrorCode.LIMIT_EXCEEDED);
    }
}
