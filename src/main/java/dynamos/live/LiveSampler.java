package dynamos.live;

import dynamos.framework.Framework;
import dynamos.framework.VersionTable;
import dynamos.monitor.MonitorStats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Takes {@link LiveView pictures} of the live kernel through one framework connection, each with the rates
 * since the previous one. Not thread-safe: one sampler per view (top, the Control Center's push loop).
 */
public final class LiveSampler {
    private final Framework framework;
    private final LongSupplier clockMillis;
    private final boolean checkBusy;
    private long lastAt = -1;
    private Map<String, Long> lastCalls = new HashMap<>();
    private Map<Integer, MonitorStats> lastMonitors = new HashMap<>();

    /**
     * @param checkBusy whether to ask the kernel, for each update, whether tasks still run its inactive
     *                  versions (a walk of every task's stack per version; cheap at a few pictures a second)
     */
    public LiveSampler(Framework framework, boolean checkBusy) {
        this(framework, checkBusy, System::currentTimeMillis);
    }

    /**
     * A sampler with no connection of its own: each picture is taken through the framework given to
     * {@link #sample(Framework)}, e.g. a connection opened for that picture only, so that a long-running view
     * does not hold /dev/dynamos open (an open device pins dynamos.ko: {@code dynamos stop} could not unload it).
     */
    public LiveSampler(boolean checkBusy) {
        this(null, checkBusy, System::currentTimeMillis);
    }

    /** As {@link #LiveSampler(boolean)}, the pictures timed by {@code clockMillis} (ms; tests give their own). */
    public LiveSampler(boolean checkBusy, LongSupplier clockMillis) {
        this(null, checkBusy, clockMillis);
    }

    LiveSampler(Framework framework, boolean checkBusy, LongSupplier clockMillis) {
        this.framework = framework;
        this.checkBusy = checkBusy;
        this.clockMillis = clockMillis;
    }

    /** A picture now, with rates since the previous picture. */
    public LiveView sample() {
        if (framework == null) {
            throw new IllegalStateException("this sampler has no framework of its own: use sample(Framework)");
        }
        return sample(framework);
    }

    /** A picture now through {@code framework}, with rates since the previous picture (taken through any). */
    public LiveView sample(Framework framework) {
        VersionTable table = framework.table();
        List<MonitorStats> monitors = framework.monitors();
        long now = clockMillis.getAsLong();
        double seconds = lastAt < 0 ? 0 : Math.max(0.001, (now - lastAt) / 1000.0);

        Map<String, Long> calls = new HashMap<>();
        List<LiveView.UpdateView> updates = new ArrayList<>();
        for (String key : table.updates()) {
            int space = key.lastIndexOf(' ');
            String name = key.substring(0, space);
            long id = Long.parseLong(key.substring(space + 1));
            List<VersionTable.Row> rows = table.versionsOf(name, id);
            VersionTable.Row first = rows.getFirst();
            int active = table.activeVersion(name, id).orElse(1);
            List<LiveView.VersionView> versions = new ArrayList<>();
            int busy = checkBusy ? 0 : -1;
            for (VersionTable.Row r : rows) {
                String callsKey = name + "/" + id + "/" + r.version();
                calls.put(callsKey, r.calls());
                versions.add(new LiveView.VersionView(r.version(), r.qualifiedFunction(), r.module(), r.active(),
                        r.state(), r.calls(), rate(r.calls(), lastCalls.get(callsKey), seconds)));
                if (checkBusy && !r.active()) {
                    busy += framework.inUse(name, id, r.version(), 0).busyTasks();
                }
            }
            String path = first.targetAbsent() ? "waiting" : first.fastPath() ? "fast" : "handler";
            updates.add(new LiveView.UpdateView(name, id, first.qualifiedFunction(), active, first.handler(),
                    first.phase(), first.mustUpdate(), path, busy, versions));
        }

        Map<Integer, MonitorStats> byId = new HashMap<>();
        List<LiveView.MonitorView> monitorViews = new ArrayList<>();
        for (MonitorStats m : monitors) {
            byId.put(m.id(), m);
            MonitorStats before = lastMonitors.get(m.id());
            boolean same = before != null && before.function().equals(m.function());
            List<Double> cpuRates = new ArrayList<>();
            for (int cpu = 0; cpu < m.callsPerCpu().size(); cpu++) {
                Long b = same && cpu < before.callsPerCpu().size() ? before.callsPerCpu().get(cpu) : null;
                cpuRates.add(rate(m.callsPerCpu().get(cpu), b, seconds));
            }
            List<Long> recent = same ? Histograms.difference(m.latency(), before.latency()) : m.latency();
            monitorViews.add(new LiveView.MonitorView(m.id(), m.function(), m.byCaller(), m.ownerPid(), m.calls(),
                    rate(m.calls(), same ? before.calls() : null, seconds), cpuRates, m.latency(), recent, m.missed(),
                    m.callers(), m.versions()));
        }
        lastAt = now;
        lastCalls = calls;
        lastMonitors = byId;
        return new LiveView(now, seconds, table.frameworkVersion(), updates, monitorViews);
    }

    /** Calls per second from {@code before} to {@code now}; 0 without a previous count or interval, or after a reset. */
    private static double rate(long now, Long before, double seconds) {
        if (before == null || seconds <= 0 || now < before) {
            return 0;
        }
        return (now - before) / seconds;
    }
}
