package org.postalfunds.chaincode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.postalfunds.chaincode.access.Organisations;
import org.postalfunds.chaincode.fake.FakeLedger.Validation;
import org.postalfunds.chaincode.fake.FakeLedger;

/**
 * Fig. 4 under load: many recipients ask one distributor at once. All transactions of a round are endorsed against
 * the same state and committed in one block, which the fake ledger validates like a peer (MVCC read versions).
 */
class DistributorHotKeyTest {
    private static final int RECIPIENTS = 40;
    private final LedgerFixture fx = new LedgerFixture();

    private List<String> distributorWithRequests(final boolean withAllotments) {
        fx.registerMeter("dist", Organisations.MAILER_A);
        fx.refill("dist", 1_000_000);
        final List<String> transfers = new ArrayList<>();
        for (int i = 0; i < RECIPIENTS; i++) {
            final String recipient = "r" + i;
            fx.registerMeter(recipient, Organisations.MAILER_B);
            fx.authorise("dist", recipient);
            if (withAllotments) {
                fx.submit(fx.meter("dist"),
                        ctx -> fx.contract.fundAllotment(ctx, fx.nextRequestId(), "dist", recipient, "5000"));
            }
            transfers.add(fx.request(recipient, "dist", 1_000));
        }
        return transfers;
    }

    private List<Validation> grantAllInOneBlock(final List<String> transfers) {
        final List<LedgerFixture.Endorsed> endorsed = new ArrayList<>();
        for (final String transferId : transfers) {
            endorsed.add(fx.endorse(fx.meter("dist"), ctx -> fx.contract.grantTransfer(ctx, fx.nextRequestId(),
                    transferId, String.valueOf(fx.nowSeconds() + 3_600))));
        }
        endorsed.forEach(each -> assertThat(each.failure()).isNull());
        return commit(endorsed);
    }

    private List<Validation> commit(final List<LedgerFixture.Endorsed> endorsed) {
        final List<Validation> results = fx.ledger.commitBlock(endorsed.stream().map(LedgerFixture.Endorsed::stub)
                .toList(), Collections.nCopies(endorsed.size(), LedgerFixture.ALL_ORGS));
        return results;
    }

    private static long conflicts(final List<Validation> results) {
        return results.stream().filter(result -> result != Validation.VALID).count();
    }

    @Test
    void grants_from_per_recipient_allotments_all_commit_in_the_same_block() {
        final List<Validation> results = grantAllInOneBlock(distributorWithRequests(true));
        System.out.printf("distributor grants with allotments: %d of %d in one block conflicted%n",
                conflicts(results), RECIPIENTS);
        assertThat(results).containsOnly(Validation.VALID);
    }

    @Test
    void grants_from_the_distributors_own_psd_conflict_on_its_key_all_but_one() {
        final List<Validation> results = grantAllInOneBlock(distributorWithRequests(false));
        System.out.printf("distributor grants without allotments: %d of %d in one block conflicted%n",
                conflicts(results), RECIPIENTS);
        assertThat(results).filteredOn(result -> result == Validation.VALID).hasSize(1);
        assertThat(results).filteredOn(result -> result == Validation.MVCC_READ_CONFLICT).hasSize(RECIPIENTS - 1);
    }

    @Test
    void concurrent_requests_to_one_distributor_and_concurrent_accepts_never_conflict() {
        fx.registerMeter("dist", Organisations.MAILER_A);
        fx.refill("dist", 1_000_000);
        for (int i = 0; i < RECIPIENTS; i++) {
            fx.registerMeter("r" + i, Organisations.MAILER_B);
            fx.authorise("dist", "r" + i);
            final String recipient = "r" + i;
            fx.submit(fx.meter("dist"),
                    ctx -> fx.contract.fundAllotment(ctx, fx.nextRequestId(), "dist", recipient, "5000"));
        }
        final List<LedgerFixture.Endorsed> requests = new ArrayList<>();
        for (int i = 0; i < RECIPIENTS; i++) {
            final String recipient = "r" + i;
            requests.add(fx.endorse(fx.meter(recipient), ctx -> fx.contract.requestTransfer(ctx, fx.nextRequestId(),
                    recipient, "dist", "1000", String.valueOf(fx.nowSeconds() + 600))));
        }
        assertThat(commit(requests)).containsOnly(Validation.VALID);

        final List<String> transfers = requests.stream().map(each -> each.stub().getTxId()).toList();
        assertThat(grantAllInOneBlock(transfers)).containsOnly(Validation.VALID);

        final List<LedgerFixture.Endorsed> accepts = new ArrayList<>();
        for (int i = 0; i < RECIPIENTS; i++) {
            final String transferId = transfers.get(i);
            accepts.add(fx.endorse(fx.meter("r" + i),
                    ctx -> fx.contract.acceptTransfer(ctx, fx.nextRequestId(), transferId)));
        }
        assertThat(commit(accepts)).containsOnly(Validation.VALID);
        assertThat(fx.available("r7")).isEqualTo(1_000);
        assertThat(fx.auditTotals().at("/proof/balanced").asBoolean()).isTrue();
    }

    @Test
    void two_requests_with_the_same_request_id_in_one_block_move_funds_once() {
        fx.registerMeter("dist", Organisations.MAILER_A);
        fx.registerMeter("r0", Organisations.MAILER_B);
        fx.refill("dist", 10_000);
        fx.authorise("dist", "r0");
        final long deadline = fx.nowSeconds() + 600;
        final LedgerFixture.Endorsed first = fx.endorse(fx.meter("dist"),
                ctx -> fx.contract.offerTransfer(ctx, "same", "dist", "r0", "100", String.valueOf(deadline)));
        final LedgerFixture.Endorsed retry = fx.endorse(fx.meter("dist"),
                ctx -> fx.contract.offerTransfer(ctx, "same", "dist", "r0", "100", String.valueOf(deadline)));
        assertThat(fx.ledger.commitBlock(List.of(first.stub(), retry.stub()),
                List.of(LedgerFixture.ALL_ORGS, LedgerFixture.ALL_ORGS)))
                .containsExactly(Validation.VALID, Validation.MVCC_READ_CONFLICT);
        assertThat(fx.available("dist")).isEqualTo(9_900);
        assertThat(Set.copyOf(FakeLedger.orgsOf(fx.ledger.validationParameter(
                org.postalfunds.chaincode.state.Keys.escrow(first.stub().getTxId())))))
                .containsExactlyInAnyOrder("DataCenterMSP", "MailerAMSP", "MailerBMSP");
    }
}
