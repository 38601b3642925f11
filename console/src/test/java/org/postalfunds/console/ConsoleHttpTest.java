package org.postalfunds.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.postalfunds.client.RequestId;

/** The console over real TLS on an ephemeral port, driven with java.net.http against the in-process ledger. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleHttpTest {
    private static final org.postalfunds.client.Money MONEY = org.postalfunds.client.Money.CENTS;

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
        HttpResponse<String> answer = client.login(user, ConsoleFixture.PASSWORD);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(303);
        return client;
    }

    private static void assertNoStackTrace(final HttpResponse<String> response) {
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain(".java:");
    }

    @Test
    void an_operator_logs_in_and_sees_every_meter_with_its_registers_status_and_inspection() throws Exception {
        WebClient operator = new WebClient(fixture);
        HttpResponse<String> login = operator.login("olivia", ConsoleFixture.PASSWORD);

        assertThat(login.statusCode()).isEqualTo(303);
        assertThat(login.headers().firstValue("Location")).hasValue("/meters");
        String setCookie = login.headers().allValues("Set-Cookie").stream()
                .filter(header -> header.startsWith(ConsoleServer.SESSION_COOKIE)).findFirst().orElseThrow();
        assertThat(setCookie).contains("HttpOnly").contains("Secure").contains("SameSite=Strict");
        assertThat(operator.sessionCookie).matches("[0-9a-f]{64}");
        HttpResponse<String> meters = operator.get("/meters");
        assertThat(meters.statusCode()).isEqualTo(200);
        assertThat(meters.body()).contains("data-meter=\"meter-A1\"").contains("data-meter=\"meter-A2\"")
                .contains("data-meter=\"meter-B1\"").contains("CURRENT").contains("holds")
                .contains("<td class=\"num\" data-value=\"5915\">59.15</td>"); // meter-A1: 50.00 refilled - 0.85 printed + 10.00 pulled
    }

    @Test
    void a_role_that_does_not_match_the_ledger_s_consortium_is_refused_at_login() throws Exception {
        // The users file says eve (MailerAMSP) is an auditor; the ledger's consortium names PostalAuthorityMSP.
        WebClient client = new WebClient(fixture);

        HttpResponse<String> answer = client.login("eve", ConsoleFixture.PASSWORD);

        assertThat(answer.statusCode()).isEqualTo(403);
        assertThat(answer.body()).contains("role auditor belongs to PostalAuthorityMSP (the ledger&#39;s consortium record), not MailerAMSP");
        assertThat(client.sessionCookie).isNull();
    }

    @Test
    void a_wrong_password_is_refused_without_a_session() throws Exception {
        WebClient client = new WebClient(fixture);

        HttpResponse<String> answer = client.login("olivia", "not the password");

        assertThat(answer.statusCode()).isEqualTo(401);
        assertThat(answer.body()).contains("Wrong user name or password");
        assertThat(client.sessionCookie).isNull();
        assertThat(new WebClient(fixture).login("nobody", "whatever it is").statusCode()).isEqualTo(401);
    }

    @Test
    void repeated_login_failures_lock_the_user_name_even_against_the_right_password() throws Exception {
        for (int i = 0; i < Sessions.MAX_FAILURES; i++) {
            assertThat(new WebClient(fixture).login("locky", "wrong password " + i).statusCode()).isEqualTo(401);
        }

        HttpResponse<String> locked = new WebClient(fixture).login("locky", ConsoleFixture.PASSWORD);

        assertThat(locked.statusCode()).isEqualTo(429);
        assertThat(locked.body()).contains("Too many failed logins");
    }

    @Test
    void nothing_but_the_login_page_and_static_files_is_open_to_anonymous_users() throws Exception {
        WebClient anonymous = new WebClient(fixture);

        for (String path : List.of("/", "/meters", "/meters/meter-A1", "/transfers", "/flows", "/charts", "/conservation",
                "/indicium", "/chain")) {
            HttpResponse<String> answer = anonymous.get(path);
            assertThat(answer.statusCode()).as(path).isIn(303, 401);
            assertThat(answer.body()).as(path).doesNotContain("meter-A1").doesNotContain("meter-B1");
        }
        assertThat(anonymous.get("/meters").headers().firstValue("Location")).hasValueSatisfying(
                location -> assertThat(location).startsWith("/login"));
        assertThat(anonymous.get("/transfers/live").statusCode()).isEqualTo(401);
        assertThat(anonymous.upload(null, "x.png", "image/png", fixture.genuinePng()).statusCode()).isEqualTo(401);
        assertThat(anonymous.get("/login").statusCode()).isEqualTo(200);
        assertThat(anonymous.get("/static/console.js").statusCode()).isEqualTo(200);
    }

    @Test
    void a_forged_or_malformed_session_cookie_gets_a_clear_401_page_with_a_link_to_log_in() throws Exception {
        WebClient forger = new WebClient(fixture);
        forger.sessionCookie = HexFormat.of().formatHex(new byte[32]);

        HttpResponse<String> forged = forger.get("/meters");
        forger.sessionCookie = "admin' OR 1=1";
        HttpResponse<String> malformed = forger.get("/conservation");

        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(forged.body()).contains("Session not valid").contains("names no session of this console")
                .contains("href=\"/login\"").doesNotContain("meter-A1");
        assertThat(malformed.statusCode()).isEqualTo(401);
        assertThat(malformed.body()).contains("not one this console issues");
        assertNoStackTrace(forged);
        assertNoStackTrace(malformed);
    }

    @Test
    void pages_carry_the_security_headers() throws Exception {
        HttpResponse<String> page = loggedIn("arthur").get("/meters");

        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
                assertThat(csp).contains("script-src 'self'").doesNotContain("unsafe-inline").contains("frame-ancestors 'none'"));
        assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(page.body()).doesNotContain("<script>").doesNotContain("style=");
    }

    @Test
    void a_post_without_the_sessions_csrf_token_is_refused_and_changes_nothing() throws Exception {
        WebClient operator = loggedIn("olivia");

        HttpResponse<String> noToken = operator.post("/logout", Map.of());
        HttpResponse<String> wrongToken = operator.post("/logout", Map.of("csrf", "0".repeat(64)));
        HttpResponse<String> stillIn = operator.get("/meters");
        HttpResponse<String> rightToken = operator.post("/logout", Map.of("csrf", operator.csrf()));
        HttpResponse<String> afterLogout = operator.get("/meters");

        assertThat(noToken.statusCode()).isEqualTo(403);
        assertThat(noToken.body()).contains("token");
        assertThat(wrongToken.statusCode()).isEqualTo(403);
        assertThat(stillIn.statusCode()).isEqualTo(200);
        assertThat(rightToken.statusCode()).isEqualTo(303);
        assertThat(afterLogout.statusCode()).isEqualTo(401);
        WebClient uploader = loggedIn("arthur");
        assertThat(uploader.upload("f".repeat(64), "piece.png", "image/png", fixture.genuinePng()).statusCode())
                .isEqualTo(403);
    }

    @Test
    void malformed_ids_dates_and_block_numbers_get_a_specific_400_page() throws Exception {
        WebClient auditor = loggedIn("arthur");

        HttpResponse<String> badId = auditor.get("/meters/meter%20A1%3Cscript%3E");
        HttpResponse<String> longId = auditor.get("/meters/" + "m".repeat(65));
        HttpResponse<String> badDate = auditor.get("/flows?from=2026-02-30");
        HttpResponse<String> badBlock = auditor.get("/chain?from=-1");
        HttpResponse<String> backwards = auditor.get("/chain?from=5&to=2");
        HttpResponse<String> unknown = auditor.get("/meters/meter-Z9");
        HttpResponse<String> noPage = auditor.get("/no/such/page");

        assertThat(badId.statusCode()).isEqualTo(400);
        assertThat(badId.body()).contains("meter id must be 1-64 characters").contains("&lt;script&gt;")
                .doesNotContain("<script>");
        assertThat(longId.statusCode()).isEqualTo(400);
        assertThat(badDate.statusCode()).isEqualTo(400);
        assertThat(badDate.body()).contains("from must be a date YYYY-MM-DD");
        assertThat(badBlock.statusCode()).isEqualTo(400);
        assertThat(badBlock.body()).contains("from must be a block number");
        assertThat(backwards.statusCode()).isEqualTo(400);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("there is no meter meter-Z9 on the ledger");
        assertThat(noPage.statusCode()).isEqualTo(404);
        List.of(badId, longId, badDate, badBlock, backwards, unknown, noPage).forEach(ConsoleHttpTest::assertNoStackTrace);
    }

    @Test
    void an_oversized_upload_is_refused_with_413_and_a_non_image_with_415() throws Exception {
        WebClient auditor = loggedIn("arthur");
        String csrf = auditor.csrf();
        byte[] big = new byte[Pages.MAX_UPLOAD_BYTES + 200_000];
        System.arraycopy(fixture.genuinePng(), 0, big, 0, 8);

        HttpResponse<String> oversized = auditor.upload(csrf, "big.png", "image/png", big);
        HttpResponse<String> text = auditor.upload(csrf, "piece.png", "image/png",
                "{\"meterId\":\"meter-A1\"}".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> notMultipart = auditor.http().send(auditor.request("/indicium")
                .header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofByteArray(fixture.genuinePng()))
                .build(), HttpResponse.BodyHandlers.ofString());
        byte[] noSymbol = java.util.Arrays.copyOf(fixture.genuinePng(), 40);

        assertThat(oversized.statusCode()).isEqualTo(413);
        assertThat(oversized.body()).contains("larger than 1024 KiB");
        assertThat(text.statusCode()).isEqualTo(415);
        assertThat(text.body()).contains("not a PNG image");
        assertThat(notMultipart.statusCode()).isEqualTo(415);
        assertThat(auditor.upload(csrf, "cut.png", "image/png", noSymbol).statusCode()).isEqualTo(422);
        List.of(oversized, text, notMultipart).forEach(ConsoleHttpTest::assertNoStackTrace);
    }

    @Test
    void an_uploaded_indicium_is_verified_genuine_and_an_altered_one_forged() throws Exception {
        WebClient auditor = loggedIn("arthur");
        String csrf = auditor.csrf();

        HttpResponse<String> genuine = auditor.upload(csrf, "meter-A1-1.png", "image/png", fixture.genuinePng());
        HttpResponse<String> forged = auditor.upload(csrf, "meter-A1-1.png", "image/png", fixture.tamperedPng());

        assertThat(genuine.statusCode()).isEqualTo(200);
        assertThat(genuine.body()).contains("id=\"indicium-verdict\" class=\"verdict good\">GENUINE<")
                .contains("verifies under the meter&#39;s registered key");
        assertThat(forged.statusCode()).isEqualTo(200);
        assertThat(forged.body()).contains(">FORGED<").contains("does NOT verify");
    }

    @Test
    void a_mailer_sees_only_its_own_meters_and_is_refused_another_organisations_meter() throws Exception {
        WebClient mailerB = loggedIn("bert");

        HttpResponse<String> meters = mailerB.get("/meters");
        HttpResponse<String> own = mailerB.get("/meters/meter-B1");
        HttpResponse<String> other = mailerB.get("/meters/meter-A1");
        HttpResponse<String> otherChart = mailerB.get("/charts?meter=meter-A1");
        HttpResponse<String> conservation = mailerB.get("/conservation");
        HttpResponse<String> otherIndicium = mailerB.upload(mailerB.csrf(), "a.png", "image/png", fixture.genuinePng());

        assertThat(meters.body()).contains("data-meter=\"meter-B1\"").doesNotContain("data-meter=\"meter-A1\"")
                .doesNotContain("data-meter=\"meter-A2\"");
        assertThat(own.statusCode()).isEqualTo(200);
        assertThat(other.statusCode()).isEqualTo(403);
        assertThat(other.body()).contains("meter meter-A1 belongs to another organisation");
        assertThat(otherChart.statusCode()).isEqualTo(403);
        assertThat(conservation.statusCode()).isEqualTo(403);
        assertThat(otherIndicium.statusCode()).isEqualTo(403);
        assertThat(otherIndicium.body()).contains("meter meter-A1 belongs to another organisation");
    }

    @Test
    void the_conservation_page_shows_the_audit_passed_with_the_proof_figures() throws Exception {
        HttpResponse<String> page = loggedIn("arthur").get("/conservation");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("id=\"audit-result\" class=\"verdict good\">PASSED")
                .contains("all accounts sum to zero").contains("no escrow open past its deadline")
                .contains("<dt>balanced</dt><dd>yes</dd>").contains("<dt>meters</dt><dd>3</dd>")
                .contains("<dt>pieces printed</dt><dd>1</dd>").contains("<td>ESCROW</td>")
                .contains("<td>sum of all classes</td><td class=\"num\" data-value=\"0\">0.00</td>").doesNotContain("FAILED");
    }

    @Test
    void the_chain_page_verifies_the_whole_chain_and_a_block_range() throws Exception {
        WebClient operator = loggedIn("olivia");

        HttpResponse<String> whole = operator.get("/chain");
        HttpResponse<String> range = operator.get("/chain?from=2&to=4");

        assertThat(whole.body()).contains("id=\"chain-result\" class=\"verdict good\">VERIFIED")
                .contains("every endorsement signature verifies").doesNotContain("FAILED");
        assertThat(range.body()).contains("VERIFIED").contains("Blocks 2–4: 3 blocks, 3 transactions")
                .contains("outside the range");
    }

    @Test
    void the_flows_diagram_links_refills_postage_and_each_pair_of_meters_that_settled_funds() throws Exception {
        WebClient operator = loggedIn("olivia");

        HttpResponse<String> flows = operator.get("/flows?from=2026-03-01&to=2026-03-31");
        HttpResponse<String> before = operator.get("/flows?from=2025-01-01&to=2025-12-31");

        assertThat(flows.body()).contains("data-chart=\"sankey\" data-source=\"flow-links\"")
                .contains("<td>meter-B1</td><td>meter-A1 received</td><td class=\"num\" data-value=\"1000\">10.00</td>")
                .contains("<td>data center refills</td><td>meter-B1</td>")
                .contains("<td>meter-A1</td><td>postage printed</td><td class=\"num\" data-value=\"85\">0.85</td>")
                .contains("<td>meter-B1</td><td>meter-A1</td><td class=\"num\" data-value=\"1000\">10.00</td>");
        assertThat(before.body()).doesNotContain("data-chart=\"sankey\"").contains("nothing to show");
    }

    @Test
    void the_flows_diagram_groups_all_but_the_top_meters_and_filters_by_organisation() throws Exception {
        WebClient operator = loggedIn("olivia");

        String grouped = operator.get("/flows?top=5").body();
        String mailerBOnly = operator.get("/flows?org=MailerBMSP").body();

        assertThat(grouped).contains("data-chart=\"sankey\"");
        assertThat(mailerBOnly).contains("<td>data center refills</td><td>meter-B1</td>")
                .doesNotContain("<td>data center refills</td><td>meter-A1</td>")
                .contains("<td>meter-B1</td><td>meter-A1 received</td>");
        assertThat(operator.get("/flows?top=4").statusCode()).isEqualTo(400);
        assertThat(operator.get("/flows?top=4").body()).contains("top must be a whole number from 5 to 200");
        assertThat(operator.get("/flows?org=%3Cscript%3E").statusCode()).isEqualTo(400);
    }

    @Test
    void the_charts_show_postage_per_day_transfers_per_day_and_a_balance_over_time() throws Exception {
        HttpResponse<String> charts = loggedIn("anna").get("/charts?meter=meter-A1");

        assertThat(charts.statusCode()).isEqualTo(200);
        assertThat(charts.body()).contains("id=\"postage-chart\" data-chart=\"bar\" data-source=\"postage\"")
                .contains("<td>2026-03-02</td><td class=\"num\" data-value=\"85\">0.85</td>")
                .contains("id=\"transfers-chart\" data-chart=\"bar\"")
                .contains("id=\"balance-chart\" data-chart=\"step-line\" data-source=\"history\"")
                .contains("refill 50.00").contains("printed 0.85 (1 piece(s))")
                .contains("aria-describedby=\"postage\"").doesNotContain("<svg");
    }

    @Test
    void a_meters_timeline_shows_its_registers_events_and_escrow_periods() throws Exception {
        String page = loggedIn("bert").get("/meters/meter-B1").body();

        assertThat(page).contains("data-chart=\"timeline\" data-source=\"history\" data-periods=\"escrow-periods\"")
                .contains("transfer out 10.00").contains("transfer out 2.50")
                .contains("<td>" + fixture.settledPull + "</td><td>donor</td>")
                .contains("<td>" + fixture.openGrant + "</td><td>donor</td>");
    }

    @Test
    void every_table_exports_csv_that_matches_the_ledger() throws Exception {
        WebClient operator = loggedIn("olivia");
        fixture.awaitFollowersCaughtUp();

        HttpResponse<String> meters = operator.get("/meters?export=meters");
        HttpResponse<String> flows = operator.get("/flows?export=flows");
        HttpResponse<String> transfers = operator.get("/transfers?export=transfers");

        assertThat(meters.statusCode()).isEqualTo(200);
        assertThat(meters.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/csv"));
        assertThat(meters.headers().firstValue("Content-Disposition")).contains("attachment; filename=\"meters-meters.csv\"");
        List<String> lines = meters.body().lines().toList();
        assertThat(lines.get(0)).isEqualTo("meter,owner,kind,status,descending (available),ascending (printed),pieces,"
                + "refilled,in,out,control sum,inspection,inspection due,overdue from");
        var a1 = fixture.a1.balance().registers();
        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("meter-A1,MailerAMSP,POSTAL_METER,ACTIVE,"
                + MONEY.format(a1.descendingRegisterMinorUnits()) + "," + MONEY.format(a1.ascendingRegisterMinorUnits())
                + "," + a1.pieceCount() + "," + MONEY.format(a1.refilledMinorUnits()) + ","
                + MONEY.format(a1.transferredInMinorUnits()) + "," + MONEY.format(a1.transferredOutMinorUnits()) + ",holds,"));
        assertThat(meters.body()).contains("\r\n");
        assertThat(flows.body()).isEqualTo("from meter,to meter,amount,transfers\r\nmeter-B1,meter-A1,10.00,1\r\n");
        assertThat(transfers.body()).startsWith("transfer,kind,state,donor,recipient,amount,escrow held,deadline,time left\r\n")
                .contains(fixture.openGrant + ",PULL,GRANTED,meter-B1,meter-A1,2.50,2.50,");
        assertThat(operator.get("/meters?export=nope").statusCode()).isEqualTo(404);
        assertThat(operator.get("/meters?export=nope").body()).contains("its tables are [meters]");
        assertThat(operator.get("/meters").body()).contains("href=\"/meters?export=meters\" download");
    }

    @Test
    void the_audit_exports_a_json_report() throws Exception {
        WebClient auditor = loggedIn("arthur");

        HttpResponse<String> report = auditor.get("/conservation?export=report&format=json");

        assertThat(report.statusCode()).isEqualTo(200);
        assertThat(report.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(report.body());
        assertThat(json.path("passed").asBoolean()).isTrue();
        assertThat(json.path("checks").size()).isGreaterThan(0);
        assertThat(json.path("totals").path("proof").path("balanced").asBoolean()).isTrue();
        assertThat(auditor.get("/conservation?export=totals").body()).contains("sum of all classes,0.00");
        assertThat(loggedIn("anna").get("/conservation?export=report&format=json").statusCode()).isEqualTo(403);
    }

    @Test
    void the_live_feed_of_a_mailer_carries_its_own_transfers_only() throws Exception {
        WebClient mailerB = loggedIn("bert");
        fixture.awaitFollowersCaughtUp();
        String page = mailerB.get("/transfers").body();
        assertThat(page).contains("data-transfer=\"" + fixture.openGrant + "\"");
        String after = page.replaceAll("(?s).*data-after=\"([0-9]+)\".*", "$1");
        HttpResponse<InputStream> stream = mailerB.http().send(mailerB.request("/transfers/live?after=" + after)
                .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);

        String ownersOfA = fixture.a1.offer(RequestId.random(), "meter-A2", 100, fixture.inHours(5)).transferId();
        String toB = fixture.b1.offer(RequestId.random(), "meter-A1", 300, fixture.inHours(5)).transferId();

        List<String> data = new ArrayList<>();
        CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (line.startsWith("data:")) {
                        data.add(line);
                        if (line.contains(toB)) {
                            return;
                        }
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        reading.get(20, TimeUnit.SECONDS);
        stream.body().close();

        // The feed starts again at the snapshot's last block (possibly read part-way), so earlier lines may be
        // that block's events once more; never another organisation's transfer.
        assertThat(data).noneMatch(line -> line.contains(ownersOfA));
        assertThat(data.get(data.size() - 1)).contains(toB).contains("OFFERED").contains("3.00");
    }
}
