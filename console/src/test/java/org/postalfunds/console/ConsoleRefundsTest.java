package org.postalfunds.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.model.Postage;

/**
 * The Refunds page and the verifier after a refund, against the in-process ledger: meter-A1's printed piece is
 * refunded (the meter asks, the postal authority approves), a second piece's refund waits for an answer. Its own
 * fixture: a refund changes the books other console tests assert.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleRefundsTest {
    private ConsoleFixture fixture;

    @BeforeAll
    void start() throws Exception {
        fixture = new ConsoleFixture();
        fixture.a1.requestRefund(RequestId.random(), 1, 85, "envelope jammed");
        fixture.consortium.auditor.approveRefund(RequestId.random(), "meter-A1", 1);
        fixture.a1.printPostage(RequestId.random(), new Postage(60, "10115", "DE", "LETTER-STD"));
        fixture.a1.requestRefund(RequestId.random(), 2, 60, "wrong date printed");
        fixture.awaitFollowersCaughtUp();
    }

    @AfterAll
    void stop() throws Exception {
        fixture.close();
    }

    private WebClient loggedIn(final String user) throws Exception {
        WebClient client = new WebClient(fixture);
        assertThat(client.login(user, ConsoleFixture.PASSWORD).statusCode()).isEqualTo(303);
        return client;
    }

    @Test
    void the_refunds_page_lists_each_refund_with_its_state_to_those_who_may_see_its_meter() throws Exception {
        HttpResponse<String> auditor = loggedIn("arthur").get("/refunds");
        HttpResponse<String> owner = loggedIn("anna").get("/refunds");
        HttpResponse<String> otherMailer = loggedIn("bert").get("/refunds");

        assertThat(auditor.statusCode()).isEqualTo(200);
        assertThat(auditor.body()).contains("id=\"refunds\"").contains("meter-A1").contains("APPROVED")
                .contains("REQUESTED").contains("envelope jammed").contains("wrong date printed")
                .contains("<span id=\"refunds-pending\">1 waiting for an answer</span>")
                .contains("<a href=\"/refunds\">Refunds</a>");
        assertThat(owner.body()).contains("meter-A1").contains("APPROVED");
        assertThat(otherMailer.statusCode()).isEqualTo(200);
        assertThat(otherMailer.body()).doesNotContain("meter-A1").contains("0 waiting for an answer");
    }

    @Test
    void a_refunded_indicium_uploaded_to_the_verifier_is_flagged_refunded_not_genuine() throws Exception {
        WebClient auditor = loggedIn("arthur");
        HttpResponse<String> verified = auditor.upload(auditor.csrf(), "meter-A1-1.png", "image/png",
                fixture.genuinePng());

        assertThat(verified.statusCode()).isEqualTo(200);
        assertThat(verified.body()).contains("id=\"indicium-verdict\" class=\"verdict bad\">REFUNDED<")
                .doesNotContain(">GENUINE<");
    }
}
