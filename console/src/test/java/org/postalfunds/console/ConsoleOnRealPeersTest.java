package org.postalfunds.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.postalfunds.client.cli.GatewayConnector;
import org.postalfunds.client.cli.PostalCli;
import org.postalfunds.testnetwork.ClientIdentities;
import org.postalfunds.testnetwork.ClientIdentities.ClientIdentity;
import org.postalfunds.testnetwork.NetworkDescription;
import org.postalfunds.testnetwork.PostalNetwork;

/**
 * The console on the live network, started as {@code serve --config} starts it: a configuration naming each
 * organisation's {@code postal} profile (the network's admin profiles: gateway, TLS root, identity from the org's
 * Fabric CA), read through the real peers' gateways and event services. In Debian's headless Chromium: a transfer
 * submitted with the {@code postal} command line appears in the operator's live feed without a reload; a MailerA
 * mailer sees only MailerA's meters and is refused a MailerB meter.
 */
@PostalNetwork
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleOnRealPeersTest {
    private static final String PASSWORD = "correct horse battery staple";

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private NetworkDescription network;
    private Path directory;
    private ConsoleMain.Running console;
    private WebDriver browser;
    private Path browserProfile;
    private Path screenshots;
    private String meterA;
    private String meterB;
    private Path profileA;
    private Path profileB;

    @BeforeAll
    void start(final NetworkDescription network) throws Exception {
        this.network = network;
        directory = Files.createTempDirectory("console-real");
        screenshots = Files.createDirectories(Path.of(System.getProperty("console.screenshots", "target/screenshots")));
        // Two meters with file keys from their owners' CAs, registered and refilled through the CLI as the data center.
        meterA = "console-A-" + run;
        meterB = "console-B-" + run;
        profileA = meter("MailerA", meterA);
        profileB = meter("MailerB", meterB);
        cli(network.adminProfile("DataCenter"), "datacenter", "refill", meterA, "50.00");

        final Path users = directory.resolve("users.json");
        UserStore.addUser(users, "olivia", "DataCenterMSP", Role.OPERATOR, PASSWORD, 1_000);
        UserStore.addUser(users, "anna", "MailerAMSP", Role.MAILER, PASSWORD, 1_000);
        final Path config = Files.writeString(directory.resolve("console.json"), "{\n"
                + "  \"host\": \"127.0.0.1\", \"port\": 0, \"usersFile\": \"users.json\",\n"
                + "  \"organisations\": {\n"
                + "    \"DataCenterMSP\": \"" + network.adminProfile("DataCenter") + "\",\n"
                + "    \"PostalAuthorityMSP\": \"" + network.adminProfile("PostalAuthority") + "\",\n"
                + "    \"MailerAMSP\": \"" + network.adminProfile("MailerA") + "\",\n"
                + "    \"MailerBMSP\": \"" + network.adminProfile("MailerB") + "\"\n"
                + "  },\n  \"generatedTlsDirectory\": \".console-tls\"\n}\n");
        final ConsoleConfig settings = ConsoleConfig.load(config);
        console = ConsoleMain.start(settings, UserStore.load(settings.usersFile()));

        browserProfile = Files.createTempDirectory("console-real-chromium");
        final ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile()).usingAnyFreePort().build();
        final ChromeOptions options = new ChromeOptions();
        options.setBinary(Path.of("/usr/bin/chromium").toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1280,900", "--user-data-dir=" + browserProfile);
        options.setAcceptInsecureCerts(true); // the console's self-signed certificate, made at start
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
    }

    @AfterAll
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (console != null) {
            console.close();
        }
        for (Path folder : new Path[] {browserProfile, directory}) {
            if (folder != null) {
                try (var files = Files.walk(folder)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
                }
            }
        }
    }

    @BeforeEach
    void loggedOut() {
        browser.get(base() + "/login");
        browser.manage().deleteAllCookies();
    }

    @Test
    void a_transfer_submitted_through_the_cli_appears_in_the_operators_live_feed() throws Exception {
        logIn("olivia");
        browser.get(base() + "/transfers");
        waiting().until(ExpectedConditions.textToBe(By.id("live-status"), "Live: following the ledger."));
        ((JavascriptExecutor) browser).executeScript("document.body.dataset.loadedOnce = 'yes';");

        final String out = cli(profileA, "meter", "offer", meterB, "4.20", "--json");
        final String transferId = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out)
                .at("/transfer/transferId").asText();

        final By row = By.cssSelector("#transfers tr[data-transfer='" + transferId + "']");
        waiting().until(ExpectedConditions.presenceOfElementLocated(row));
        assertThat(browser.findElement(row).getText()).contains("OFFERED").contains(meterA).contains(meterB).contains("4.20");
        assertThat(((JavascriptExecutor) browser).executeScript("return document.body.dataset.loadedOnce;"))
                .isEqualTo("yes"); // the same page: no reload
        screenshot("real-01-transfers-live-row");
    }

    @Test
    void a_mailers_login_sees_only_its_own_meters() throws Exception {
        logIn("anna");
        browser.get(base() + "/meters");
        assertThat(browser.findElement(By.id("meters")).getText()).contains(meterA).doesNotContain(meterB);
        screenshot("real-02-meters-mailer-a");

        browser.get(base() + "/meters/" + meterB);

        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("403 Forbidden");
        assertThat(browser.findElement(By.id("error-message")).getText())
                .isEqualTo("meter " + meterB + " belongs to another organisation");
    }

    @Test
    void a_push_settled_through_the_cli_is_a_link_of_the_flows_sankey_and_the_csv_export_matches_the_ledger()
            throws Exception {
        final var json = new com.fasterxml.jackson.databind.ObjectMapper();
        final String transferId = json.readTree(cli(profileA, "meter", "offer", meterB, "3.10", "--json"))
                .at("/transfer/transferId").asText();
        cli(profileB, "meter", "acknowledge", transferId, "--json");
        logIn("olivia");

        // The console follows the peers' events: the settled push reaches its snapshot within moments.
        final String flows = base() + "/flows?org=MailerAMSP&top=200";
        final String link = "<td>" + meterA + "</td><td>" + meterB + " received</td><td class=\"num\" data-value=\"310\">";
        final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        do {
            browser.get(flows);
        } while (!browser.getPageSource().contains(link) && System.nanoTime() < deadline && pause());
        assertThat(browser.getPageSource()).contains(link);
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(
                ExpectedConditions.attributeToBe(By.id("flow-graph"), "data-drawn", "true"));
        final Object links = ((JavascriptExecutor) browser).executeScript("return echarts.getInstanceByDom("
                + "document.getElementById('flow-graph')).getOption().series[0].links.map(function (l) {"
                + " return l.source + ' -> ' + l.target + ' = ' + l.value; });");
        assertThat((java.util.List<?>) links).map(Object::toString).contains(meterA + " -> " + meterB + " received = 3.1");
        screenshot("real-03-flows-sankey");

        // The meters table's CSV, fetched as the browser's download link fetches it, against the ledger's registers.
        final String csv = (String) ((JavascriptExecutor) browser).executeAsyncScript("var done = arguments[0];"
                + "fetch('/meters?export=meters').then(function (r) { return r.text(); }).then(done);");
        final var registers = json.readTree(cli(profileA, "meter", "balance", "--json")).path("registers");
        final org.postalfunds.client.Money money = org.postalfunds.client.Money.CENTS;
        assertThat(csv.lines()).anySatisfy(line -> assertThat(line).startsWith(meterA + ",MailerAMSP,POSTAL_METER,ACTIVE,"
                + money.format(registers.path("descendingRegisterMinorUnits").asLong()) + ","
                + money.format(registers.path("ascendingRegisterMinorUnits").asLong()) + ","
                + registers.path("pieceCount").asLong() + ","
                + money.format(registers.path("refilledMinorUnits").asLong()) + ","
                + money.format(registers.path("transferredInMinorUnits").asLong()) + ","
                + money.format(registers.path("transferredOutMinorUnits").asLong()) + ",holds,"));
    }

    @Test
    void every_page_renders_from_the_live_networks_blocks_with_its_charts_drawn() throws Exception {
        cli(profileA, "meter", "print-postage", "0.95", "--postal-code", "10115", "--country", "DE", "--out",
                directory.toString());
        logIn("olivia");

        browser.get(base() + "/meters");
        assertThat(browser.findElement(By.id("meters")).getText()).contains(meterA).contains(meterB);
        final long lastBlock = Long.parseLong(browser.findElement(By.id("as-of")).getAttribute("data-block"));
        browser.get(base() + "/meters/" + meterA);
        awaitDrawn("balance-chart");
        assertThat(browser.findElement(By.id("history")).getText()).contains("registered").contains("refill 50.00");
        screenshot("real-04-meter-timeline");
        browser.get(base() + "/charts?meter=" + meterA);
        awaitDrawn("postage-chart");
        awaitDrawn("balance-chart");
        screenshot("real-05-charts");
        browser.get(base() + "/conservation");
        assertThat(browser.findElement(By.id("audit-result")).getText()).isEqualTo("PASSED");
        // The newest 100 blocks (the shared test network's whole chain is the CLI's verify-chain test's).
        browser.get(base() + "/chain?from=" + Math.max(0, lastBlock - 100));
        assertThat(browser.findElement(By.id("chain-result")).getText()).isEqualTo("VERIFIED");
        screenshot("real-06-chain");
    }

    private void awaitDrawn(final String chart) {
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(
                ExpectedConditions.attributeToBe(By.id(chart), "data-drawn", "true"));
    }

    private static boolean pause() {
        try {
            Thread.sleep(500);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Enrols a client at the owner's CA, writes its file-key meter profile, and has the data center register it. */
    private Path meter(final String organisation, final String meterId) throws Exception {
        final ClientIdentity identity = ClientIdentities.enrol(network, organisation, meterId);
        final NetworkDescription.Organisation org = network.organisation(organisation);
        final NetworkDescription.Peer peer = org.requirePeer();
        final Path profile = Files.writeString(directory.resolve(meterId + ".json"), "{\n"
                + "  \"peerEndpoint\": \"" + peer.endpoint() + "\", \"serverName\": \"" + peer.serverName() + "\",\n"
                + "  \"tlsRootCertificate\": \"" + org.tlsRootCertificate() + "\",\n"
                + "  \"channel\": \"" + network.channel() + "\", \"chaincode\": \"" + network.chaincodeName() + "\",\n"
                + "  \"mspId\": \"" + org.mspId() + "\", \"meterId\": \"" + meterId + "\",\n"
                + "  \"certificate\": \"" + identity.certificate() + "\", \"privateKey\": \"" + identity.privateKey() + "\"\n}\n");
        cli(network.adminProfile("DataCenter"), "datacenter", "register", meterId, "--owner-msp", org.mspId(),
                "--max-balance", "1000.00", "--max-postage-per-piece", "20.00", "--max-transfer", "200.00",
                "--certificate", identity.certificate().toString());
        return profile;
    }

    /** {@code postal --profile PROFILE args...} in this JVM against the network; fails unless it exits 0. */
    private static String cli(final Path profile, final String... args) {
        final String[] full = new String[args.length + 2];
        full[0] = "--profile";
        full[1] = profile.toString();
        System.arraycopy(args, 0, full, 2, args.length);
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = PostalCli.run(new GatewayConnector(), new PrintWriter(out, true), new PrintWriter(err, true), full);
        assertThat(code).as("postal %s\n%s\n%s", String.join(" ", args), out, err).isZero();
        return out.toString();
    }

    private String base() {
        return "https://127.0.0.1:" + console.server().port();
    }

    private WebDriverWait waiting() {
        return new WebDriverWait(browser, Duration.ofSeconds(30));
    }

    private void logIn(final String user) {
        browser.get(base() + "/login");
        browser.findElement(By.id("user")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(PASSWORD);
        browser.findElement(By.id("login")).click();
        try {
            waiting().until(ExpectedConditions.presenceOfElementLocated(By.className("who")));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("not logged in; the browser shows " + browser.getCurrentUrl() + ":\n"
                    + browser.getPageSource(), e);
        }
    }

    private void screenshot(final String name) throws Exception {
        final Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, screenshots.resolve(name + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
