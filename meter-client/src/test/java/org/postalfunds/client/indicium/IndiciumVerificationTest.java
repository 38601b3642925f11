package org.postalfunds.client.indicium;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postalfunds.api.format.IndiciumEncoding;
import org.postalfunds.api.model.Indicium;
import org.postalfunds.api.model.IndiciumVerdict;
import org.postalfunds.client.Consortium;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.audit.IndiciumCheck;
import org.postalfunds.client.model.Postage;

/** An auditor verifies indicia read back from their files: genuine ones pass, tampered and replayed ones do not. */
class IndiciumVerificationTest {
    private final Consortium consortium = new Consortium();
    private Indicium printed;

    @BeforeEach
    void aPrintedPiece() throws Exception {
        MeterClient meter = consortium.fundedMeter("meter-A1", Consortium.MAILER_A, 1_000);
        printed = meter.printPostage(RequestId.random(), new Postage(150, "SW1A 1AA", "GB", "LETTER-1ST")).record().indicium();
    }

    @Test
    void a_printed_indicium_read_back_from_its_data_matrix_is_genuine(@TempDir final Path directory) throws Exception {
        IndiciumFiles.Written files = IndiciumFiles.write(printed, directory);

        Indicium fromPng = IndiciumFiles.read(files.png());
        Indicium fromJson = IndiciumFiles.read(files.json());
        IndiciumCheck check = consortium.auditor.verifyIndicium(fromPng);

        assertThat(fromPng).isEqualTo(printed).isEqualTo(fromJson);
        assertThat(check.verdict()).isEqualTo(IndiciumVerdict.GENUINE);
        assertThat(check.signatureValid()).hasValue(true);
        assertThat(check.accepted()).isTrue();
        assertThat(check.ledger().ledgerRecord()).hasValueSatisfying(r -> assertThat(r.indicium()).isEqualTo(printed));
    }

    @Test
    void changing_one_byte_of_the_amount_is_caught_as_a_forgery(@TempDir final Path directory) throws Exception {
        Path json = IndiciumFiles.write(printed, directory).json();
        String text = Files.readString(json);
        Files.writeString(json, text.replace("\"amountMinorUnits\":150", "\"amountMinorUnits\":450"));

        IndiciumCheck check = consortium.auditor.verifyIndicium(IndiciumFiles.read(json));

        assertThat(Files.readString(json)).hasSameSizeAs(text);
        assertThat(check.verdict()).isEqualTo(IndiciumVerdict.FORGED);
        assertThat(check.signatureValid()).hasValue(false);
        assertThat(check.signatureDisagreesWithLedger()).isFalse();
        assertThat(check.accepted()).isFalse();
    }

    @Test
    void changing_one_byte_of_the_signature_is_caught_as_a_forgery() throws Exception {
        char[] signature = printed.signature().toCharArray();
        int position = 20;
        signature[position] = signature[position] == 'A' ? 'B' : 'A';
        Indicium tampered = new Indicium(printed.meterId(), printed.pieceNumber(), printed.amountMinorUnits(),
                printed.mailingDate(), printed.destinationPostalCode(), printed.destinationCountryCode(),
                printed.rateCode(), new String(signature));

        IndiciumCheck check = consortium.auditor.verifyIndicium(tampered);

        assertThat(check.verdict()).isEqualTo(IndiciumVerdict.FORGED);
        assertThat(check.accepted()).isFalse();
    }

    @Test
    void the_same_indicium_scanned_a_second_time_is_a_duplicate() throws Exception {
        IndiciumCheck first = consortium.auditor.scanIndicium(RequestId.random(), printed);
        IndiciumCheck replayed = consortium.auditor.scanIndicium(RequestId.random(), printed);

        assertThat(first.verdict()).isEqualTo(IndiciumVerdict.GENUINE);
        assertThat(first.accepted()).isTrue();
        assertThat(first.scanReceipt()).isPresent();
        assertThat(replayed.verdict()).isEqualTo(IndiciumVerdict.DUPLICATE);
        assertThat(replayed.ledger().scanCount()).isEqualTo(2);
        assertThat(replayed.accepted()).isFalse();
        assertThat(consortium.auditor.verifyIndicium(printed).ledger().scanCount()).isEqualTo(2);
    }

    @Test
    void a_correctly_signed_indicium_that_was_never_paid_for_is_not_on_the_ledger() throws Exception {
        Indicium unpaid = Indicia.sign(new IndiciumEncoding.Fields("meter-A1", 2, 150,
                LocalDate.ofInstant(consortium.clock().instant(), ZoneOffset.UTC), "SW1A 1AA", "GB", "LETTER-1ST"),
                Consortium.signer(consortium.meterKey("meter-A1")));

        IndiciumCheck check = consortium.auditor.verifyIndicium(unpaid);

        assertThat(check.signatureValid()).hasValue(true);
        assertThat(check.verdict()).isEqualTo(IndiciumVerdict.NOT_ON_LEDGER);
        assertThat(check.accepted()).isFalse();
    }

    @Test
    void an_indicium_naming_an_unknown_meter_cannot_have_its_signature_checked() throws Exception {
        Indicium stranger = new Indicium("meter-Z9", 1, 150, printed.mailingDate(), "SW1A 1AA", "GB", "LETTER-1ST",
                printed.signature());

        IndiciumCheck check = consortium.auditor.verifyIndicium(stranger);

        assertThat(check.verdict()).isEqualTo(IndiciumVerdict.UNKNOWN_METER);
        assertThat(check.signatureValid()).isEmpty();
        assertThat(check.accepted()).isFalse();
    }
}
