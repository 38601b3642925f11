package org.postalfunds.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.model.TransferAction;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.client.ledger.FailureKind;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.model.TransferChange;

/** Request -> grant or deny -> accept or cancel (Fig. 3a), through the meter client against the real contract. */
class PullTransferTest {
    private final Consortium consortium = new Consortium();
    private MeterClient recipient;
    private MeterClient donor;

    @BeforeEach
    void twoMetersOfDifferentOwners() throws LedgerException {
        recipient = consortium.fundedMeter("meter-A1", Consortium.MAILER_A, 1_000);
        donor = consortium.fundedMeter("meter-B1", Consortium.MAILER_B, 50_000);
        donor.authoriseRequester(RequestId.random(), "meter-A1");
    }

    private Instant inHours(final long hours) {
        return consortium.clock().instant().plus(Duration.ofHours(hours));
    }

    @Test
    void a_granted_and_accepted_request_moves_the_amount_from_donor_to_recipient_through_escrow() throws LedgerException {
        TransferChange requested = recipient.request(RequestId.random(), "meter-B1", 7_500, inHours(24));
        assertThat(requested.transfer().state()).isEqualTo(TransferState.REQUESTED);
        assertThat(requested.receipt().event()).isEqualTo("TransferRequested");

        TransferChange granted = donor.grant(RequestId.random(), requested.transferId(), inHours(72));
        assertThat(granted.transfer().state()).isEqualTo(TransferState.GRANTED);
        assertThat(granted.heldEscrow()).hasValueSatisfying(escrow -> assertThat(escrow.heldMinorUnits()).isEqualTo(7_500));
        assertThat(granted.receipt().movements()).singleElement().satisfies(movement -> {
            assertThat(movement.debitAccount()).isEqualTo("METER:meter-B1");
            assertThat(movement.creditAccount()).isEqualTo("ESCROW:" + requested.transferId());
        });

        TransferChange accepted = recipient.accept(RequestId.random(), requested.transferId());
        assertThat(accepted.transfer().state()).isEqualTo(TransferState.ACCEPTED);
        assertThat(accepted.heldEscrow()).isEmpty();
        assertThat(consortium.available("meter-A1")).isEqualTo(8_500);
        assertThat(consortium.available("meter-B1")).isEqualTo(42_500);
        assertThat(recipient.balance().registers().controlSumHolds()).isTrue();
    }

    @Test
    void a_denied_request_moves_nothing_and_carries_the_reason() throws LedgerException {
        String transferId = recipient.request(RequestId.random(), "meter-B1", 100, inHours(1)).transferId();

        TransferChange denied = donor.deny(RequestId.random(), transferId, "not this month");

        assertThat(denied.transfer().state()).isEqualTo(TransferState.DENIED);
        assertThat(denied.transfer().reason()).isEqualTo("not this month");
        assertThat(denied.receipt().movements()).isEmpty();
        assertThat(consortium.available("meter-B1")).isEqualTo(50_000);
    }

    @Test
    void a_cancelled_grant_returns_the_escrow_to_the_donor() throws LedgerException {
        String transferId = recipient.request(RequestId.random(), "meter-B1", 2_000, inHours(1)).transferId();
        donor.grant(RequestId.random(), transferId, inHours(2));

        TransferChange cancelled = recipient.cancel(RequestId.random(), transferId);

        assertThat(cancelled.transfer().state()).isEqualTo(TransferState.CANCELLED);
        assertThat(consortium.available("meter-B1")).isEqualTo(50_000);
        assertThat(consortium.available("meter-A1")).isEqualTo(1_000);
    }

    @Test
    void a_grant_left_past_its_deadline_is_expired_by_anyone_and_the_funds_go_home() throws LedgerException {
        String transferId = recipient.request(RequestId.random(), "meter-B1", 3_000, inHours(1)).transferId();
        donor.grant(RequestId.random(), transferId, inHours(2));
        MeterClient bystander = consortium.registerMeter("meter-A2", Consortium.MAILER_A);

        LedgerException early = catchThrowableOfType(LedgerException.class,
                () -> bystander.expire(RequestId.random(), transferId));
        consortium.clock().advance(Duration.ofHours(2));
        TransferChange expired = bystander.expire(RequestId.random(), transferId);

        assertThat(early.errorCode()).hasValue(ErrorCode.DEADLINE_NOT_REACHED);
        assertThat(expired.transfer().state()).isEqualTo(TransferState.EXPIRED);
        assertThat(consortium.available("meter-B1")).isEqualTo(50_000);
    }

    @Test
    void a_request_to_a_donor_that_did_not_authorise_the_requester_is_refused_with_its_code() throws LedgerException {
        MeterClient stranger = consortium.fundedMeter("meter-A9", Consortium.MAILER_A, 10);

        LedgerException refused = catchThrowableOfType(LedgerException.class,
                () -> stranger.request(RequestId.random(), "meter-B1", 100, inHours(1)));

        assertThat(refused.kind()).isEqualTo(FailureKind.REFUSED);
        assertThat(refused.errorCode()).hasValue(ErrorCode.REQUESTER_NOT_AUTHORISED);
        assertThat(refused.attempts()).isEqualTo(1);
        assertThat(refused.requestId()).isPresent();
    }

    @Test
    void the_recipient_lists_its_open_transfers_and_sees_their_steps() throws LedgerException {
        String first = recipient.request(RequestId.random(), "meter-B1", 100, inHours(1)).transferId();
        String second = recipient.request(RequestId.random(), "meter-B1", 200, inHours(1)).transferId();
        donor.grant(RequestId.random(), second, inHours(2));

        assertThat(recipient.transfers(TransferState.REQUESTED, 100)).extracting(t -> t.transferId()).containsExactly(first);
        assertThat(recipient.transfers(TransferState.GRANTED, 100)).extracting(t -> t.transferId()).containsExactly(second);
        assertThat(recipient.transfer(second).transfer().steps()).extracting(step -> step.action())
                .containsExactly(TransferAction.REQUEST, TransferAction.GRANT);
        assertThat(recipient.history(10).history()).isNotEmpty();
    }
}
