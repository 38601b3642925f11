package org.postalfunds.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.postalfunds.client.Consortium;
import org.postalfunds.client.RequestId;

/**
 * The console's view of a failed PSD (issue 19): meter-A1, with funds and an open grant, is reported failed and
 * replaced by a newly registered meter-A9; the Replacements page shows the link old -> new and what moved, to the data
 * center, the postal authority and the owner, not to another mailer; the meter pages link both ways.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleReplacementsTest {
    private ConsoleFixture fixture;

    @BeforeAll
    void replaceMeterA1() throws Exception {
        fixture = new ConsoleFixture();
        fixture.consortium.registerMeter("meter-A9", Consortium.MAILER_A);
        fixture.consortium.dataCenter.reportPsdFailure(RequestId.random(), "meter-A1", "PSD tamper alarm");
        fixture.consortium.dataCenter.replacePsd(RequestId.of("replace-A1"), "meter-A1", "meter-A9", 10);
        fixture.awaitFollowersCaughtUp();
    }

    @AfterAll
    void close() throws Exception {
        fixture.close();
    }

    private WebClient loggedIn(final String user) throws Exception {
        final WebClient client = new WebClient(fixture);
        assertThat(client.login(user, ConsoleFixture.PASSWORD).statusCode()).isEqualTo(303);
        return client;
    }

    @Test
    void the_replacements_page_shows_the_link_old_to_new_and_what_moved_to_whoever_may_see_the_meter() throws Exception {
        for (final String user : new String[] {"olivia", "arthur", "anna"}) {
            final HttpResponse<String> page = loggedIn(user).get("/replacements");
            assertThat(page.statusCode()).as(user).isEqualTo(200);
            assertThat(page.body()).as(user).contains("1 failed PSD(s)", "href=\"/meters/meter-A1\"",
                    "href=\"/meters/meter-A9\"", "COMPLETE", "PSD tamper alarm");
        }
        final HttpResponse<String> otherMailer = loggedIn("bert").get("/replacements");
        assertThat(otherMailer.body()).contains("0 failed PSD(s)").doesNotContain("meter-A9");
    }

    @Test
    void the_meter_pages_link_the_failed_meter_and_its_replacement_both_ways() throws Exception {
        final WebClient auditor = loggedIn("arthur");
        assertThat(auditor.get("/meters/meter-A1").body()).contains("REPLACED", "PSD key revoked", "replaced by",
                "href=\"/meters/meter-A9\"");
        assertThat(auditor.get("/meters/meter-A9").body()).contains("replaces", "href=\"/meters/meter-A1\"");
    }
}
