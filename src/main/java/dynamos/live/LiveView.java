package dynamos.live;

import dynamos.monitor.Histograms;
import dynamos.monitor.MonitorStats;
import java.util.List;

/**
 * One picture of the live kernel, for {@code dynamos top} and the Control Center: every applied update with
 * its versions and their call rates, and every monitored function with its rates and latency. Rates are per
 * second over {@code intervalSeconds}, the time since the previous picture (0 and rates 0 for the first).
 *
 * @param atMillis        wall-clock time of the picture (ms since the epoch)
 * @param intervalSeconds seconds since the previous picture of the same sampler, 0 for the first
 * @param framework       the framework's version, or null when it is not started
 * @param updates         applied updates {@code <name, id>} in registration order
 * @param monitors        running monitors by id
 */
public record LiveView(long atMillis, double intervalSeconds, String framework, List<UpdateView> updates,
                       List<MonitorView> monitors) {
    public LiveView {
        updates = List.copyOf(updates);
        monitors = List.copyOf(monitors);
    }

    /** The picture of a kernel whose framework is not started. */
    public static LiveView notStarted(long atMillis) {
        return new LiveView(atMillis, 0, null, List.of(), List.of());
    }

    /**
     * One update {@code <name, id>}: the function it updates, its active version and handler, its name's
     * phase and must_update, how its function's calls reach their version ({@code "fast"}, {@code "handler"}
     * or {@code "waiting"} for a module not loaded), tasks running one of its versions other than the
     * active one ({@code busyTasks}, -1 when not checked), and its versions.
     */
    public record UpdateView(String name, long id, String function, int active, String handler, int phase,
                             boolean mustUpdate, String path, int busyTasks, List<VersionView> versions) {
        public UpdateView {
            versions = List.copyOf(versions);
        }

        /** Calls per second over all versions. */
        public double callsPerSecond() {
            return versions.stream().mapToDouble(VersionView::callsPerSecond).sum();
        }
    }

    /** One version: its code, whether it is active, live or being removed, and its calls (total and per second). */
    public record VersionView(int version, String function, String module, boolean active, String state, long calls,
                              double callsPerSecond) {}

    /**
     * One monitored function: totals since the monitor started ({@code calls}, {@code latency}) and over the
     * last interval ({@code callsPerSecond}, {@code cpuCallsPerSecond}, {@code recentLatency}: the histogram of
     * the calls that returned during the interval).
     */
    public record MonitorView(int id, String function, boolean byCaller, long ownerPid, long calls,
                              double callsPerSecond, List<Double> cpuCallsPerSecond, List<Long> latency,
                              List<Long> recentLatency, long missed, List<MonitorStats.CallerStats> callers,
                              List<MonitorStats.VersionStats> versions) {
        public MonitorView {
            cpuCallsPerSecond = List.copyOf(cpuCallsPerSecond);
            latency = List.copyOf(latency);
            recentLatency = List.copyOf(recentLatency);
            callers = List.copyOf(callers);
            versions = List.copyOf(versions);
        }

        /** The approximate median duration in ns of the calls in {@code histogram} (a bucket's middle), or -1 if none. */
        public static double medianNs(List<Long> histogram) {
            return Histograms.quantileNs(histogram, 0.5);
        }
    }
}
