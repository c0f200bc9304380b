package dev.forwarder.app.admin;

import dev.forwarder.app.EchoBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The status page in a real headless browser (Debian's {@code chromium}, driven through {@code chromium-driver}):
 * the members table renders with live numbers, a member drained through the API shows as draining within two
 * seconds, and a screenshot goes to {@code target/status-page.png} ({@code -Dstatus.page.screenshot=../docs/status-page.png}
 * refreshes the README's picture). {@code scripts/test-tools.sh} installs both
 * packages; without them this test fails rather than skips.
 */
class StatusPageBrowserTest {

    private static final File CHROMIUM = new File("/usr/bin/chromium");
    private static final File DRIVER = new File("/usr/bin/chromedriver");
    /** Where the screenshot goes (tests run in forwarder-app/). */
    private static final Path SCREENSHOT = Path.of(System.getProperty("status.page.screenshot", "target/status-page.png"));

    private AdminHarness harness;
    private ChromeDriver browser;
    private final List<Socket> open = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        assertThat(CHROMIUM).as("Debian's chromium (scripts/test-tools.sh installs it)").exists();
        assertThat(DRIVER).as("Debian's chromium-driver (scripts/test-tools.sh installs it)").exists();
        harness = new AdminHarness("", 3);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        // --no-sandbox: the tests run as root here, where chromium's sandbox refuses to start.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1600,900", "--no-first-run", "--disable-extensions");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER)
                .usingAnyFreePort().withLogOutput(java.io.OutputStream.nullOutputStream()).build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void stop() throws Exception {
        for (Socket socket : open) {
            socket.close();
        }
        if (browser != null) {
            browser.quit();
        }
        if (harness != null) {
            harness.close();
        }
    }

    /**
     * The text of the first element {@code css} selects, read in one script: the page rebuilds its tables every
     * second, so an element found in one call may be gone by the next.
     */
    private String text(String css) {
        Object text = browser.executeScript(
                "const e = document.querySelector(arguments[0]); return e === null ? null : e.textContent;", css);
        return text == null ? null : text.toString();
    }

    private int count(String css) {
        return ((Number) browser.executeScript("return document.querySelectorAll(arguments[0]).length;", css))
                .intValue();
    }

    private static String member(String address) {
        return "table.members tr[data-member='" + address + "']";
    }

    private String memberState(String address) {
        return text(member(address) + " td span.state");
    }

    private String listenerActive() {
        return text("#listeners tr[data-listener='web'] td:nth-child(5)");
    }

    private int refreshes() {
        String refreshed = (String) browser.executeScript("return document.body.dataset.refreshed || '0';");
        return Integer.parseInt(refreshed);
    }

    @Test
    void membersRenderWithLiveNumbersAndADrainShowsWithinTwoSeconds() throws Exception {
        for (int i = 0; i < 6; i++) {
            open.add(harness.openEchoed());
        }
        String port = String.valueOf(harness.admin().getPort());
        browser.get("http://127.0.0.1:" + port + "/");
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(10), Duration.ofMillis(50));

        // Rendered from the API: three members, the listener with its six open connections.
        wait.until(b -> count("table.members tbody tr") == 3);
        wait.until(b -> "6".equals(listenerActive()));
        wait.until(b -> count("#connections tbody tr") == 6);
        int activeOnMembers = 0;
        for (EchoBackend backend : harness.backends) {
            activeOnMembers += Integer.parseInt(text(member(backend.member()) + " td.active"));
            assertThat(memberState(backend.member())).isEqualTo("up");
        }
        assertThat(activeOnMembers).isEqualTo(6);

        // Live: the numbers follow without a reload of the page.
        int before = refreshes();
        open.add(harness.openEchoed());
        wait.until(b -> "7".equals(listenerActive()));
        assertThat(refreshes()).isGreaterThan(before);
        // Counters from /metrics: accepted on the listener, connects per member, summing to the same seven.
        wait.until(b -> "7".equals(text("#listeners tr[data-listener='web'] td.accepted")));
        wait.until(b -> {
            int connects = 0;
            for (EchoBackend backend : harness.backends) {
                String cell = text(member(backend.member()) + " td.connects");
                connects += cell == null || cell.isEmpty() ? 0 : Integer.parseInt(cell);
            }
            return connects == 7;
        });

        // Drained through the API: the page shows it within two seconds.
        String drained = harness.backends.get(0).member();
        assertThat(harness.post("/api/pools/web/members/" + drained + "/drain").statusCode()).isEqualTo(200);
        long drainedAt = System.nanoTime();
        new WebDriverWait(browser, Duration.ofSeconds(2), Duration.ofMillis(20))
                .until(b -> "draining".equals(memberState(drained)));
        long shownAfterMillis = (System.nanoTime() - drainedAt) / 1_000_000;
        assertThat(text(member(drained))).contains("draining by admin-api@127.0.0.1");
        assertThat(shownAfterMillis).isLessThanOrEqualTo(2_000);

        byte[] png = browser.getScreenshotAs(OutputType.BYTES);
        Files.createDirectories(SCREENSHOT.getParent());
        Files.write(SCREENSHOT, png);
        assertThat(png.length).isGreaterThan(10_000);
        org.slf4j.LoggerFactory.getLogger(StatusPageBrowserTest.class).info(
                "status page: drain shown after {} ms, screenshot {} ({} bytes)", shownAfterMillis,
                SCREENSHOT.toAbsolutePath().normalize(), png.length);
    }
}
