package dynamos.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dynamos.framework.Framework;
import dynamos.testing.FakeFramework;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Control Center over real HTTP on 127.0.0.1, with the framework and the dynamos commands faked. */
class ControlCenterTest {
    private final FakeFramework fw = new FakeFramework();
    private final List<List<String>> commands = new CopyOnWriteArrayList<>();
    private ControlCenter cc;
    private boolean started = true;

    /** A runner standing for the dynamos commands: activate on the fake; everything else prints and fails. */
    private int run(List<String> args, java.io.PrintWriter out, java.io.PrintWriter err) {
        commands.add(List.copyOf(args));
        if (args.getFirst().equals("activate")) {
            fw.activate(args.get(1), Long.parseLong(args.get(2)), Integer.parseInt(args.get(3)));
            out.println("step one");
            out.print("activated " + args.get(1));
            return 0;
        }
        err.println("dynamos: " + args.getFirst() + " refused here");
        return 1;
    }

    private ControlCenter start(Framework framework) {
        cc = ControlCenter.start(new ControlCenter.Setup(() -> framework, () -> started, this::run, null, 3_600_000), 0);
        return cc;
    }

    @AfterEach
    void stop() {
        if (cc != null) {
            cc.close();
        }
    }

    record Response(int status, Map<String, String> headers, String body) {}

    private Response http(String method, String target, Map<String, String> headers, String body) throws IOException {
        try (Socket s = new Socket("127.0.0.1", cc.port())) {
            StringBuilder req = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
            Map<String, String> h = new LinkedHashMap<>();
            h.put("Host", "127.0.0.1:" + cc.port());
            h.put("Connection", "close");
            h.putAll(headers);
            byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            if (body != null) {
                h.put("Content-Type", "application/json");
                h.put("Content-Length", Integer.toString(b.length));
            }
            h.forEach((k, v) -> {
                if (v != null) {
                    req.append(k).append(": ").append(v).append("\r\n");
                }
            });
            req.append("\r\n");
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.UTF_8));
            out.write(b);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String status = in.readLine();
            Map<String, String> rh = new LinkedHashMap<>();
            for (String line; (line = in.readLine()) != null && !line.isEmpty(); ) {
                int colon = line.indexOf(':');
                rh.put(line.substring(0, colon).toLowerCase(), line.substring(colon + 1).strip());
            }
            StringBuilder rb = new StringBuilder();
            for (String line; (line = in.readLine()) != null; ) {
                rb.append(line).append('\n');
            }
            return new Response(Integer.parseInt(status.split(" ")[1]), rh, rb.toString());
        }
    }

    private Map<String, String> auth() {
        return Map.of(AccessGuard.HEADER, cc.token());
    }

    private Response postJson(String path, String json) throws IOException {
        return http("POST", path, Map.of(AccessGuard.HEADER, cc.token(), "Origin", "http://127.0.0.1:" + cc.port()), json);
    }

    private void twoVersions() {
        fw.register("u", 1, "f");
        fw.register("u", 1, "mod:f_v2");
        fw.activate("u", 1, 2);
    }

    @Test
    void thePageComesWithTheTokenAndSetsTheCookie() throws IOException {
        start(fw);
        assertThat(cc.url()).isEqualTo("http://127.0.0.1:" + cc.port() + "/?token=" + cc.token());
        Response r = http("GET", "/?token=" + cc.token(), Map.of(), null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().get("set-cookie")).contains("dynamos_token_" + cc.port() + "=" + cc.token())
                .contains("HttpOnly").contains("SameSite=Strict");
        assertThat(r.headers().get("content-security-policy")).contains("default-src 'self'");
        assertThat(r.body()).contains("<meta name=\"dynamos-token\" content=\"" + cc.token() + "\">")
                .contains("DynAMOS Control Center");
        Response js = http("GET", "/app.js", Map.of("Cookie", "dynamos_token_" + cc.port() + "=" + cc.token()), null);
        assertThat(js.status()).isEqualTo(200);
        assertThat(js.headers().get("content-type")).startsWith("text/javascript");
    }

    @Test
    void requestsWithoutTheTokenAreRefusedWithJson() throws IOException {
        start(fw);
        for (String path : List.of("/", "/app.js", "/api/view", "/api/events", "/api/log")) {
            Response r = http("GET", path, Map.of(), null);
            assertThat(r.status()).as(path).isEqualTo(403);
            assertThat(r.headers().get("content-type")).startsWith("application/json");
            assertThat(r.body()).contains("\"error\"");
        }
        Response wrongHost = http("GET", "/api/view", Map.of("Host", "rebound.example:" + cc.port(),
                AccessGuard.HEADER, cc.token()), null);
        assertThat(wrongHost.status()).isEqualTo(403);
        assertThat(wrongHost.body()).contains("rebound.example");
    }

    @Test
    void refusedChangesChangeNothing() throws IOException {
        twoVersions();
        start(fw);
        String body = "{\"name\":\"u\",\"id\":1,\"version\":1}";
        String cookie = "dynamos_token_" + cc.port() + "=" + cc.token();
        assertThat(http("POST", "/api/activate", Map.of("Cookie", cookie), body).status())
                .as("the cookie alone, as a cross-site form would send it").isEqualTo(403);
        assertThat(http("POST", "/api/activate", Map.of(AccessGuard.HEADER, cc.token(), "Origin", "http://evil.example"),
                body).status()).isEqualTo(403);
        assertThat(http("GET", "/api/activate?name=u&id=1&version=1", auth(), null).status()).isEqualTo(405);
        assertThat(commands).isEmpty();
        assertThat(fw.table().activeVersion("u", 1)).hasValue(2);
    }

    @Test
    void activateRunsTheCommandAndReportsItsOutput() throws IOException {
        twoVersions();
        start(fw);
        Response r = postJson("/api/activate", "{\"name\":\"u\",\"id\":1,\"version\":1}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(commands).containsExactly(List.of("activate", "u", "1", "1"));
        assertThat(r.body()).contains("\"status\":0").contains("\"out\":[\"step one\",\"activated u\"]")
                .contains("\"command\":\"dynamos activate u 1 1\"");
        assertThat(fw.table().activeVersion("u", 1)).hasValue(1);
    }

    @Test
    void aFailedCommandReportsItsErrorAsTheCliPrintsIt() throws IOException {
        start(fw);
        Response r = postJson("/api/revert", "{\"name\":\"u\"}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("\"status\":1").contains("\"err\":[\"dynamos: revert refused here\"]");
    }

    @Test
    void eachOperationBecomesItsCommandLine() {
        var m = new com.fasterxml.jackson.databind.ObjectMapper();
        assertThat(ControlCenter.command("activate-group", tree(m, "{\"members\":[{\"name\":\"a\",\"id\":1,\"version\":2},"
                + "{\"name\":\"b\",\"id\":\"3\",\"version\":1}]}")))
                .containsExactly("activate-group", "a", "1", "2", "b", "3", "1");
        assertThat(ControlCenter.command("state", tree(m, "{\"name\":\"a\",\"phase\":\"4\",\"mustUpdate\":true}")))
                .containsExactly("state", "a", "--phase", "4", "--must-update", "true");
        assertThat(ControlCenter.command("state", tree(m, "{\"name\":\"a\"}"))).containsExactly("state", "a");
        assertThat(ControlCenter.command("handler", tree(m, "{\"name\":\"a\",\"id\":2,\"function\":\"m:h\"}")))
                .containsExactly("rule", "a", "2", "m:h");
        assertThat(ControlCenter.command("handler", tree(m, "{\"name\":\"a\",\"id\":2,\"clear\":true}")))
                .containsExactly("rule", "a", "2", "--clear");
        assertThat(ControlCenter.command("revert", tree(m, "{\"name\":\"a\"}"))).containsExactly("revert", "a");
        assertThat(ControlCenter.command("apply", tree(m, "{\"path\":\"/x/u.ko\"}"))).containsExactly("apply", "/x/u.ko");
    }

    @Test
    void valuesThatLookLikeOptionsOrArgumentFilesAreRefused() throws IOException {
        start(fw);
        for (String body : List.of("{\"name\":\"--help\"}", "{\"name\":\"@/etc/shadow\"}", "{\"name\":\"\"}", "{}")) {
            Response r = postJson("/api/revert", body);
            assertThat(r.status()).as(body).isEqualTo(400);
        }
        assertThat(postJson("/api/apply", "{\"path\":\"relative/u.ko\"}").body()).contains("must be absolute");
        assertThat(postJson("/api/activate", "{\"name\":\"u\",\"id\":\"x\",\"version\":1}").body())
                .contains("id 'x' is not a number");
        assertThat(postJson("/api/activate", "not json").status()).isEqualTo(400);
        assertThat(commands).isEmpty();
    }

    @Test
    void monitorsStartAndStopOnOneHeldConnection() throws IOException {
        start(fw);
        Response r = postJson("/api/monitor/start", "{\"function\":\"vfs_read\",\"byCaller\":true}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("\"id\":1");
        assertThat(fw.monitors()).singleElement().satisfies(m -> {
            assertThat(m.function()).isEqualTo("vfs_read");
            assertThat(m.byCaller()).isTrue();
        });
        assertThat(cc.access().holding()).isTrue();
        int closes = fw.closes();
        fw.monitorCalls(1, 0, 500, 10);
        cc.sample();
        assertThat(fw.closes()).as("readings go through the held connection").isEqualTo(closes);
        assertThat(cc.picture().view().monitors()).singleElement().satisfies(m -> assertThat(m.calls()).isEqualTo(500));
        assertThat(postJson("/api/monitor/stop", "{\"id\":1}").status()).isEqualTo(200);
        assertThat(fw.monitors()).isEmpty();
        assertThat(cc.access().holding()).as("the last monitor's connection is closed").isFalse();
        assertThat(fw.closes()).as("the stop goes through the held connection, which closes then").isEqualTo(closes + 1);
        cc.sample();
        assertThat(fw.closes()).as("without monitors, a connection per reading").isGreaterThan(closes + 1);
        Response again = postJson("/api/monitor/stop", "{\"id\":1}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body()).contains("no monitor 1");
    }

    @Test
    void aFrameworkWithoutMonitoringSaysSoCleanly() throws IOException {
        Framework noMonitor = (Framework) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Framework.class},
                (p, method, args) -> {
                    if (method.getName().equals("monitorStart")) {
                        throw new UnsupportedOperationException("the kernel side of monitoring is not there yet");
                    }
                    try {
                        return method.invoke(fw, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        start(noMonitor);
        Response r = postJson("/api/monitor/start", "{\"function\":\"vfs_read\"}");
        assertThat(r.status()).isEqualTo(501);
        assertThat(r.body()).contains("monitoring is not available").contains("not there yet");
        assertThat(cc.access().holding()).isFalse();
        started = false;
        assertThat(postJson("/api/monitor/start", "{\"function\":\"vfs_read\"}").body()).contains("not started");
    }

    @Test
    void picturesCarryPerVersionRatesAndTheHistory() throws IOException {
        twoVersions();
        start(fw);
        fw.addCalls("u", 1, 2, 1000);
        cc.sample();
        Response v = http("GET", "/api/view", auth(), null);
        assertThat(v.status()).isEqualTo(200);
        assertThat(v.body()).contains("\"name\":\"u\"").contains("\"calls\":1000").contains("\"framework\"");
        assertThat(cc.picture().view().updates().getFirst().versions().get(1).callsPerSecond()).isPositive();
        assertThat(cc.history()).hasSizeGreaterThanOrEqualTo(2).last()
                .satisfies(p -> assertThat(p.rates()).containsKeys("u/1/1", "u/1/2"));
        started = false;
        cc.sample();
        assertThat(cc.picture().view().framework()).isNull();
        assertThat(cc.picture().view().updates()).isEmpty();
    }

    @Test
    void eventsStreamTheHelloThenViewsAndOperationLines() throws Exception {
        twoVersions();
        start(fw);
        List<String> lines = new CopyOnWriteArrayList<>();
        Socket s = new Socket("127.0.0.1", cc.port());
        s.getOutputStream().write(("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:" + cc.port() + "\r\n" + AccessGuard.HEADER
                + ": " + cc.token() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        Thread reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = in.readLine()) != null; ) {
                    lines.add(l);
                }
            } catch (IOException ignored) {
                // closed by the test
            }
        });
        waitFor(() -> lines.contains("event: hello"));
        cc.sample();
        waitFor(() -> lines.contains("event: view"));
        postJson("/api/activate", "{\"name\":\"u\",\"id\":1,\"version\":1}");
        waitFor(() -> lines.stream().anyMatch(l -> l.contains("\"phase\":\"end\"")));
        List<String> ops = new ArrayList<>(lines.stream().filter(l -> l.contains("\"phase\":\"")).toList());
        assertThat(ops).hasSize(4);
        assertThat(ops.get(0)).contains("\"phase\":\"start\"").contains("dynamos activate u 1 1");
        assertThat(ops.get(1)).contains("\"text\":\"step one\"");
        assertThat(ops.get(3)).contains("\"status\":0");
        s.close();
        reader.join(5000);
    }

    private static void waitFor(java.util.function.BooleanSupplier c) throws InterruptedException {
        for (int i = 0; i < 500 && !c.getAsBoolean(); i++) {
            Thread.sleep(10);
        }
        assertThat(c.getAsBoolean()).as("condition within 5 s").isTrue();
    }

    private static com.fasterxml.jackson.databind.JsonNode tree(com.fasterxml.jackson.databind.ObjectMapper m, String s) {
        try {
            return m.readTree(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
