package org.postalfunds.chaincode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postalfunds.chaincode.LedgerFixture.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.chaincode.access.Organisations;
import org.postalfunds.chaincode.fake.TestIdentity;
import org.postalfunds.chaincode.state.Keys;

/** Push transfers (Fig. 3b): donor m1 offers, recipient m2 acknowledges or rejects. No requester list is needed. */
class PushTransferTest {
    private final LedgerFixture fx = new LedgerFixture();
    private TestIdentity donor;
    private TestIdentity recipient;

    @BeforeEach
    void meters() {
        donor = fx.registerMeter("m1", Organisations.MAILER_A);
        recipient = fx.registerMeter("m2", Organisations.MAILER_B);
        fx.refill("m1", 5_000);
    }

    @Nested
    class OfferTransfer {
        @Test
        void the_donor_offers_and_the_funds_wait_in_escrow() {
            final JsonNode result = json(fx.submit(donor,
                    ctx -> fx.contract.offerTransfer(ctx, "o1", "m1", "m2", "700", String.valueOf(fx.nowSeconds() + 600))));
            assertThat(result.at("/event").asText()).isEqualTo("TransferOffered");
            assertThat(result.at("/transfer/kind").asText()).isEqualTo("PUSH");
            assertThat(result.at("/transfer/state").asText()).isEqualTo("OFFERED");
            assertThat(result.at("/escrow/heldMinorUnits").asLong()).isEqualTo(700);
            assertThat(fx.available("m1")).isEqualTo(4_300);
        }

        @Test
        void only_the_donor_meter_offers_its_own_funds() {
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, recipient,
                    ctx -> fx.contract.offerTransfer(ctx, "o1", "m1", "m2", "700", String.valueOf(fx.nowSeconds() + 600)));
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.mailerA,
                    ctx -> fx.contract.offerTransfer(ctx, "o1", "m1", "m2", "700", String.valueOf(fx.nowSeconds() + 600)));
        }

        @Test
        void an_offer_beyond_the_funds_or_to_a_withdrawn_meter_is_refused() {
            fx.rejectsWith(ErrorCode.INSUFFICIENT_FUNDS, donor,
                    ctx -> fx.contract.offerTransfer(ctx, "o1", "m1", "m2", "5001", String.valueOf(fx.nowSeconds() + 600)));
            fx.submit(fx.dataCenter, ctx -> fx.contract.withdrawMeter(ctx, "w1", "m2"));
            fx.rejectsWith(ErrorCode.METER_WITHDRAWN, donor,
                    ctx -> fx.contract.offerTransfer(ctx, "o2", "m1", "m2", "10", String.valueOf(fx.nowSeconds() + 600)));
        }

        @Test
        void an_open_offer_blocks_the_withdrawal_of_either_party_and_a_rejection_returns_to_a_live_donor() {
            final String transferId = fx.offer("m1", "m2", 700);
            fx.rejectsWith(ErrorCode.TRANSFERS_OPEN, fx.dataCenter, ctx -> fx.contract.withdrawMeter(ctx, "w1", "m1"));
            fx.rejectsWith(ErrorCode.TRANSFERS_OPEN, fx.dataCenter, ctx -> fx.contract.withdrawMeter(ctx, "w2", "m2"));
            final JsonNode rejected = json(fx.submit(recipient,
                    ctx -> fx.contract.rejectTransfer(ctx, "x1", transferId, "not expected")));
            // The donor is still a meter: the funds go back to it, not on to issued funds.
            assertThat(rejected.at("/movements").size()).isEqualTo(1);
            assertThat(rejected.at("/movements/0/creditAccount").asText()).isEqualTo("METER:m1");
            assertThat(fx.available("m1")).isEqualTo(5_000);
            final JsonNode withdrawn = json(fx.submit(fx.dataCenter,
                    ctx -> fx.contract.withdrawMeter(ctx, "w1", "m1")));
            assertThat(withdrawn.at("/registers/withdrawnMinorUnits").asLong()).isEqualTo(5_000);
            assertThat(fx.auditTotals().at("/proof/balanced").asBoolean()).isTrue();
        }

        @Test
        void a_withdrawn_donor_cannot_offer() {
            fx.submit(fx.dataCenter, ctx -> fx.contract.withdrawMeter(ctx, "w1", "m1"));
            fx.rejectsWith(ErrorCode.METER_WITHDRAWN, donor,
                    ctx -> fx.contract.offerTransfer(ctx, "o1", "m1", "m2", "10", String.valueOf(fx.nowSeconds() + 600)));
        }
    }

    @Nested
    class AcknowledgeTransfer {
        @Test
        void the_recipient_acknowledges_and_receives_the_funds() {
            final String transferId = fx.offer("m1", "m2", 700);
            final JsonNode result = json(fx.submit(recipient,
                    ctx -> fx.contract.acknowledgeTransfer(ctx, "k1", transferId)));
            assertThat(result.at("/event").asText()).isEqualTo("TransferAcknowledged");
            assertThat(fx.available("m2")).isEqualTo(700);
            assertThat(fx.ledger.value(Keys.escrow(transferId))).isEmpty();
        }

        @Test
        void acknowledging_twice_after_the_deadline_or_as_the_donor_is_refused() {
            final String transferId = fx.offer("m1", "m2", 700);
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, donor,
                    ctx -> fx.contract.acknowledgeTransfer(ctx, "k1", transferId));
            fx.advance(Duration.ofHours(1));
            fx.rejectsWith(ErrorCode.DEADLINE_PASSED, recipient,
                    ctx -> fx.contract.acknowledgeTransfer(ctx, "k1", transferId));
            final String second = fx.offer("m1", "m2", 10);
            fx.submit(recipient, ctx -> fx.contract.acknowledgeTransfer(ctx, "k2", second));
            fx.rejectsWith(ErrorCode.ILLEGAL_TRANSITION, recipient,
                    ctx -> fx.contract.acknowledgeTransfer(ctx, "k3", second));
        }

        @Test
        void a_pull_action_on_a_push_transfer_is_an_illegal_transition() {
            final String transferId = fx.offer("m1", "m2", 700);
            fx.rejectsWith(ErrorCode.ILLEGAL_TRANSITION, recipient,
                    ctx -> fx.contract.acceptTransfer(ctx, "a1", transferId));
            fx.rejectsWith(ErrorCode.ILLEGAL_TRANSITION, donor,
                    ctx -> fx.contract.grantTransfer(ctx, "g1", transferId, String.valueOf(fx.nowSeconds() + 60)));
        }
    }

    @Nested
    class RejectTransfer {
        @Test
        void the_recipient_rejects_and_the_funds_return_to_the_donor() {
            final String transferId = fx.offer("m1", "m2", 700);
            final JsonNode result = json(fx.submit(recipient,
                    ctx -> fx.contract.rejectTransfer(ctx, "x1", transferId, "not expected")));
            assertThat(result.at("/event").asText()).isEqualTo("TransferRejected");
            assertThat(result.at("/transfer/reason").asText()).isEqualTo("not expected");
            assertThat(fx.available("m1")).isEqualTo(5_000);
            fx.rejectsWith(ErrorCode.ILLEGAL_TRANSITION, recipient,
                    ctx -> fx.contract.acknowledgeTransfer(ctx, "k1", transferId));
        }

        @Test
        void only_the_recipient_rejects() {
            final String transferId = fx.offer("m1", "m2", 700);
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, donor,
                    ctx -> fx.contract.rejectTransfer(ctx, "x1", transferId, "mine"));
        }
    }

    @Nested
    class ExpireOffer {
        @Test
        void an_unanswered_offer_expires_back_to_the_donor() {
            final String transferId = fx.offer("m1", "m2", 700);
            fx.rejectsWith(ErrorCode.DEADLINE_NOT_REACHED, recipient,
                    ctx -> fx.contract.expireTransfer(ctx, "e1", transferId));
            fx.advance(Duration.ofHours(1));
            final JsonNode result = json(fx.submit(recipient,
                    ctx -> fx.contract.expireTransfer(ctx, "e1", transferId)));
            assertThat(result.at("/event").asText()).isEqualTo("TransferExpired");
            assertThat(fx.available("m1")).isEqualTo(5_000);
            assertThat(fx.meterView("m1").at("/registers/transferredInMinorUnits").asLong()).isEqualTo(700);
        }
    }
}
