package dynamos.top;

import com.fasterxml.jackson.annotation.JsonProperty;
import dynamos.live.Histograms;
import dynamos.live.LiveView;
import java.util.List;

/**
 * What {@code dynamos top --json} prints for one picture: the kernel, the framework's version, when, over
 * which interval the rates are, the updates with their versions and the monitors.
 *
 * @param at       wall-clock time of the picture, ms since the epoch
 * @param interval seconds over which the rates were measured
 */
public record TopReport(String kernel, String framework, long at, double interval, List<Update> updates,
                        List<Monitor> monitors) {

    /** One update {@code <update, id>}; {@code busy_tasks} -1 when not checked. */
    public record Update(String update, long id, String function, int active, String handler, String path,
                         @JsonProperty("calls_per_second") double callsPerSecond,
                         @JsonProperty("busy_tasks") int busyTasks, int phase,
                         @JsonProperty("must_update") boolean mustUpdate, List<Version> versions) {}

    /** One version: its code ({@code function} in {@code module}), whether it is active, its calls. */
    public record Version(int version, String function, String module, boolean active, String state, long calls,
                          @JsonProperty("calls_per_second") double callsPerSecond) {}

    /** One monitored function; durations in ns over the interval, -1 when no call returned. */
    public record Monitor(int id, String function, long calls, @JsonProperty("calls_per_second") double callsPerSecond,
                          @JsonProperty("cpu_calls_per_second") List<Double> cpuCallsPerSecond,
                          @JsonProperty("median_ns") double medianNs, @JsonProperty("p99_ns") double p99Ns,
                          long missed, @JsonProperty("recent_latency") List<Long> recentLatency) {}

    /** The report of {@code view} on kernel {@code kernel}. */
    public static TopReport of(LiveView view, String kernel) {
        return new TopReport(kernel, view.framework(), view.atMillis(), view.intervalSeconds(),
                view.updates().stream().map(u -> new Update(u.name(), u.id(), u.function(), u.active(), u.handler(),
                        u.path(), u.callsPerSecond(), u.busyTasks(), u.phase(), u.mustUpdate(),
                        u.versions().stream().map(v -> new Version(v.version(), v.function(), v.module(), v.active(),
                                v.state(), v.calls(), v.callsPerSecond())).toList())).toList(),
                view.monitors().stream().map(m -> new Monitor(m.id(), m.function(), m.calls(), m.callsPerSecond(),
                        m.cpuCallsPerSecond(), Histograms.quantileNs(m.recentLatency(), 0.5),
                        Histograms.quantileNs(m.recentLatency(), 0.99), m.missed(), m.recentLatency())).toList());
    }
}
