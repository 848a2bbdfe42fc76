package dynamos.ui;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dynamos.device.DeviceException;
import dynamos.framework.Framework;
import dynamos.live.LiveSampler;
import dynamos.live.LiveView;
import dynamos.monitor.MonitorOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The Control Center: a web page and its API, served on 127.0.0.1 by the JDK's HTTP server. Every second it
 * takes a {@link LiveView} of the kernel and pushes it to the open pages (Server-Sent Events, {@code
 * /api/events}) with the kernel log's new lines and the progress of operations; the page's actions are POSTs
 * that run the {@code dynamos} commands ({@link Operations}) or start and stop monitors. {@link AccessGuard}
 * checks every request first.
 */
public final class ControlCenter implements AutoCloseable {
    /** The default port of {@code dynamos ui}. */
    public static final int DEFAULT_PORT = 7070;
    /** Seconds of call rates kept for the chart (and sent to a page when it connects). */
    static final int HISTORY = 600;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RESOURCES = "/dynamos/ui/";
    private static final Map<String, String> ASSETS = Map.of(
            "/app.js", "text/javascript; charset=utf-8",
            "/style.css", "text/css; charset=utf-8");

    /** What the Control Center needs from the machine; tests give fakes. */
    public record Setup(Supplier<Framework> connect, BooleanSupplier started, Operations.CommandRunner runner,
                        Path kmsg, long sampleMillis) {}

    /** One picture pushed to the pages: the live view, or why there is none ({@code error}). */
    public record Picture(LiveView view, String error) {}

    /** One point of the chart: when, and calls per second per version ({@code name/id/version}). */
    public record Point(long t, Map<String, Double> rates) {}

    private final HttpServer server;
    private final AccessGuard guard;
    private final EventHub events = new EventHub();
    private final FrameworkAccess access;
    private final Operations operations;
    private final KernelLog log;
    private final ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService sampling = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("dynamos-ui-sampler").unstarted(r));
    private final Deque<Point> history = new ArrayDeque<>();
    private LiveSampler sampler;
    private volatile Picture last = new Picture(LiveView.notStarted(System.currentTimeMillis()), null);

    private ControlCenter(Setup setup, HttpServer server, String token) {
        this.server = server;
        this.guard = token == null ? new AccessGuard(port()) : new AccessGuard(port(), token);
        this.access = new FrameworkAccess(setup.connect(), setup.started());
        this.operations = new Operations(setup.runner(), this::operationEvent);
        this.log = new KernelLog(e -> events.publish("log", json(e)));
        server.setExecutor(requests);
        server.createContext("/", this::handle);
    }

    /**
     * Binds 127.0.0.1:{@code port} (0: a free port) and starts serving, sampling and following the kernel log.
     *
     * @throws UncheckedIOException if the port cannot be bound (e.g. in use)
     */
    public static ControlCenter start(Setup setup, int port) {
        return start(setup, port, null);
    }

    static ControlCenter start(Setup setup, int port, String token) {
        HttpServer s;
        try {
            s = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port + ": " + e.getMessage()
                    + (port != 0 ? " (choose another port with --port N, or 0 for a free one)" : ""), e);
        }
        ControlCenter c = new ControlCenter(setup, s, token);
        c.sample();
        s.start();
        c.sampling.scheduleAtFixedRate(c::sample, setup.sampleMillis(), setup.sampleMillis(), TimeUnit.MILLISECONDS);
        if (setup.kmsg() != null) {
            c.log.follow(setup.kmsg());
        }
        return c;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String token() {
        return guard.token();
    }

    /** The URL to open: the page with the token. */
    public String url() {
        return "http://127.0.0.1:" + port() + "/?token=" + token();
    }

    /** The kernel log as the page shows it. */
    KernelLog log() {
        return log;
    }

    EventHub events() {
        return events;
    }

    FrameworkAccess access() {
        return access;
    }

    /** The latest picture. */
    Picture picture() {
        return last;
    }

    /** Takes a picture now and pushes it (the sampler thread does this every {@code sampleMillis}). */
    synchronized void sample() {
        Picture p;
        long now = System.currentTimeMillis();
        try {
            if (!access.started()) {
                sampler = null;
                p = new Picture(LiveView.notStarted(now), null);
            } else {
                if (sampler == null) {
                    sampler = new LiveSampler(access.perCall(), true);
                }
                LiveView v = sampler.sample();
                p = new Picture(v, null);
                List<String> names = new ArrayList<>();
                for (LiveView.UpdateView u : v.updates()) {
                    names.add(u.name());
                    for (LiveView.VersionView ver : u.versions()) {
                        names.add(ver.module());
                        names.add(shortName(ver.function()));
                    }
                }
                log.watch(names);
            }
        } catch (RuntimeException e) {
            sampler = null;
            p = new Picture(LiveView.notStarted(now), "cannot read the framework: " + e.getMessage());
        }
        last = p;
        Map<String, Double> rates = new LinkedHashMap<>();
        for (LiveView.UpdateView u : p.view().updates()) {
            for (LiveView.VersionView ver : u.versions()) {
                rates.put(u.name() + "/" + u.id() + "/" + ver.version(), round(ver.callsPerSecond()));
            }
        }
        synchronized (history) {
            history.addLast(new Point(p.view().atMillis(), rates));
            while (history.size() > HISTORY) {
                history.removeFirst();
            }
        }
        events.publish("view", json(p));
    }

    private static String shortName(String function) {
        if (function == null) {
            return null;
        }
        int colon = function.lastIndexOf(':');
        return colon < 0 ? function : function.substring(colon + 1);
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    List<Point> history() {
        synchronized (history) {
            return List.copyOf(history);
        }
    }

    private void operationEvent(Operations.Event e) {
        Map<String, Object> m = new LinkedHashMap<>();
        switch (e) {
            case Operations.Started s -> {
                m.put("id", s.id());
                m.put("phase", "start");
                m.put("command", s.command());
            }
            case Operations.Printed p -> {
                m.put("id", p.line().id());
                m.put("phase", "line");
                m.put("stream", p.line().stream());
                m.put("text", p.line().text());
            }
            case Operations.Ended d -> {
                m.put("id", d.done().id());
                m.put("phase", "end");
                m.put("command", d.done().command());
                m.put("status", d.done().status());
            }
        }
        events.publish("op", json(m));
    }

    // ---- HTTP ----

    /** An answer: status and JSON body. */
    private record Answer(int status, Object body) {}

    private static final class Refused extends RuntimeException {
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private void handle(HttpExchange x) throws IOException {
        try {
            String path = x.getRequestURI().getRawPath();
            String method = x.getRequestMethod();
            Map<String, String> query = query(x.getRequestURI().getRawQuery());
            AccessGuard.Decision d = guard.check(new AccessGuard.Request(method, path,
                    x.getRequestHeaders().getFirst("Host"), x.getRequestHeaders().getFirst("Origin"), query.get("token"),
                    AccessGuard.cookieValue(x.getRequestHeaders().getFirst("Cookie"), guard.cookieName()),
                    x.getRequestHeaders().getFirst(AccessGuard.HEADER)));
            if (!d.allowed()) {
                send(x, 403, Map.of("error", d.refusal()));
                return;
            }
            if (d.setCookie()) {
                x.getResponseHeaders().add("Set-Cookie", guard.cookie());
            }
            route(x, method, path);
        } catch (Refused r) {
            send(x, r.status, Map.of("error", r.getMessage()));
        } catch (IllegalArgumentException e) {
            send(x, 400, Map.of("error", e.getMessage()));
        } catch (RuntimeException e) {
            send(x, 500, Map.of("error", "dynamos ui: " + e));
        } finally {
            x.close();
        }
    }

    private void route(HttpExchange x, String method, String path) throws IOException {
        if (path.equals("/") || path.equals("/index.html")) {
            expect(method, "GET");
            String page = resource("index.html").replace("{{TOKEN}}", guard.token());
            x.getResponseHeaders().add("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; "
                    + "style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'none'");
            sendText(x, 200, "text/html; charset=utf-8", page);
            return;
        }
        if (ASSETS.containsKey(path)) {
            expect(method, "GET");
            sendText(x, 200, ASSETS.get(path), resource(path.substring(1)));
            return;
        }
        switch (path) {
            case "/api/view" -> {
                expect(method, "GET");
                send(x, 200, last);
            }
            case "/api/log" -> {
                expect(method, "GET");
                send(x, 200, log.tail());
            }
            case "/api/events" -> {
                expect(method, "GET");
                streamEvents(x);
            }
            case "/api/activate", "/api/activate-group", "/api/state", "/api/handler", "/api/revert", "/api/apply" -> {
                expect(method, "POST");
                List<String> args = command(path.substring("/api/".length()), body(x));
                Operations.Done done = operations.run(args);
                send(x, 200, done);
            }
            case "/api/monitor/start" -> {
                expect(method, "POST");
                JsonNode b = body(x);
                String fn = Operations.value("the function", text(b, "function"));
                int id = monitor(() -> access.monitorStart(fn, new MonitorOptions(b.path("byCaller").asBoolean(false), 0)));
                send(x, 200, Map.of("ok", true, "id", id, "message", "monitoring " + fn + " (monitor " + id + ")"));
            }
            case "/api/monitor/stop" -> {
                expect(method, "POST");
                int id = number(body(x), "id");
                monitor(() -> {
                    access.monitorStop(id);
                    return 0;
                });
                send(x, 200, Map.of("ok", true, "message", "stopped monitor " + id));
            }
            default -> throw new Refused(404, "no such page: " + path);
        }
    }

    /** Starts or stops a monitor, turning the framework's refusals into answers the page shows. */
    private int monitor(Supplier<Integer> op) {
        if (!access.started()) {
            throw new Refused(409, "dynamos: the framework is not started (start it with: dynamos start)");
        }
        try {
            return op.get();
        } catch (UnsupportedOperationException e) {
            throw new Refused(501, "dynamos: monitoring is not available in this framework: " + e.getMessage());
        } catch (DeviceException | IllegalArgumentException | IllegalStateException e) {
            throw new Refused(409, "dynamos: " + e.getMessage());
        }
    }

    /** The {@code dynamos} command line of an operation, from the page's JSON. */
    static List<String> command(String op, JsonNode b) {
        List<String> a = new ArrayList<>();
        switch (op) {
            case "activate" -> {
                a.add("activate");
                a.add(Operations.value("the update name", text(b, "name")));
                a.add(Long.toString(number(b, "id")));
                a.add(Long.toString(number(b, "version")));
            }
            case "activate-group" -> {
                a.add("activate-group");
                JsonNode members = b.path("members");
                if (!members.isArray() || members.isEmpty()) {
                    throw new Refused(400, "choose a version of at least one update for the group");
                }
                for (JsonNode m : members) {
                    a.add(Operations.value("the update name", text(m, "name")));
                    a.add(Long.toString(number(m, "id")));
                    a.add(Long.toString(number(m, "version")));
                }
            }
            case "state" -> {
                a.add("state");
                a.add(Operations.value("the update name", text(b, "name")));
                if (b.hasNonNull("phase")) {
                    a.add("--phase");
                    a.add(Long.toString(number(b, "phase")));
                }
                if (b.hasNonNull("mustUpdate")) {
                    a.add("--must-update");
                    a.add(Boolean.toString(b.path("mustUpdate").asBoolean()));
                }
            }
            case "handler" -> {
                a.add("rule");
                a.add(Operations.value("the update name", text(b, "name")));
                a.add(Long.toString(number(b, "id")));
                if (b.path("clear").asBoolean(false)) {
                    a.add("--clear");
                } else {
                    a.add(Operations.value("the handler function", text(b, "function")));
                }
            }
            case "revert" -> {
                a.add("revert");
                a.add(Operations.value("the update name", text(b, "name")));
            }
            case "apply" -> {
                a.add("apply");
                String path = Operations.value("the module path", text(b, "path"));
                if (!path.startsWith("/")) {
                    throw new Refused(400, "the module path '" + path + "' must be absolute (the server's working"
                            + " directory is not the page's)");
                }
                a.add(path);
            }
            default -> throw new Refused(404, "no such operation: " + op);
        }
        return a;
    }

    private static String text(JsonNode b, String field) {
        JsonNode n = b.get(field);
        return n == null || n.isNull() ? null : n.asText().strip();
    }

    private static int number(JsonNode b, String field) {
        JsonNode n = b.get(field);
        if (n == null || n.isNull() || n.asText().isBlank()) {
            throw new Refused(400, field + " is missing; fill in the field");
        }
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            long v = n.asLong();
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw new Refused(400, field + " " + v + " is out of range");
            }
            return (int) v;
        }
        String s = n.asText().strip();
        if (!s.matches("[0-9]{1,9}")) {
            throw new Refused(400, field + " '" + s + "' is not a number (0 or more)");
        }
        return Integer.parseInt(s);
    }

    private static void expect(String method, String wanted) {
        if (!method.equals(wanted)) {
            throw new Refused(405, method + " is not allowed here; use " + wanted);
        }
    }

    private static JsonNode body(HttpExchange x) throws IOException {
        try (InputStream in = x.getRequestBody()) {
            byte[] b = in.readNBytes(64 * 1024 + 1);
            if (b.length > 64 * 1024) {
                throw new Refused(413, "request too large");
            }
            JsonNode n = JSON.readTree(b);
            if (n == null || !n.isObject()) {
                throw new Refused(400, "the request must be a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new Refused(400, "the request is not JSON: " + e.getOriginalMessage());
        }
    }

    private void streamEvents(HttpExchange x) throws IOException {
        x.getResponseHeaders().add("Content-Type", "text/event-stream; charset=utf-8");
        x.getResponseHeaders().add("Cache-Control", "no-store");
        x.sendResponseHeaders(200, 0);
        Map<String, Object> hello = new LinkedHashMap<>();
        hello.put("history", history());
        hello.put("log", log.tail());
        hello.put("picture", last);
        try (OutputStream out = x.getResponseBody()) {
            events.stream(out, List.of("retry: 2000\n\n", EventHub.frame("hello", json(hello))));
        } catch (IOException gone) {
            // The page went away.
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null) {
            return q;
        }
        for (String part : raw.split("&")) {
            int eq = part.indexOf('=');
            String k = eq < 0 ? part : part.substring(0, eq);
            String v = eq < 0 ? "" : part.substring(eq + 1);
            q.putIfAbsent(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return q;
    }

    private static String resource(String name) {
        try (InputStream in = ControlCenter.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCES + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static void send(HttpExchange x, int status, Object body) throws IOException {
        sendText(x, status, "application/json; charset=utf-8", json(body));
    }

    private static void sendText(HttpExchange x, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", type);
        x.getResponseHeaders().set("Cache-Control", "no-store");
        x.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        x.getResponseHeaders().set("X-Frame-Options", "DENY");
        x.getResponseHeaders().set("Referrer-Policy", "no-referrer");
        x.sendResponseHeaders(status, b.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(b);
        }
    }

    /** Stops serving, sampling and pushing; closes the connection held for monitors (their monitors stop). */
    @Override
    public void close() {
        sampling.shutdownNow();
        events.close();
        server.stop(0);
        requests.shutdownNow();
        access.close();
    }
}
