package org.postalfunds.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.postalfunds.client.Consortium;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.model.Postage;

/** Pages are read from each organisation's followed snapshot: one replay at start, new events on the next page. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleFollowTest {
    private ConsoleFixture fixture;

    @BeforeAll
    void start() throws Exception {
        fixture = new ConsoleFixture();
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
    void page_loads_do_not_replay_the_ledger_one_replay_per_organisation_at_start() throws Exception {
        List<String> pages = List.of("/meters", "/meters/meter-A1", "/transfers", "/flows", "/charts?meter=meter-A1");
        for (String user : List.of("olivia", "arthur", "anna")) {
            WebClient client = loggedIn(user);
            for (int round = 0; round < 3; round++) {
                for (String page : pages) {
                    HttpResponse<String> answer = client.get(page);
                    assertThat(answer.statusCode()).as(user + " " + page).isEqualTo(200);
                    assertThat(answer.body()).contains("id=\"as-of\"");
                }
            }
            if (!user.equals("anna")) { // the contract answers verifyIndicium for the data center and the authority
                assertThat(client.upload(client.csrf(), "piece.png", "image/png", fixture.genuinePng()).body())
                        .contains("GENUINE");
            }
        }
        WebClient bert = loggedIn("bert");
        for (int round = 0; round < 5; round++) {
            assertThat(bert.get("/meters").statusCode()).isEqualTo(200);
        }

        fixture.ledgers.forEach((msp, ledger) -> assertThat(ledger.replays.get()).as(msp).isEqualTo(1));
    }

    @Test
    void a_transaction_committed_after_start_appears_on_the_next_page_load_once_the_follower_caught_up()
            throws Exception {
        WebClient anna = loggedIn("anna");
        assertThat(anna.get("/meters").body()).doesNotContain("data-meter=\"meter-A9\"");

        MeterClient a9 = fixture.consortium.fundedMeter("meter-A9", Consortium.MAILER_A, 2_000);
        a9.printPostage(RequestId.random(), new Postage(120, "10115", "DE", "LETTER-STD"));
        fixture.awaitFollowersCaughtUp();

        long lastBlock = fixture.consortium.network.events().get(fixture.consortium.network.events().size() - 1)
                .blockNumber();
        HttpResponse<String> meters = anna.get("/meters");
        assertThat(meters.body()).contains("data-meter=\"meter-A9\"").contains("data-block=\"" + lastBlock + "\"");
        assertThat(anna.get("/charts?meter=meter-A9").body()).contains("data-value=\"205\"");
        assertThat(loggedIn("bert").get("/meters").body()).doesNotContain("data-meter=\"meter-A9\"");
        fixture.ledgers.forEach((msp, ledger) -> assertThat(ledger.replays.get()).as(msp).isEqualTo(1));
    }
}
