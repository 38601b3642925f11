package org.postalfunds.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.postalfunds.client.Consortium;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.model.Postage;

/**
 * The screenshots in {@code console/docs/}: every page of the console at 10 and at 1,000 meters, over a month of
 * refills, postage and transfers, on the real contract in-process (the same contract and client code as on the
 * network; a thousand meters registered there take seconds, not the network's minutes). Runs only when asked:
 * {@code mvn -pl console -am verify -Dtest=ConsoleScreenshotsTest -Dconsole.docs=docs} (from the root; the folder is
 * relative to the console module).
 */
@EnabledIfSystemProperty(named = "console.docs", matches = ".+")
class ConsoleScreenshotsTest {
    private static final String PASSWORD = "correct horse battery staple";

    @ParameterizedTest(name = "{0} meters")
    @ValueSource(ints = {10, 1_000})
    void every_page_at_this_many_meters(final int meters) throws Exception {
        Path out = Files.createDirectories(Path.of(System.getProperty("console.docs")).resolve(meters + "-meters"));
        Consortium consortium = new Consortium();
        List<String> ids = busyMonth(consortium, meters, new Random(meters));
        Path directory = Files.createTempDirectory("console-docs");
        Path users = directory.resolve("users.json");
        UserStore.addUser(users, "olivia", Consortium.DATA_CENTER, Role.OPERATOR, PASSWORD, 1_000);
        var mailerB = org.postalfunds.chaincode.fake.TestIdentity.p256(Consortium.MAILER_B, "mailer-b-operator");
        try (ConsoleServer server = ConsoleServer.start(ConsoleServer.Settings.defaults().withPort(0), Map.of(
                Consortium.DATA_CENTER, consortium.connect(consortium.dataCenterIdentity),
                Consortium.POSTAL_AUTHORITY, consortium.connect(consortium.auditorIdentity),
                Consortium.MAILER_A, consortium.connect(consortium.mailerAOperator),
                Consortium.MAILER_B, consortium.connect(mailerB)), UserStore.load(users),
                TlsMaterial.selfSigned(directory.resolve("tls")), consortium.clock())) {
            long lastBlock = consortium.network.events().get(consortium.network.events().size() - 1).blockNumber();
            assertThat(server.follower(Consortium.DATA_CENTER).awaitBlock(lastBlock, Duration.ofSeconds(120))).isTrue();
            WebDriver browser = browser(directory.resolve("chromium"));
            try {
                String base = "https://127.0.0.1:" + server.port();
                browser.get(base + "/login");
                browser.findElement(By.id("user")).sendKeys("olivia");
                browser.findElement(By.id("password")).sendKeys(PASSWORD);
                browser.findElement(By.id("login")).click();
                new WebDriverWait(browser, Duration.ofSeconds(60)).until(
                        ExpectedConditions.presenceOfElementLocated(By.className("who")));
                shoot(browser, base + "/meters", null, out.resolve("01-meters.png"));
                shoot(browser, base + "/transfers", null, out.resolve("02-transfers.png"));
                shoot(browser, base + "/flows", "flow-graph", out.resolve("03-flows.png"));
                shoot(browser, base + "/flows?org=MailerBMSP&top=10", "flow-graph", out.resolve("04-flows-mailer-b-top-10.png"));
                shoot(browser, base + "/charts?meter=" + ids.get(0), "balance-chart", out.resolve("05-charts.png"));
                shoot(browser, base + "/meters/" + ids.get(0), "balance-chart", out.resolve("06-meter-timeline.png"));
                shoot(browser, base + "/conservation", null, out.resolve("07-conservation.png"));
                shoot(browser, base + "/chain", null, out.resolve("08-chain.png"));
                shoot(browser, base + "/indicium", null, out.resolve("09-indicium.png"));
            } finally {
                browser.quit();
            }
        }
    }

    /**
     * A month on the ledger: every meter registered and refilled, a third print postage on several days, each meter
     * pushes to another (acknowledged) and a few pulls are left open or granted, so every page has something to show.
     */
    private static List<String> busyMonth(final Consortium consortium, final int meters, final Random random)
            throws Exception {
        List<String> ids = new ArrayList<>();
        List<MeterClient> clients = new ArrayList<>();
        for (int i = 0; i < meters; i++) {
            String org = i % 3 == 2 ? Consortium.MAILER_B : Consortium.MAILER_A;
            String id = String.format("meter-%s%04d", org.equals(Consortium.MAILER_A) ? "A" : "B", i);
            clients.add(consortium.fundedMeter(id, org, 20_000 + random.nextInt(80_000)));
            ids.add(id);
        }
        for (int day = 0; day < 30; day++) {
            consortium.clock().advance(Duration.ofDays(1));
            for (int n = 0; n < Math.max(3, meters / 10); n++) {
                int donor = random.nextInt(meters);
                int recipient = (donor + 1 + random.nextInt(meters - 1)) % meters;
                if (random.nextInt(3) == 0) {
                    clients.get(donor).printPostage(RequestId.random(), new Postage(55 + random.nextInt(300), "10115",
                            "DE", "LETTER-STD"));
                } else {
                    // Larger meters move more: a few pairs dominate the flows, as in a real network of distributors.
                    long amount = 100 + (long) (random.nextDouble() * random.nextDouble() * 2_000);
                    String transfer = clients.get(donor).offer(RequestId.random(), ids.get(recipient), amount,
                            consortium.clock().instant().plus(Duration.ofDays(2))).transferId();
                    clients.get(recipient).acknowledge(RequestId.random(), transfer);
                }
            }
        }
        for (int n = 0; n < Math.min(8, meters / 2); n++) {
            MeterClient donor = clients.get(2 * n + 1);
            donor.authoriseRequester(RequestId.random(), ids.get(2 * n));
            String pull = clients.get(2 * n).request(RequestId.random(), ids.get(2 * n + 1), 300 + 50L * n,
                    consortium.clock().instant().plus(Duration.ofHours(6 + 5L * n))).transferId();
            if (n % 2 == 0) {
                donor.grant(RequestId.random(), pull, consortium.clock().instant().plus(Duration.ofHours(30 + n)));
            }
        }
        return ids;
    }

    private static WebDriver browser(final Path profile) {
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(Path.of("/usr/bin/chromium").toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1400,1000", "--user-data-dir=" + profile);
        options.setAcceptInsecureCerts(true);
        WebDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(120));
        driver.manage().window().setSize(new Dimension(1400, 1000));
        return driver;
    }

    private static void shoot(final WebDriver browser, final String url, final String chart, final Path file)
            throws Exception {
        browser.get(url);
        if (chart != null) {
            new WebDriverWait(browser, Duration.ofSeconds(60)).until(
                    ExpectedConditions.attributeToBe(By.id(chart), "data-drawn", "true"));
            Thread.sleep(1_500); // ECharts animates its first drawing
        }
        Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), file,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
