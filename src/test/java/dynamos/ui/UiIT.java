package dynamos.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dynamos.testing.FrameworkGuest;
import dynamos.testing.Guest;
import dynamos.update.UpdateBuilder;
import dynamos.vm.VmOptions;
import dynamos.vm.VmResult;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.remote.RemoteWebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The Control Center in a real browser: 'dynamos ui' runs in the guest on 127.0.0.1, a relay in the guest
 * passes the forwarded port on to it (as an SSH tunnel would), and Debian's headless chromium on the host,
 * driven by Selenium, loads the page, sees the counters of stack_a's versions move while a workload calls
 * dynamos_target_fn, switches the active version and sees the calls move to it, activates a group, sets
 * phase and must_update, sees a failed apply's error as the CLI prints it, reverts the update, and sees
 * requests without the token, with the cookie only or from another origin refused. Screenshots go to target/ui-screenshots.
 */
class UiIT {
    private static final Path SHOTS = Guest.REPO.resolve("target/ui-screenshots");
    private static final String V1 = "tr[data-key='stack_a/1/1']";
    private static final String V2 = "tr[data-key='stack_a/1/2']";
    private static final String SLEEPY1 = "tr[data-key='stack_a/2/1']";

    @Test
    void theControlCenterShowsAndSwitchesLiveVersionsInABrowser() throws Exception {
        Path stackA = UpdateBuilder.compile(Guest.REPO.resolve("src/test/updates/stack_a"),
                Guest.REPO.resolve("target/kmod").resolve(Guest.kernel().version()).resolve("ui/stack_a"),
                Guest.kernel(), List.of()).getFirst();
        Files.createDirectories(Guest.REPO.resolve("target"));
        Path share = Files.createTempDirectory(Guest.REPO.resolve("target"), "ui");
        Path done = share.resolve("done");
        Path uiOut = share.resolve("ui.out");
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        int uiPort = port;
        // The same port on both sides: the page's Host header must be the Control Center's own.
        CompletableFuture<VmResult> guest = CompletableFuture.supplyAsync(() -> FrameworkGuest.runScenario("ui",
                Map.of("STACK_A", stackA.toString(), "UI_PORT", Integer.toString(uiPort), "DONE", done.toString(),
                        "UI_OUT", uiOut.toString()),
                o -> {
                    o.smp = 1;
                    o.share = share;
                    o.forwards.add(new VmOptions.Forward(uiPort, uiPort));
                }));
        WebDriver driver = null;
        try {
            String url = waitForUrl(uiOut, guest);
            assertThat(url).matches("http://127\\.0\\.0\\.1:" + port + "/\\?token=[A-Za-z0-9_-]{43}");
            String token = url.substring(url.indexOf("token=") + 6);
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + port;
            waitForServer(http, base + "/api/view", token);

            driver = browser();
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(90));
            driver.get(url);
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(V2)));
            assertThat(driver.getCurrentUrl()).as("the token leaves the address bar").doesNotContain("token=");
            assertThat(driver.findElement(By.cssSelector(V2)).getAttribute("class")).contains("active");

            // Live: the active version's counter moves between two reads, without a reload.
            long first = calls(driver, V2);
            WebDriver d = driver;
            wait.until(x -> calls(d, V2) > first);
            wait.until(x -> rate(d, V2) > 0);
            long v1Before = calls(driver, V1);
            shot(driver, "1-live-counters");

            // Requests without the token, or from another origin, are refused and change nothing.
            HttpResponse<String> noToken = http.send(HttpRequest.newBuilder(URI.create(base + "/api/view")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(noToken.statusCode()).isEqualTo(403);
            assertThat(noToken.body()).contains("\"error\"");
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(403);
            HttpResponse<String> crossOrigin = http.send(HttpRequest.newBuilder(URI.create(base + "/api/activate"))
                    .header("Origin", "http://attacker.example").header(AccessGuard.HEADER, token)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"stack_a\",\"id\":1,\"version\":1}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(crossOrigin.statusCode()).isEqualTo(403);
            assertThat(crossOrigin.body()).contains("cross-origin");
            HttpResponse<String> cookieOnly = http.send(HttpRequest.newBuilder(URI.create(base + "/api/activate"))
                    .header("Cookie", "dynamos_token_" + port + "=" + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"stack_a\",\"id\":1,\"version\":1}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(cookieOnly.statusCode()).isEqualTo(403);
            Thread.sleep(1500);
            assertThat(driver.findElement(By.cssSelector(V2)).getAttribute("class")).as("still active").contains("active");
            assertThat(calls(driver, V1)).as("no call moved to the original").isEqualTo(v1Before);

            // Switch: activate the original; the calls move to it.
            driver.findElement(By.cssSelector(V1 + " button[data-action=activate]")).click();
            wait.until(x -> x.findElement(By.cssSelector(V1)).getAttribute("class").contains("active"));
            wait.until(x -> rate(x, V1) > 0 && rate(x, V2) == 0);
            long v2Frozen = calls(driver, V2);
            long v1Now = calls(driver, V1);
            wait.until(x -> calls(x, V1) > v1Now);
            assertThat(calls(driver, V2)).as("the inactive version counts no more calls").isEqualTo(v2Frozen);
            assertThat(driver.findElement(By.id("oplog")).getText()).contains("$ dynamos activate stack_a 1 1");

            // Group activation: stack_a 1 back to version 2 and stack_a 2 to its original, in one step.
            driver.findElement(By.cssSelector(V2 + " input[type=radio]")).click();
            driver.findElement(By.cssSelector(SLEEPY1 + " input[type=radio]")).click();
            driver.findElement(By.id("group-activate")).click();
            wait.until(x -> x.findElement(By.cssSelector(V2)).getAttribute("class").contains("active")
                    && x.findElement(By.cssSelector(SLEEPY1)).getAttribute("class").contains("active"));
            assertThat(driver.findElement(By.cssSelector(V1)).getAttribute("class")).doesNotContain("active");
            long v2Again = calls(driver, V2);
            wait.until(x -> calls(x, V2) > v2Again);
            assertThat(driver.findElement(By.id("oplog")).getText())
                    .contains("$ dynamos activate-group stack_a 1 2 stack_a 2 1");

            // Phase and must_update: set, and shown for both ids of the name.
            driver.findElement(By.id("state-phase")).sendKeys("3");
            new Select(driver.findElement(By.id("state-must"))).selectByValue("true");
            driver.findElement(By.cssSelector("#state-form button[type=submit]")).click();
            wait.until(x -> x.findElement(By.cssSelector("tbody[data-update='stack_a/2'] [data-field=info]")).getText()
                    .contains("phase 3, must_update yes"));
            // The kernel log tail shows the framework's and the update's lines.
            wait.until(x -> x.findElement(By.id("kmsg")).getText().contains("stack_a: post_activation"));
            shot(driver, "2-switched");

            // Monitoring: the function the workload calls, timed by the kernel; its calls and histogram appear
            // with the calls per version, then Stop removes it.
            driver.findElement(By.id("monitor-fn")).sendKeys("dynamos_target:dynamos_target_fn");
            driver.findElement(By.cssSelector("#monitor-form button[type=submit]")).click();
            wait.until(x -> !x.findElements(By.cssSelector("#monitor-list .monitor")).isEmpty());
            wait.until(x -> monitorCalls(x) > 0);
            long monitored = monitorCalls(driver);
            wait.until(x -> monitorCalls(x) > monitored);
            wait.until(x -> x.findElement(By.cssSelector("#monitor-list .monitor [data-field=versions]")).getText()
                    .matches("(?s).*stack_a 1 v2 [1-9].*"));
            Thread.sleep(4000);
            Path screenshot = shot(driver, "3-monitor");
            driver.findElement(By.cssSelector("#monitor-list .monitor button.danger")).click();
            wait.until(x -> x.findElements(By.cssSelector("#monitor-list .monitor")).isEmpty());
            assertThat(driver.findElement(By.id("oplog")).getText()).doesNotContain("failed");

            // An apply that fails shows the error as the command line prints it.
            driver.findElement(By.id("apply-path")).sendKeys("/nonexistent/update.ko");
            driver.findElement(By.cssSelector("#apply-form button[type=submit]")).click();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("alert")));
            wait.until(x -> x.findElement(By.id("alert")).getText()
                    .contains("dynamos: /nonexistent/update.ko: no such update module or directory"));


            // Revert: the update leaves the table.
            driver.findElement(By.cssSelector("tbody[data-update='stack_a/1'] button[data-action=revert]")).click();
            wait.until(ExpectedConditions.alertIsPresent()).accept();
            wait.until(x -> x.findElements(By.cssSelector("tbody[data-update^='stack_a/']")).isEmpty());
            assertThat(driver.findElement(By.id("no-updates")).isDisplayed()).isTrue();
            wait.until(x -> x.findElement(By.id("oplog")).getText().contains("done: dynamos revert stack_a"));
            shot(driver, "4-reverted");

            // Apply from a path: the apply's steps, then the update back in the table; revert it again.
            WebElement path = driver.findElement(By.id("apply-path"));
            path.clear();
            path.sendKeys(stackA.toString());
            driver.findElement(By.cssSelector("#apply-form button[type=submit]")).click();
            wait.until(x -> x.findElement(By.id("oplog")).getText().contains("done: dynamos apply " + stackA));
            assertThat(driver.findElement(By.id("oplog")).getText()).contains("loaded dynamos_test_stack_a",
                    "activated as one group: stack_a 1 version 2, stack_a 2 version 2",
                    "applied stack_a (module dynamos_test_stack_a");
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(V2)));
            driver.findElement(By.cssSelector("tbody[data-update='stack_a/1'] button[data-action=revert]")).click();
            wait.until(ExpectedConditions.alertIsPresent()).accept();
            wait.until(x -> x.findElements(By.cssSelector("tbody[data-update^='stack_a/']")).isEmpty());
            Files.createDirectories(Guest.REPO.resolve("docs"));
            Files.copy(screenshot, Guest.REPO.resolve("docs/control-center.png"), StandardCopyOption.REPLACE_EXISTING);
        } finally {
            if (driver != null) {
                driver.quit();
            }
            Files.writeString(done, "done\n");
        }
        VmResult r = guest.get(5, TimeUnit.MINUTES);
        Map<String, String> v = FrameworkGuest.values(r);
        assertThat(v).containsEntry("done_seen", "yes").containsEntry("ui_alive", "yes");
        assertThat(v.get("list_after")).contains("no updates applied");
    }

    private static WebDriver browser() throws IOException {
        Path profile = Files.createTempDirectory("dynamos-ui-chromium");
        ChromeOptions o = new ChromeOptions();
        o.setBinary("/usr/bin/chromium");
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1366,768");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile()).usingAnyFreePort().build();
        service.start();
        // A plain WebDriver session, not ChromeDriver: ChromeDriver also opens a DevTools websocket, which now and
        // then hangs until Selenium's 3-minute timeout (it cost CI runs over 3 minutes); the test needs no DevTools.
        return new RemoteWebDriver(service.getUrl(), o) {
            @Override
            public void quit() {
                try {
                    super.quit();
                } finally {
                    service.stop();
                }
            }
        };
    }

    /** Waits for the line 'dynamos ui' prints with its URL (a JVM start under TCG takes seconds). */
    private static String waitForUrl(Path uiOut, CompletableFuture<VmResult> guest) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(420);
        while (System.nanoTime() < deadline) {
            if (guest.isDone()) {
                throw new AssertionError("the guest ended before the Control Center printed its URL:\n" + guest.get().output());
            }
            if (Files.exists(uiOut)) {
                Optional<String> line = Files.readAllLines(uiOut).stream().filter(l -> l.startsWith("Control Center: ")).findFirst();
                if (line.isPresent()) {
                    return line.get().substring("Control Center: ".length()).strip();
                }
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("no 'Control Center: URL' line in " + uiOut + " within 420 s");
    }

    /** Waits until the forwarded port reaches the Control Center through the relay. */
    private static void waitForServer(HttpClient http, String url, String token) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header(AccessGuard.HEADER, token)
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("stack_a")) {
                    return;
                }
            } catch (IOException notYet) {
                // the relay is still starting
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("the Control Center did not answer at " + url + " within 180 s");
    }

    /** The calls the first monitor in the page counted ("N calls" in its stats line). */
    private static long monitorCalls(WebDriver d) {
        String stats = d.findElement(By.cssSelector("#monitor-list .monitor [data-field=stats]")).getText();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9,]+) calls,").matcher(stats);
        return m.find() ? Long.parseLong(m.group(1).replace(",", "")) : -1;
    }

    private static long calls(WebDriver d, String row) {
        return Long.parseLong(cell(d, row, "calls").replace(",", ""));
    }

    private static double rate(WebDriver d, String row) {
        return Double.parseDouble(cell(d, row, "rate").replace(",", ""));
    }

    private static String cell(WebDriver d, String row, String field) {
        WebElement e = d.findElement(By.cssSelector(row + " [data-field=" + field + "]"));
        return e.getText().strip();
    }

    private static Path shot(WebDriver d, String name) throws IOException {
        Files.createDirectories(SHOTS);
        Path p = SHOTS.resolve(name + ".png");
        Files.write(p, ((TakesScreenshot) d).getScreenshotAs(OutputType.BYTES));
        return p;
    }
}
