package dynamos.cli;

import dynamos.device.DeviceException;
import dynamos.device.Errno;
import dynamos.device.Limits;
import dynamos.framework.Framework;
import dynamos.monitor.MonitorOptions;
import dynamos.monitor.MonitorReport;
import dynamos.monitor.MonitorStats;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

@Command(name = "monitor",
        mixinStandardHelpOptions = true,
        description = {
            "Measure kernel functions live: calls per second, per CPU, and a latency histogram.",
            "",
            "Injects a monitor into each FUNCTION (symbol or module:symbol; any function ftrace can patch, "
                    + "whether an update replaces it or not: then the version that runs is timed and the calls "
                    + "are split by version). Prints a progress line per interval, and when the command ends "
                    + "(--duration, or Ctrl-C) the report per function: calls, calls/s, per CPU, missed calls, "
                    + "the latency histogram (entry to return, log2 buckets), callers with --by-caller, "
                    + "versions. The monitors always go when the command ends, also when it is killed: they "
                    + "belong to its open /dev/dynamos.",
            "",
            "Starts all monitors or none: if one function cannot be monitored, the others are stopped.",
            "",
            "Examples:",
            "  dynamos monitor vfs_read --duration 10",
            "  dynamos monitor dynamos_target:dynamos_target_fn --by-caller      (until Ctrl-C)",
            "  dynamos monitor do_sys_openat2 vfs_write --interval 5 --json --duration 60",
            "  dynamos monitor --list                                             (every running monitor)"})
final class MonitorCommand extends CliCommand {
    @Parameters(paramLabel = "FUNCTION", arity = "0..*",
            description = "Functions to monitor: symbol or module:symbol (at most " + Limits.MAX_MONITORS + ").")
    List<String> functions = new ArrayList<>();

    @Option(names = "--duration", paramLabel = "SECONDS", converter = PositiveSeconds.class,
            description = "Stop after this many seconds (default: run until Ctrl-C).")
    Double duration;

    @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "1", converter = PositiveSeconds.class,
            description = "Seconds between progress lines (default: ${DEFAULT-VALUE}).")
    double interval;

    @Option(names = "--by-caller", description = "Also count calls and latency per caller (up to "
            + Limits.MONITOR_CALLERS + " callers; more are summed as '(other callers)').")
    boolean byCaller;

    @Option(names = "--max-active", paramLabel = "N",
            description = "Calls in flight timed at once (1.." + Limits.MONITOR_MAX_ACTIVE
                    + ", default: the kernel's 256); more are counted as missed.")
    Integer maxActive;

    @Option(names = "--list", description = "Show every running monitor (of any process) once and exit.")
    boolean list;

    @Mixin
    SharedOptions.Json json;

    /** --duration, --interval: positive seconds, at most a year. */
    static final class PositiveSeconds implements ITypeConverter<Double> {
        @Override
        public Double convert(String word) {
            double s;
            try {
                s = Double.parseDouble(word);
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + word + "' is not a number of seconds");
            }
            if (!(s > 0) || s > 365 * 86400.0) {
                throw new TypeConversionException("seconds must be more than 0 (and at most a year), not " + word);
            }
            return s;
        }
    }

    /** What one run is asked to do; {@code durationS} null: until stopped. */
    record Settings(List<String> functions, Double durationS, double intervalS, MonitorOptions options, boolean json) {}

    /** Sleeping between intervals, replaceable in tests. */
    interface Clock {
        long nanoTime();

        /** Sleeps up to {@code ns}, returning early when {@code stop} is counted down. */
        void sleep(long ns, CountDownLatch stop) throws InterruptedException;

        Clock SYSTEM = new Clock() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void sleep(long ns, CountDownLatch stop) throws InterruptedException {
                stop.await(ns, TimeUnit.NANOSECONDS);
            }
        };
    }

    @Override
    public Integer call() {
        if (list) {
            if (!functions.isEmpty() || duration != null || byCaller || maxActive != null) {
                error("--list takes no functions and no other options (it shows the monitors that run)");
                return ExitStatus.USAGE.code;
            }
            try (Framework fw = Framework.connect()) {
                return list(fw, json.requested, out());
            }
        }
        if (functions.isEmpty()) {
            error("name at least one FUNCTION to monitor (e.g. dynamos monitor vfs_read), or use --list");
            return ExitStatus.USAGE.code;
        }
        if (maxActive != null && (maxActive < 1 || maxActive > Limits.MONITOR_MAX_ACTIVE)) {
            error("--max-active must be 1.." + Limits.MONITOR_MAX_ACTIVE + ", not " + maxActive);
            return ExitStatus.USAGE.code;
        }
        Settings s = new Settings(List.copyOf(functions), duration, interval,
                new MonitorOptions(byCaller, maxActive == null ? 0 : maxActive), json.requested);
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        // Ctrl-C (SIGINT) or SIGTERM: end the run, print the report, stop the monitors, then let the JVM go.
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                finished.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "dynamos-monitor-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try (Framework fw = Framework.connect()) {
            return run(fw, s, out(), err(), stop, Clock.SYSTEM);
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs: it waited for us
            }
        }
    }

    /** --list: the monitors that run now. */
    static int list(Framework fw, boolean json, PrintWriter out) {
        List<MonitorStats> all = fw.monitors();
        if (json) {
            out.println(JsonOutput.write(Map.of("monitors", all.stream().map(MonitorReport::json).toList())));
            return ExitStatus.SUCCESS.code;
        }
        if (all.isEmpty()) {
            out.println("no monitors running");
        }
        for (MonitorStats m : all) {
            out.printf("monitor %d (pid %d):%n", m.id(), m.ownerPid());
            MonitorReport.print(out, m);
        }
        return ExitStatus.SUCCESS.code;
    }

    /**
     * One monitoring run on {@code fw}: starts a monitor per function (all or none), a progress line per
     * interval until the duration passed or {@code stop} is counted down, then the report; the monitors are
     * stopped whatever happens.
     */
    static int run(Framework fw, Settings s, PrintWriter out, PrintWriter err, CountDownLatch stop, Clock clock) {
        if (s.functions().size() > Limits.MAX_MONITORS) {
            err.println("dynamos: " + s.functions().size() + " functions named; at most " + Limits.MAX_MONITORS
                    + " monitors run at once (monitor fewer)");
            return ExitStatus.USAGE.code;
        }
        Map<Integer, String> ids = new LinkedHashMap<>();
        try {
            for (String f : s.functions()) {
                try {
                    int id = fw.monitorStart(f, s.options());
                    ids.put(id, f);
                    err.println("dynamos: monitoring " + f + " (monitor " + id + ")");
                    err.flush();
                } catch (DeviceException e) {
                    err.println("dynamos: cannot monitor " + f + ": " + e.getMessage() + hint(e));
                    return ExitStatus.FAILURE.code;
                } catch (IllegalArgumentException e) {
                    err.println("dynamos: cannot monitor " + f + ": " + e.getMessage());
                    return ExitStatus.FAILURE.code;
                }
            }
            long start = clock.nanoTime();
            long intervalNs = (long) (s.intervalS() * 1e9);
            Map<Integer, MonitorStats> last = new HashMap<>();
            for (MonitorStats m : mine(fw, ids)) {
                last.put(m.id(), m);
            }
            try {
                while (stop.getCount() > 0) {
                    long next = intervalNs;
                    if (s.durationS() != null) {
                        long left = (long) (s.durationS() * 1e9) - (clock.nanoTime() - start);
                        if (left <= 0) {
                            break;
                        }
                        next = Math.min(next, left);
                    }
                    clock.sleep(next, stop);
                    List<MonitorStats> now = mine(fw, ids);
                    for (MonitorStats m : now) {
                        MonitorStats before = last.get(m.id());
                        if (!s.json() && before != null) {
                            out.println(MonitorReport.progress(before, m));
                        }
                        last.put(m.id(), m);
                    }
                    out.flush();
                    if (now.size() < ids.size()) {
                        err.println("dynamos: a monitor was stopped by someone else (dynamos monitor --list shows"
                                + " the rest); ending");
                        break;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            List<MonitorStats> end = mine(fw, ids);
            double seconds = (clock.nanoTime() - start) / 1e9;
            if (s.json()) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("seconds", seconds);
                doc.put("monitors", end.stream().map(MonitorReport::json).toList());
                out.println(JsonOutput.write(doc));
            } else {
                out.println();
                for (MonitorStats m : end) {
                    MonitorReport.print(out, m);
                }
            }
            out.flush();
            return ExitStatus.SUCCESS.code;
        } finally {
            stopAll(fw, ids, err);
        }
    }

    /** The snapshots of our monitors, in the order they were started. */
    private static List<MonitorStats> mine(Framework fw, Map<Integer, String> ids) {
        Map<Integer, MonitorStats> byId = new HashMap<>();
        for (MonitorStats m : fw.monitors()) {
            byId.put(m.id(), m);
        }
        List<MonitorStats> out = new ArrayList<>();
        for (Integer id : ids.keySet()) {
            if (byId.containsKey(id)) {
                out.add(byId.get(id));
            }
        }
        return out;
    }

    private static void stopAll(Framework fw, Map<Integer, String> ids, PrintWriter err) {
        for (Map.Entry<Integer, String> e : ids.entrySet()) {
            try {
                fw.monitorStop(e.getKey());
            } catch (DeviceException ex) {
                if (ex.errno() != Errno.ENOENT) {
                    err.println("dynamos: cannot stop the monitor of " + e.getValue() + ": " + ex.getMessage()
                            + " (closing /dev/dynamos stops it when this command exits)");
                }
            }
        }
        err.flush();
    }

    /** What to do about the kernel's refusal. */
    static String hint(DeviceException e) {
        return switch (e.errno()) {
            case Errno.ENOENT -> "; check the name (grep it in /proc/kallsyms; module functions as module:symbol)";
            case Errno.EEXIST -> "; it is monitored already: see dynamos monitor --list";
            case Errno.ENOSPC -> "; stop a monitor first (dynamos monitor --list shows them)";
            case Errno.EOPNOTSUPP -> "; monitor a traceable caller or callee instead"
                    + " (see /sys/kernel/debug/tracing/available_filter_functions)";
            default -> "";
        };
    }
}
