package dynamos.monitor;

import java.util.List;

/**
 * What the kernel counted for one monitored function since its monitor started (a snapshot; rates come from
 * two snapshots, see {@code dynamos.live}). Latency is the duration of the function's own calls, entry to
 * return, in log2 buckets: bucket {@code i} counts calls that took {@code [2^i, 2^(i+1))} ns (bucket 0 also
 * takes 0 ns), {@link #BUCKETS} buckets, the last one open-ended.
 *
 * @param id          the monitor's id, unique while it runs
 * @param function    the monitored function, {@code symbol} or {@code module:symbol}
 * @param byCaller    whether calls are also counted per caller
 * @param ownerPid    the process whose connection owns the monitor (it stops when that closes)
 * @param elapsedNs   kernel time since the monitor started, at this snapshot
 * @param callsPerCpu calls that entered the function, per possible CPU
 * @param latency     duration histogram of the calls that returned, {@link #BUCKETS} buckets
 * @param missed      calls not timed: no free slot for a call in flight, or entered in NMI (both counted in
 *                    {@code callsPerCpu}), or dropped by kprobes while another probe's handler ran on the CPU
 *                    (not counted in {@code callsPerCpu})
 * @param callers     per caller, when {@code byCaller}: most frequent first, at most the kernel's limit
 * @param versions    per version, when an update replaces the function: which version the calls ran
 */
public record MonitorStats(int id, String function, boolean byCaller, long ownerPid, long elapsedNs,
                           List<Long> callsPerCpu, List<Long> latency, long missed, List<CallerStats> callers,
                           List<VersionStats> versions) {
    /** Buckets in a latency histogram: 2^0 ns to 2^39 ns (about 9 minutes) and more. */
    public static final int BUCKETS = 40;

    public MonitorStats {
        callsPerCpu = List.copyOf(callsPerCpu);
        latency = List.copyOf(latency);
        callers = List.copyOf(callers);
        versions = List.copyOf(versions);
    }

    /** Calls on all CPUs. */
    public long calls() {
        return callsPerCpu.stream().mapToLong(Long::longValue).sum();
    }

    /** Calls of one caller: its address as {@code symbol+0xoff/0xsize} (or hex when unknown), calls and latency. */
    public record CallerStats(String caller, long calls, List<Long> latency) {
        public CallerStats {
            latency = List.copyOf(latency);
        }
    }

    /**
     * Calls that ran one version of an update {@code <update, id>} on the function: {@code function} is the
     * version's code; {@code latency} is empty when the monitor cannot time this version on its own.
     */
    public record VersionStats(String update, long id, int version, String function, long calls, List<Long> latency) {
        public VersionStats {
            latency = List.copyOf(latency);
        }
    }
}
