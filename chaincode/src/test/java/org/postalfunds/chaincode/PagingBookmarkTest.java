package org.postalfunds.chaincode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postalfunds.chaincode.LedgerFixture.json;

import com.fasterxml.jackson.databind.JsonNode;
import org.hyperledger.fabric.shim.ledger.CompositeKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.chaincode.access.Organisations;
import org.postalfunds.chaincode.state.Keys;

/**
 * A paged query starts at whatever bookmark the client sends (the peer does not check it against the range), so the
 * contract accepts only bookmarks inside the query's own key range. Found by the Jazzer fuzz test: a bookmark from
 * elsewhere on the ledger listed other meters' transfers and requester entries, or failed with a non-contract error.
 */
class PagingBookmarkTest {
    private final LedgerFixture fx = new LedgerFixture();

    @BeforeEach
    void twoOwnersWithTransfersAndRequesters() {
        fx.registerMeter("a1", Organisations.MAILER_A);
        fx.registerMeter("b1", Organisations.MAILER_B);
        fx.registerMeter("b2", Organisations.MAILER_B);
        fx.refill("b1", 10_000);
        fx.refill("b2", 10_000);
        fx.authorise("b1", "b2");
        fx.authorise("b2", "a1");
        fx.request("b2", "b1", 100);
        fx.request("a1", "b2", 100);
    }

    @Nested
    class ListTransfers {
        @Test
        void a_bookmark_into_another_meters_transfers_is_refused() {
            // a1 (mailer A's) sorts before b2: from there the page would run through a1's and b1's entries into
            // b2's, showing mailer B another owner's transfers.
            final String foreign = Keys.transferByMeter("a1", "REQUESTED", "");
            fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.mailerB,
                    ctx -> fx.contract.listTransfers(ctx, "b2", "REQUESTED", "10", foreign));
        }

        @Test
        void a_bookmark_of_another_object_type_is_refused() {
            fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.mailerB,
                    ctx -> fx.contract.listTransfers(ctx, "b2", "REQUESTED", "10", Keys.meterAccount("a1")));
        }

        @Test
        void a_bookmark_past_the_end_of_the_range_is_refused() {
            final String pastTheEnd = new CompositeKey(Keys.TRANSFER_BY_METER, "b2", "REQUESTED") + "\udbff\udfffz";
            fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.mailerB,
                    ctx -> fx.contract.listTransfers(ctx, "b2", "REQUESTED", "10", pastTheEnd));
        }

        @Test
        void the_bookmark_of_the_previous_page_still_pages_on() {
            fx.request("b2", "b1", 200);
            final JsonNode first = json(fx.evaluate(fx.mailerB,
                    ctx -> fx.contract.listTransfers(ctx, "b2", "REQUESTED", "1", "")));
            final String bookmark = first.at("/bookmark").asText();
            final JsonNode second = json(fx.evaluate(fx.mailerB,
                    ctx -> fx.contract.listTransfers(ctx, "b2", "REQUESTED", "1", bookmark)));
            assertThat(second.at("/transfers").size()).isEqualTo(1);
            assertThat(second.at("/transfers/0/transferId").asText())
                    .isNotEqualTo(first.at("/transfers/0/transferId").asText());
        }
    }

    @Nested
    class ListAuthorisedRequesters {
        @Test
        void a_bookmark_into_another_donors_list_is_refused() {
            // b1's list sorts before b2's: a bookmark there would page through b1's entries into b2's.
            fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.mailerB,
                    ctx -> fx.contract.listAuthorisedRequesters(ctx, "b2", "10", Keys.requester("b1", "b2")));
        }

        @Test
        void a_bookmark_of_another_object_type_is_refused() {
            fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.mailerB,
                    ctx -> fx.contract.listAuthorisedRequesters(ctx, "b2", "10", Keys.meter("b2")));
        }

        @Test
        void a_bookmark_inside_the_donors_own_list_is_accepted() {
            fx.authorise("b2", "b1");
            final JsonNode page = json(fx.evaluate(fx.mailerB,
                    ctx -> fx.contract.listAuthorisedRequesters(ctx, "b2", "10", Keys.requester("b2", "b1"))));
            assertThat(page.at("/authorisedRequesters/0/requesterMeterId").asText()).isEqualTo("b1");
            assertThat(page.at("/authorisedRequesters").size()).isEqualTo(1);
        }
    }
}
