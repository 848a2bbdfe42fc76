package dynamos.monitor;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code dynamos monitor} shows of a monitor: the final report as text (calls, rate, per CPU, missed,
 * the latency histogram as a bar chart, callers, versions) or as a JSON-ready map, and the progress line of
 * one interval. Pure functions of {@link MonitorStats} snapshots, so other views can reuse them.
 */
public final class MonitorReport {
    /** Width of the longest bar of a histogram. */
    static final int BAR = 40;

    private MonitorReport() {}

    /** Calls per second over a snapshot's whole run (0 before any time passed). */
    public static double rate(MonitorStats m) {
        return m.elapsedNs() <= 0 ? 0 : m.calls() * 1e9 / m.elapsedNs();
    }

    /** One interval's line: calls/s in total and per CPU between two snapshots of the same monitor. */
    public static String progress(MonitorStats before, MonitorStats now) {
        double seconds = Math.max(1e-9, (now.elapsedNs() - before.elapsedNs()) / 1e9);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%8.1fs  %-40s %12.1f calls/s", now.elapsedNs() / 1e9, now.function(),
                (now.calls() - before.calls()) / seconds));
        List<String> cpus = new ArrayList<>();
        for (int c = 0; c < now.callsPerCpu().size(); c++) {
            long b = c < before.callsPerCpu().size() ? before.callsPerCpu().get(c) : 0;
            long d = now.callsPerCpu().get(c) - b;
            if (d != 0) {
                cpus.add(String.format(Locale.ROOT, "cpu%d %.1f", c, d / seconds));
            }
        }
        if (!cpus.isEmpty()) {
            sb.append("  (").append(String.join(", ", cpus)).append(')');
        }
        return sb.toString();
    }

    /** The final report of one monitor as text. */
    public static void print(PrintWriter out, MonitorStats m) {
        out.printf(Locale.ROOT, "%s: %d calls in %.1f s (%.1f calls/s), %d missed%n", m.function(), m.calls(),
                m.elapsedNs() / 1e9, rate(m), m.missed());
        List<String> cpus = new ArrayList<>();
        for (int c = 0; c < m.callsPerCpu().size(); c++) {
            if (m.callsPerCpu().get(c) != 0) {
                cpus.add("cpu" + c + " " + m.callsPerCpu().get(c));
            }
        }
        out.println("  per CPU: " + (cpus.isEmpty() ? "no calls" : String.join(", ", cpus)));
        out.println("  latency (entry to return):");
        histogram(out, m.latency(), "    ");
        if (m.byCaller()) {
            out.println("  callers:");
            if (m.callers().isEmpty()) {
                out.println("    none");
            }
            for (MonitorStats.CallerStats c : m.callers()) {
                out.printf(Locale.ROOT, "    %12d  %-56s %s%n", c.calls(), c.caller(),
                        c.latency().isEmpty() ? "" : "median " + median(c.latency()));
            }
        }
        if (!m.versions().isEmpty()) {
            out.println("  versions (calls since the monitor started):");
            for (MonitorStats.VersionStats v : m.versions()) {
                out.printf(Locale.ROOT, "    %-20s %6d  v%-3d %-40s %12d%n", v.update(), v.id(), v.version(),
                        v.function(), v.calls());
            }
        }
    }

    /** The non-empty range of a histogram as bars: {@code [1us, 2us)  ####  123}. */
    public static void histogram(PrintWriter out, List<Long> h, String indent) {
        int first = -1;
        int last = -1;
        long most = 0;
        for (int i = 0; i < h.size(); i++) {
            if (h.get(i) > 0) {
                first = first < 0 ? i : first;
                last = i;
                most = Math.max(most, h.get(i));
            }
        }
        if (first < 0) {
            out.println(indent + "no call returned yet");
            return;
        }
        for (int i = first; i <= last; i++) {
            long n = h.get(i);
            int len = (int) Math.ceil((double) n * BAR / most);
            String range = "[" + label(i) + ", " + (i == h.size() - 1 ? "..." : label(i + 1)) + ")";
            out.printf(Locale.ROOT, "%s%-18s %-" + BAR + "s %d%n", indent, range, "#".repeat(len), n);
        }
    }

    /** A bucket's lower bound: 1ns, 512ns, 1us, 32ms, 2s. */
    static String label(int bucket) {
        if (bucket == 0) {
            return "0ns";
        }
        long ns = 1L << bucket;
        String[] units = {"ns", "us", "ms", "s"};
        double v = ns;
        int u = 0;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return (v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.3g", v))
                + units[u];
    }

    private static String median(List<Long> h) {
        long total = h.stream().mapToLong(Long::longValue).sum();
        long seen = 0;
        for (int i = 0; i < h.size(); i++) {
            seen += h.get(i);
            if (total > 0 && seen * 2 >= total) {
                return "in [" + label(i) + ", " + (i == h.size() - 1 ? "..." : label(i + 1)) + ")";
            }
        }
        return "-";
    }

    /** The JSON form of one monitor's final snapshot (keys in a stable order). */
    public static Map<String, Object> json(MonitorStats m) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("id", m.id());
        o.put("function", m.function());
        o.put("owner_pid", m.ownerPid());
        o.put("elapsed_ns", m.elapsedNs());
        o.put("calls", m.calls());
        o.put("calls_per_second", rate(m));
        o.put("calls_per_cpu", m.callsPerCpu());
        o.put("missed", m.missed());
        o.put("latency_buckets", buckets(m.latency()));
        o.put("latency", m.latency());
        o.put("by_caller", m.byCaller());
        List<Map<String, Object>> callers = new ArrayList<>();
        for (MonitorStats.CallerStats c : m.callers()) {
            Map<String, Object> co = new LinkedHashMap<>();
            co.put("caller", c.caller());
            co.put("calls", c.calls());
            co.put("latency", c.latency());
            callers.add(co);
        }
        o.put("callers", callers);
        List<Map<String, Object>> versions = new ArrayList<>();
        for (MonitorStats.VersionStats v : m.versions()) {
            Map<String, Object> vo = new LinkedHashMap<>();
            vo.put("update", v.update());
            vo.put("id", v.id());
            vo.put("version", v.version());
            vo.put("function", v.function());
            vo.put("calls", v.calls());
            versions.add(vo);
        }
        o.put("versions", versions);
        return o;
    }

    /** Non-empty buckets with their bounds in ns ({@code to_ns} -1: open-ended). */
    private static List<Map<String, Object>> buckets(List<Long> h) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < h.size(); i++) {
            if (h.get(i) > 0) {
                Map<String, Object> b = new LinkedHashMap<>();
                b.put("from_ns", i == 0 ? 0L : 1L << i);
                b.put("to_ns", i == h.size() - 1 ? -1L : 1L << (i + 1));
                b.put("calls", h.get(i));
                out.add(b);
            }
        }
        return out;
    }
}
