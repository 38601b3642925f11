package org.postalfunds.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
import org.postalfunds.client.RequestId;

/**
 * The console end to end in Debian's headless Chromium, driven through its chromedriver with Selenium (never a
 * downloaded browser or driver): logging in, a transfer appearing live, an indicium upload, a mailer refused
 * another organisation's meter. Screenshots go to console/target/screenshots.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private ConsoleFixture fixture;
    private WebDriver browser;
    private Path profile;
    private Path screenshots;

    @BeforeAll
    void start() throws Exception {
        assertThat(CHROMIUM).as("Debian's chromium (test-network/install-packages.sh installs it)").isExecutable();
        assertThat(CHROMEDRIVER).as("Debian's chromium-driver (test-network/install-packages.sh installs it)").isExecutable();
        fixture = new ConsoleFixture();
        screenshots = Files.createDirectories(Path.of(System.getProperty("console.screenshots", "target/screenshots")));
        profile = Files.createTempDirectory("console-chromium");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1280,900", "--user-data-dir=" + profile);
        options.setAcceptInsecureCerts(true); // the test's throwaway self-signed certificate
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
    }

    @AfterAll
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (fixture != null) {
            fixture.close();
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    @BeforeEach
    void loggedOut() {
        browser.get(fixture.base() + "/login");
        browser.manage().deleteAllCookies();
    }

    private WebDriverWait waiting() {
        return new WebDriverWait(browser, Duration.ofSeconds(20));
    }

    private void logIn(final String user) {
        browser.get(fixture.base() + "/login");
        browser.findElement(By.id("user")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(ConsoleFixture.PASSWORD);
        browser.findElement(By.id("login")).click();
        try {
            waiting().until(ExpectedConditions.presenceOfElementLocated(By.className("who")));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("not logged in; the browser shows " + browser.getCurrentUrl() + ":\n"
                    + browser.getPageSource(), e);
        }
    }

    private void screenshot(final String name) throws Exception {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), screenshots.resolve(name + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void an_operator_logs_in_and_sees_a_new_transfer_appear_live_without_a_reload() throws Exception {
        logIn("olivia");
        assertThat(browser.findElement(By.className("who")).getText()).contains("olivia").contains("DataCenterMSP");
        screenshot("01-meters-operator");
        browser.get(fixture.base() + "/transfers");
        waiting().until(ExpectedConditions.textToBe(By.id("live-status"), "Live: following the ledger."));
        ((JavascriptExecutor) browser).executeScript("document.body.dataset.loadedOnce = 'yes';");
        screenshot("02-transfers-before");

        String transferId = fixture.a1.request(RequestId.random(), "meter-B1", 420, fixture.inHours(24)).transferId();

        waiting().until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#transfers tr[data-transfer='" + transferId + "']")));
        String row = browser.findElement(By.cssSelector("#transfers tr[data-transfer='" + transferId + "']")).getText();
        assertThat(row).contains("REQUESTED").contains("meter-B1").contains("meter-A1").contains("4.20");
        // The time left counts down on the ledger's clock (the request's deadline is 24 h after the ledger's now).
        assertThat(row).containsPattern("(23 h 59 min|1 d 0 h)");
        assertThat(((JavascriptExecutor) browser).executeScript("return document.body.dataset.loadedOnce;"))
                .isEqualTo("yes"); // the same page: no reload
        screenshot("03-transfers-live-row");
    }

    @Test
    void an_auditor_uploads_a_printed_indicium_and_sees_genuine_and_an_altered_one_forged() throws Exception {
        Path genuine = Files.write(Files.createTempFile("meter-A1-1", ".png"), fixture.genuinePng());
        Path altered = Files.write(Files.createTempFile("meter-A1-1-altered", ".png"), fixture.tamperedPng());
        try {
            logIn("arthur");
            browser.get(fixture.base() + "/indicium");
            browser.findElement(By.id("png")).sendKeys(genuine.toString());
            browser.findElement(By.cssSelector("#indicium-form button")).click();
            waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("indicium-verdict")));
            assertThat(browser.findElement(By.id("indicium-verdict")).getText()).isEqualTo("GENUINE");
            assertThat(browser.findElement(By.id("indicium")).getText()).contains("meter-A1").contains("0.85");
            screenshot("04-indicium-genuine");

            browser.findElement(By.id("png")).sendKeys(altered.toString());
            browser.findElement(By.cssSelector("#indicium-form button")).click();
            waiting().until(ExpectedConditions.textToBe(By.id("indicium-verdict"), "FORGED"));
            screenshot("05-indicium-forged");
        } finally {
            Files.deleteIfExists(genuine);
            Files.deleteIfExists(altered);
        }
    }

    @Test
    void a_mailer_of_mailer_b_is_refused_a_meter_of_mailer_a() throws Exception {
        logIn("bert");
        assertThat(browser.findElement(By.id("meters")).getText()).contains("meter-B1").doesNotContain("meter-A1");
        screenshot("06-meters-mailer-b");

        browser.get(fixture.base() + "/meters/meter-A1");

        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("403 Forbidden");
        assertThat(browser.findElement(By.id("error-message")).getText())
                .isEqualTo("meter meter-A1 belongs to another organisation");
        screenshot("07-mailer-b-refused-meter-a1");
    }

    @Test
    void the_auditor_pages_render_the_conservation_check_flows_charts_and_chain() throws Exception {
        logIn("arthur");
        browser.get(fixture.base() + "/conservation");
        assertThat(browser.findElement(By.id("audit-result")).getText()).isEqualTo("PASSED");
        screenshot("08-conservation");
        browser.get(fixture.base() + "/flows");
        // ECharts drew the Sankey from the page's table: the settled pull is one of its links.
        assertThat(chartLinks("flow-graph")).contains("meter-B1 -> meter-A1 received = 10");
        assertThat(browser.findElements(By.cssSelector("#flow-graph canvas"))).isNotEmpty();
        screenshot("09-flows");
        browser.get(fixture.base() + "/charts?meter=meter-B1");
        assertThat(chartSeries("postage-chart")).isEqualTo("bar:0.85");
        assertThat(browser.findElements(By.cssSelector("#balance-chart canvas"))).isNotEmpty();
        screenshot("10-charts");
        browser.get(fixture.base() + "/meters/meter-B1");
        assertThat(chartSeries("balance-chart")).startsWith("line:");
        // Keyboard: the chart takes focus, and Enter moves to the numbers behind it.
        browser.findElement(By.id("balance-chart")).sendKeys(org.openqa.selenium.Keys.ENTER);
        assertThat(browser.switchTo().activeElement().getAttribute("id")).isEqualTo("history");
        screenshot("11-meter-timeline");
        browser.get(fixture.base() + "/chain");
        assertThat(browser.findElement(By.id("chain-result")).getText()).isEqualTo("VERIFIED");
        screenshot("12-chain");
    }

    @Test
    void a_forged_session_cookie_shows_the_401_page_with_a_login_link() throws Exception {
        browser.manage().addCookie(new org.openqa.selenium.Cookie.Builder(ConsoleServer.SESSION_COOKIE, "ab".repeat(32))
                .path("/").isSecure(true).isHttpOnly(true).build());

        browser.get(fixture.base() + "/meters");

        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("401 Session not valid");
        assertThat(browser.findElement(By.linkText("Log in")).getAttribute("href")).endsWith("/login");
        screenshot("13-forged-session");
    }

    /** The links ECharts holds for a drawn Sankey, as "from -> to = value" (waits, bounded, for the drawing). */
    private java.util.List<String> chartLinks(final String id) {
        awaitDrawn(id);
        Object links = ((JavascriptExecutor) browser).executeScript("var o = echarts.getInstanceByDom("
                + "document.getElementById(arguments[0])).getOption(); return o.series[0].links.map(function (l) {"
                + " return l.source + ' -> ' + l.target + ' = ' + l.value; });", id);
        return ((java.util.List<?>) links).stream().map(Object::toString).toList();
    }

    /** The first series of a drawn chart as "type:values". */
    private String chartSeries(final String id) {
        awaitDrawn(id);
        return (String) ((JavascriptExecutor) browser).executeScript("var s = echarts.getInstanceByDom("
                + "document.getElementById(arguments[0])).getOption().series[0]; return s.type + ':' + s.data.map("
                + "function (d) { return Array.isArray(d) ? d[1] : d; }).join(',');", id);
    }

    private void awaitDrawn(final String id) {
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(ExpectedConditions.attributeToBe(By.id(id), "data-drawn",
                "true"));
    }
}
