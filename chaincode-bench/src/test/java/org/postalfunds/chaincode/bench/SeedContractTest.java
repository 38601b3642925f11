package org.postalfunds.chaincode.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.chaincode.LedgerFixture;
import org.postalfunds.chaincode.access.Organisations;

/**
 * The seeder writes what a settled pull transfer leaves behind, in the production's key layout and format: the
 * production contract reads the seeded transfers back (getTransfer, listTransfers) as its own, and no funds move.
 */
class SeedContractTest {
    private final LedgerFixture fx = new LedgerFixture();
    private final SeedContract seed = new SeedContract();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void seeded_transfers_read_back_through_the_production_contract_as_accepted_and_move_no_funds() throws Exception {
        fx.registerMeter("m1", Organisations.MAILER_A);
        fx.registerMeter("m2", Organisations.MAILER_B);
        fx.refill("m1", 1_000);
        final var fundsBefore = fx.auditTotals();

        assertThat(fx.submit(fx.mailerA, ctx -> seed.seedSettledTransfers(ctx, "seed-1", "m1", "m2", "4")))
                .isEqualTo("{\"seeded\":4}");

        // Four records and eight index entries, nothing else (no escrow, no account).
        assertThat(fx.lastWrittenKeys()).hasSize(12).allMatch(key -> key.startsWith("~transfer~") || key.startsWith("~transfer-by-meter~"));
        final String first = SeedContract.transferId("seed-1", 0);
        final JsonNode transfer = json.readTree(fx.evaluate(fx.mailerA, ctx -> fx.contract.getTransfer(ctx, first)));
        assertThat(transfer.toString()).contains("\"state\":\"ACCEPTED\"", "\"donorMeterId\":\"m1\"",
                "\"recipientMeterId\":\"m2\"");
        final JsonNode page = json.readTree(fx.evaluate(fx.mailerA,
                ctx -> fx.contract.listTransfers(ctx, "m1", "ACCEPTED", "100", "")));
        assertThat(page.toString()).contains(first, SeedContract.transferId("seed-1", 1), SeedContract.transferId("seed-1", 3));
        assertThat(fx.auditTotals()).isEqualTo(fundsBefore);
        assertThat(fx.available("m1")).isEqualTo(1_000);
    }

    @Test
    void a_count_outside_one_call_s_limit_or_an_unknown_meter_is_refused() {
        fx.registerMeter("m1", Organisations.MAILER_A);
        fx.registerMeter("m2", Organisations.MAILER_B);
        fx.rejectsWith(ErrorCode.LIMIT_EXCEEDED, fx.mailerA, ctx -> seed.seedSettledTransfers(ctx, "s", "m1", "m2",
                Integer.toString(SeedContract.MAX_TRANSFERS_PER_CALL + 1)));
        fx.rejectsWith(ErrorCode.LIMIT_EXCEEDED, fx.mailerA, ctx -> seed.seedSettledTransfers(ctx, "s", "m1", "m2", "0"));
        fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.mailerA, ctx -> seed.seedSettledTransfers(ctx, "s", "m1", "m2", "x"));
        fx.rejectsWith(ErrorCode.UNKNOWN_METER, fx.mailerA, ctx -> seed.seedSettledTransfers(ctx, "s", "m1", "m9", "2"));
        fx.rejectsWith(ErrorCode.SELF_TRANSFER, fx.mailerA, ctx -> seed.seedSettledTransfers(ctx, "s", "m1", "m1", "2"));
    }
}
