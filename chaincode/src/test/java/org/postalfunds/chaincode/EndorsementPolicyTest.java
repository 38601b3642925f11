package org.postalfunds.chaincode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postalfunds.chaincode.access.Organisations;
import org.postalfunds.chaincode.fake.FakeLedger.Validation;

/**
 * Key-level endorsement: a meter's account, and a transfer's escrow, change only when the data center's peer and
 * the owners' peers all endorsed. The fake ledger validates the policies the contract set, as a peer would.
 */
class EndorsementPolicyTest {
    private final LedgerFixture fx = new LedgerFixture();

    @BeforeEach
    void meters() {
        fx.registerMeter("m1", Organisations.MAILER_A);
        fx.registerMeter("m2", Organisations.MAILER_B);
        fx.refill("m1", 1_000);
        fx.authorise("m1", "m2");
    }

    @Test
    void a_grant_endorsed_by_the_data_center_and_both_owners_commits() {
        final String transferId = fx.request("m2", "m1", 100);
        final var grant = fx.endorse(fx.meter("m1"),
                ctx -> fx.contract.grantTransfer(ctx, "g1", transferId, String.valueOf(fx.nowSeconds() + 60)));
        assertThat(fx.ledger.commit(grant.stub(), Set.of("DataCenterMSP", "MailerAMSP", "MailerBMSP")))
                .isEqualTo(Validation.VALID);
    }

    @Test
    void a_grant_without_the_donor_owners_peer_is_rejected_at_validation() {
        final String transferId = fx.request("m2", "m1", 100);
        final var grant = fx.endorse(fx.meter("m1"),
                ctx -> fx.contract.grantTransfer(ctx, "g1", transferId, String.valueOf(fx.nowSeconds() + 60)));
        assertThat(fx.ledger.commit(grant.stub(), Set.of("DataCenterMSP", "MailerBMSP")))
                .isEqualTo(Validation.ENDORSEMENT_POLICY_FAILURE);
        assertThat(fx.available("m1")).isEqualTo(1_000);
    }

    @Test
    void an_accept_without_the_recipient_owners_peer_is_rejected_at_validation() {
        final String transferId = fx.request("m2", "m1", 100);
        fx.grant(transferId, "m1");
        final var accept = fx.endorse(fx.meter("m2"), ctx -> fx.contract.acceptTransfer(ctx, "a1", transferId));
        assertThat(fx.ledger.commit(accept.stub(), Set.of("DataCenterMSP", "MailerAMSP")))
                .isEqualTo(Validation.ENDORSEMENT_POLICY_FAILURE);
    }

    @Test
    void a_refill_without_the_owners_peer_is_rejected_at_validation() {
        final var refill = fx.endorse(fx.dataCenter, ctx -> fx.contract.refillMeter(ctx, "r1", "m1", "10"));
        assertThat(fx.ledger.commit(refill.stub(), Set.of("DataCenterMSP")))
                .isEqualTo(Validation.ENDORSEMENT_POLICY_FAILURE);
    }

    @Test
    void a_suspension_needs_no_owner_endorsement() {
        final var suspend = fx.endorse(fx.dataCenter, ctx -> fx.contract.suspendMeter(ctx, "s1", "m1", "audit"));
        assertThat(fx.ledger.commit(suspend.stub(), Set.of("DataCenterMSP"))).isEqualTo(Validation.VALID);
    }
}
