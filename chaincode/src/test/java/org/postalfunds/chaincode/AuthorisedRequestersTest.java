package org.postalfunds.chaincode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postalfunds.chaincode.LedgerFixture.json;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.chaincode.access.Organisations;

class AuthorisedRequestersTest {
    private final LedgerFixture fx = new LedgerFixture();

    @BeforeEach
    void meters() {
        fx.registerMeter("d", Organisations.MAILER_A);
        fx.registerMeter("r1", Organisations.MAILER_B);
        fx.registerMeter("r2", Organisations.MAILER_B);
    }

    @Nested
    class AuthoriseRequester {
        @Test
        void the_donors_owner_or_the_donor_meter_adds_a_requester() {
            final JsonNode result = json(fx.submit(fx.mailerA,
                    ctx -> fx.contract.authoriseRequester(ctx, "a1", "d", "r1")));
            assertThat(result.at("/event").asText()).isEqualTo("RequesterAuthorised");
            assertThat(result.at("/authorisedRequester/authorisedByMsp").asText()).isEqualTo("MailerAMSP");
            assertThat(fx.lastWrittenKeys()).containsExactlyInAnyOrder("~request~MailerAMSP~a1~", "~requester~d~r1~");
            fx.submit(fx.meter("d"), ctx -> fx.contract.authoriseRequester(ctx, "a2", "d", "r2"));
        }

        @Test
        void another_organisation_cannot_add_requesters_to_the_donors_list() {
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.mailerB,
                    ctx -> fx.contract.authoriseRequester(ctx, "a1", "d", "r1"));
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.meter("r1"),
                    ctx -> fx.contract.authoriseRequester(ctx, "a1", "d", "r1"));
        }

        @Test
        void a_requester_is_listed_once_and_never_the_donor_itself() {
            fx.authorise("d", "r1");
            fx.rejectsWith(ErrorCode.ILLEGAL_TRANSITION, fx.mailerA,
                    ctx -> fx.contract.authoriseRequester(ctx, "a2", "d", "r1"));
            fx.rejectsWith(ErrorCode.SELF_TRANSFER, fx.mailerA,
                    ctx -> fx.contract.authoriseRequester(ctx, "a3", "d", "d"));
            fx.rejectsWith(ErrorCode.UNKNOWN_METER, fx.mailerA,
                    ctx -> fx.contract.authoriseRequester(ctx, "a4", "d", "ghost"));
        }
    }

    @Nested
    class RevokeRequester {
        @Test
        void a_revoked_requester_can_no_longer_request() {
            fx.authorise("d", "r1");
            fx.refill("d", 100);
            final JsonNode result = json(fx.submit(fx.mailerA,
                    ctx -> fx.contract.revokeRequester(ctx, "v1", "d", "r1")));
            assertThat(result.at("/event").asText()).isEqualTo("RequesterRevoked");
            fx.rejectsWith(ErrorCode.REQUESTER_NOT_AUTHORISED, fx.meter("r1"),
                    ctx -> fx.contract.requestTransfer(ctx, "q1", "r1", "d", "10", String.valueOf(fx.nowSeconds() + 60)));
        }

        @Test
        void revoking_a_meter_not_on_the_list_is_refused() {
            fx.rejectsWith(ErrorCode.REQUESTER_NOT_AUTHORISED, fx.mailerA,
                    ctx -> fx.contract.revokeRequester(ctx, "v1", "d", "r1"));
        }
    }

    @Nested
    class ListAuthorisedRequesters {
        @Test
        void the_list_comes_in_pages() {
            fx.authorise("d", "r1");
            fx.authorise("d", "r2");
            final JsonNode first = json(fx.evaluate(fx.mailerA,
                    ctx -> fx.contract.listAuthorisedRequesters(ctx, "d", "1", "")));
            assertThat(first.at("/authorisedRequesters/0/requesterMeterId").asText()).isEqualTo("r1");
            final JsonNode second = json(fx.evaluate(fx.mailerA,
                    ctx -> fx.contract.listAuthorisedRequesters(ctx, "d", "1", first.at("/bookmark").asText())));
            assertThat(second.at("/authorisedRequesters/0/requesterMeterId").asText()).isEqualTo("r2");
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.mailerB,
                    ctx -> fx.contract.listAuthorisedRequesters(ctx, "d", "1", ""));
        }
    }
}
