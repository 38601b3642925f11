package org.postalfunds.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.model.AllotmentChange;
import org.postalfunds.client.model.TransferChange;

/** Offer -> acknowledge or reject (Fig. 3b), chained transfers, and a distributor's allotments (Fig. 4). */
class PushTransferAndAllotmentTest {
    private final Consortium consortium = new Consortium();

    private Instant inHours(final long hours) {
        return consortium.clock().instant().plus(Duration.ofHours(hours));
    }

    @Test
    void an_offer_acknowledged_by_the_recipient_delivers_and_one_rejected_returns() throws LedgerException {
        MeterClient donor = consortium.fundedMeter("meter-B1", Consortium.MAILER_B, 10_000);
        MeterClient recipient = consortium.registerMeter("meter-C1", Consortium.MAILER_A);

        TransferChange offered = donor.offer(RequestId.random(), "meter-C1", 3_000, inHours(3));
        TransferChange acknowledged = recipient.acknowledge(RequestId.random(), offered.transferId());
        TransferChange second = donor.offer(RequestId.random(), "meter-C1", 1_000, inHours(3));
        TransferChange rejected = recipient.reject(RequestId.random(), second.transferId(), "not expected");

        assertThat(offered.transfer().state()).isEqualTo(TransferState.OFFERED);
        assertThat(acknowledged.transfer().state()).isEqualTo(TransferState.ACKNOWLEDGED);
        assertThat(rejected.transfer().state()).isEqualTo(TransferState.REJECTED);
        assertThat(consortium.available("meter-C1")).isEqualTo(3_000);
        assertThat(consortium.available("meter-B1")).isEqualTo(7_000);
    }

    @Test
    void funds_travel_on_from_a_recipient_to_a_third_meter() throws LedgerException {
        MeterClient a = consortium.fundedMeter("meter-A1", Consortium.MAILER_A, 5_000);
        MeterClient b = consortium.registerMeter("meter-B1", Consortium.MAILER_B);
        MeterClient c = consortium.registerMeter("meter-C1", Consortium.MAILER_A);

        b.acknowledge(RequestId.random(), a.offer(RequestId.random(), "meter-B1", 2_000, inHours(1)).transferId());
        c.acknowledge(RequestId.random(), b.offer(RequestId.random(), "meter-C1", 1_500, inHours(1)).transferId());

        assertThat(consortium.available("meter-A1")).isEqualTo(3_000);
        assertThat(consortium.available("meter-B1")).isEqualTo(500);
        assertThat(consortium.available("meter-C1")).isEqualTo(1_500);
    }

    @Test
    void a_distributor_grants_from_the_allotment_it_keeps_for_the_recipient() throws LedgerException {
        MeterClient distributor = consortium.fundedMeter("meter-B1", Consortium.MAILER_B, 10_000);
        MeterClient recipient = consortium.registerMeter("meter-A1", Consortium.MAILER_A);
        distributor.authoriseRequester(RequestId.random(), "meter-A1");
        AllotmentChange funded = distributor.fundAllotment(RequestId.random(), "meter-A1", 4_000);

        String transferId = recipient.request(RequestId.random(), "meter-B1", 1_000, inHours(1)).transferId();
        TransferChange granted = distributor.grant(RequestId.random(), transferId, inHours(2));
        recipient.accept(RequestId.random(), transferId);
        AllotmentChange released = distributor.releaseAllotment(RequestId.random(), "meter-A1", 500);

        assertThat(funded.allotment().availableMinorUnits()).isEqualTo(4_000);
        assertThat(funded.registers().descendingRegisterMinorUnits()).isEqualTo(6_000);
        assertThat(granted.transfer().fundingAccount()).isEqualTo("ALLOTMENT:meter-B1:meter-A1");
        assertThat(released.allotment().availableMinorUnits()).isEqualTo(2_500);
        assertThat(distributor.allotment("meter-A1").controlSumHolds()).isTrue();
        assertThat(consortium.available("meter-B1")).isEqualTo(6_500);
        assertThat(consortium.available("meter-A1")).isEqualTo(1_000);
    }

    @Test
    void a_revoked_requester_may_no_longer_request() throws LedgerException {
        MeterClient donor = consortium.fundedMeter("meter-B1", Consortium.MAILER_B, 10_000);
        MeterClient recipient = consortium.registerMeter("meter-A1", Consortium.MAILER_A);
        donor.authoriseRequester(RequestId.random(), "meter-A1");
        assertThat(donor.authorisedRequesters(10, "").authorisedRequesters()).extracting(r -> r.requesterMeterId())
                .containsExactly("meter-A1");

        donor.revokeRequester(RequestId.random(), "meter-A1");
        LedgerException refused = catchThrowableOfType(LedgerException.class,
                () -> recipient.request(RequestId.random(), "meter-B1", 10, inHours(1)));

        assertThat(refused.errorCode()).hasValue(ErrorCode.REQUESTER_NOT_AUTHORISED);
        assertThat(donor.authorisedRequesters(10, "").authorisedRequesters()).isEmpty();
    }
}
