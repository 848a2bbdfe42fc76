package dynamos.testing;

import dynamos.device.DeviceException;
import dynamos.framework.Framework;
import dynamos.framework.HookKind;
import dynamos.framework.VersionTable;
import dynamos.monitor.MonitorOptions;
import dynamos.monitor.MonitorStats;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link Framework} in memory, for unit tests of the layers above: it keeps a version table with the
 * kernel's rules (version 1 is the original, later ones get the next free number; the active version is
 * never removed; version 0 removes a whole update only while the original is active, wherever it is in
 * its function's stack; a group of at most Limits.MAX_GROUP activates all or nothing; a new {@code <name, id>} on a
 * function other updates already have is stacked on top of them; a function of a module marked
 * {@link #moduleAbsent absent} is accepted and shown waiting) and the kernel's error numbers. {@link #failOn} makes chosen calls fail; {@link #calls}
 * lists every changing call in order, in the form {@code dynamos} subcommands take.
 */
public final class FakeFramework implements Framework {
    private static final int EINVAL = 22;
    private static final int ENOENT = 2;
    private static final int EBUSY = 16;
    private static final int EEXIST = 17;

    private static final class Update {
        final String name;
        final long id;
        int active = 1;
        String handler;
        final TreeMap<Integer, Version> versions = new TreeMap<>();

        Update(String name, long id) {
            this.name = name;
            this.id = id;
        }
    }

    private record Version(String function, String module, Map<HookKind, String> hooks) {}

    private final Map<String, Update> updates = new LinkedHashMap<>();
    private final java.util.Set<String> absentModules = new java.util.HashSet<>();
    private final Map<String, State> states = new LinkedHashMap<>();
    private final Map<String, String> failures = new LinkedHashMap<>();
    private final Map<String, Long> postActivationResults = new LinkedHashMap<>();
    private final List<String> calls = new ArrayList<>();
    private final Map<String, Long> versionCalls = new LinkedHashMap<>();
    private final Map<Integer, MonitorStats> monitors = new TreeMap<>();
    private int nextMonitor = 1;
    private int closes;

    /** Counts {@code n} more calls that ran {@code version} of {@code <name, id>} (the table's calls column). */
    public FakeFramework addCalls(String name, long id, int version, long n) {
        versionCalls.merge(name + "/" + id + "/" + version, n, Long::sum);
        return this;
    }

    /** Counts {@code n} more calls of monitor {@code id} on {@code cpu} (of 2), each in latency bucket {@code bucket}. */
    public FakeFramework monitorCalls(int id, int cpu, long n, int bucket) {
        MonitorStats m = monitors.get(id);
        if (m == null) {
            throw new IllegalArgumentException("no monitor " + id);
        }
        List<Long> perCpu = new ArrayList<>(m.callsPerCpu());
        perCpu.set(cpu, perCpu.get(cpu) + n);
        List<Long> latency = new ArrayList<>(m.latency());
        latency.set(bucket, latency.get(bucket) + n);
        monitors.put(id, new MonitorStats(id, m.function(), m.byCaller(), m.ownerPid(), m.elapsedNs() + 1_000_000_000L,
                perCpu, latency, m.missed(), m.callers(), m.versions()));
        return this;
    }

    /** Makes every later call whose subcommand form starts with {@code callPrefix} fail with {@code message}. */
    public FakeFramework failOn(String callPrefix, String message) {
        failures.put(callPrefix, message);
        return this;
    }

    /** Makes the post-activation hook {@code function} (as set, e.g. "mod:fn") return {@code result}. */
    public FakeFramework postActivationReturns(String function, long result) {
        postActivationResults.put(function, result);
        return this;
    }

    /** Marks {@code module} as not loaded: updates of its functions wait for it (TARGET_ABSENT). */
    public FakeFramework moduleAbsent(String module) {
        absentModules.add(module);
        return this;
    }

    /** Calls fail only by the kernel's rules again. */
    public void clearFailures() {
        failures.clear();
    }

    /** The changing calls made so far, oldest first, e.g. {@code "register get_pid 1 alloc_pid"}. */
    public List<String> calls() {
        return List.copyOf(calls);
    }

    /** How often {@link #close} was called. */
    public int closes() {
        return closes;
    }

    private void enter(String call) {
        for (Map.Entry<String, String> f : failures.entrySet()) {
            if (call.startsWith(f.getKey())) {
                throw new DeviceException(EBUSY, f.getValue());
            }
        }
        calls.add(call);
    }

    private Update update(String name, long id) {
        Update u = updates.get(name + "/" + id);
        if (u == null) {
            throw new DeviceException(ENOENT, "no update " + name + "/" + id);
        }
        return u;
    }

    private Version version(Update u, int v) {
        Version version = u.versions.get(v);
        if (version == null) {
            throw new DeviceException(ENOENT, u.name + "/" + u.id + " has no version " + v);
        }
        return version;
    }

    @Override
    public VersionTable table() {
        List<VersionTable.Row> rows = new ArrayList<>();
        for (Update u : updates.values()) {
            State s = states.getOrDefault(u.name, new State(u.name, 0, false));
            Version original = u.versions.firstEntry().getValue();
            List<Update> stack = updates.values().stream().filter(o -> sameFunction(o, original)).toList();
            int level = stack.indexOf(u);
            boolean absent = absentModules.contains(original.module());
            u.versions.forEach((v, version) -> rows.add(new VersionTable.Row(u.name, u.id, v, u.active == v, "live",
                    versionCalls.getOrDefault(u.name + "/" + u.id + "/" + v, 0L),
                    version.function(), version.module(), u.handler, new EnumMap<>(version.hooks()), s.phase(),
                    s.mustUpdate(), level, stack.size(), absent, !absent && stack.stream().allMatch(o -> o.handler == null))));
        }
        return new VersionTable("0.1.0", 2, List.copyOf(rows));
    }

    private static boolean sameFunction(Update u, Version original) {
        Version mine = u.versions.firstEntry().getValue();
        return mine.function().equals(original.function()) && mine.module().equals(original.module());
    }

    @Override
    public int register(String name, long id, String function) {
        enter("register " + name + " " + id + " " + function);
        int colon = function.indexOf(':');
        String module = colon < 0 ? "vmlinux" : function.substring(0, colon);
        String symbol = colon < 0 ? function : function.substring(colon + 1);
        boolean first = !updates.containsKey(name + "/" + id);
        for (Update other : updates.values()) {
            for (Map.Entry<Integer, Version> e : other.versions.entrySet()) {
                boolean same = e.getValue().function().equals(symbol) && e.getValue().module().equals(module);
                // A new <name, id> on a function others update is stacked on top of them.
                boolean stacks = first && e.getKey() == 1;
                if (same && !stacks && (other.name.equals(name) && other.id == id || e.getKey() == 1)) {
                    throw new DeviceException(other.name.equals(name) && other.id == id ? EEXIST : EBUSY,
                            symbol + " is already version " + e.getKey() + " of " + other.name + "/" + other.id);
                }
            }
        }
        Update u = updates.computeIfAbsent(name + "/" + id, k -> new Update(name, id));
        int v = u.versions.isEmpty() ? 1 : u.versions.lastKey() + 1;
        u.versions.put(v, new Version(symbol, module, new EnumMap<>(HookKind.class)));
        return v;
    }

    /** A namesake by position: kept (and shown) as {@code function@position}, a function of its own. */
    @Override
    public int register(String name, long id, String function, int position) {
        return position == 0 ? register(name, id, function) : register(name, id, function + "@" + position);
    }

    @Override
    public void deregister(String name, long id, int version, int timeoutMs) {
        enter("deregister " + name + " " + id + " " + version);
        Update u = update(name, id);
        if (version == 1) {
            throw new DeviceException(EINVAL, "version 1 is the original function; deregister version 0 to remove the whole update");
        }
        if (version == 0) {
            if (u.active != 1) {
                throw new DeviceException(EBUSY, "version " + u.active + " of " + name + "/" + id
                        + " is active; activate version 1 before removing the update");
            }
            updates.remove(name + "/" + id);
            return;
        }
        version(u, version);
        if (u.active == version) {
            throw new DeviceException(EBUSY, "version " + version + " of " + name + "/" + id
                    + " is active; activate another version before removing it");
        }
        u.versions.remove(version);
    }

    @Override
    public long activate(String name, long id, int version) {
        enter("activate " + name + " " + id + " " + version);
        Update u = update(name, id);
        Version v = version(u, version);
        u.active = version;
        return postActivationResult(v);
    }

    /** As the kernel runs it: the post-activation hook's result, 0 when there is none. */
    private long postActivationResult(Version v) {
        String hook = v.hooks().get(HookKind.POST_ACTIVATION);
        return hook == null ? 0 : postActivationResults.getOrDefault(hook, 0L);
    }

    @Override
    public void setHandler(String name, long id, String function) {
        enter("rule " + name + " " + id + " " + (function == null || function.isEmpty() ? "--clear" : function));
        update(name, id).handler = function == null || function.isEmpty() ? null : function;
    }

    @Override
    public void setHandlerAddress(String name, long id, long address) {
        enter("rule " + name + " " + id + " " + (address == 0 ? "--clear" : "--address 0x" + Long.toHexString(address)));
        update(name, id).handler = address == 0 ? null : "0x" + Long.toHexString(address);
    }

    @Override
    public void setHook(HookKind kind, String name, long id, int version, String function) {
        boolean clear = function == null || function.isEmpty();
        enter("hook " + kind.cliName() + " " + name + " " + id + " " + version + " " + (clear ? "--clear" : function));
        Version v = version(update(name, id), version);
        if (clear) {
            v.hooks().remove(kind);
        } else {
            v.hooks().put(kind, function);
        }
    }

    @Override
    public long call(String function) {
        enter("call " + function);
        return 0;
    }

    @Override
    public long stopAll(int timeoutMs) {
        enter("stop");
        int n = updates.size();
        updates.clear();
        return n;
    }

    @Override
    public State state(String name, Integer phase, Boolean mustUpdate) {
        if (phase != null || mustUpdate != null) {
            enter("state " + name + (phase == null ? "" : " --phase " + phase)
                    + (mustUpdate == null ? "" : " --must-update " + mustUpdate));
        }
        State s = states.getOrDefault(name, new State(name, 0, false));
        s = new State(name, phase == null ? s.phase() : phase, mustUpdate == null ? s.mustUpdate() : mustUpdate);
        states.put(name, s);
        return s;
    }

    @Override
    public long activateGroup(List<Member> members) {
        enter("activate-group " + String.join(" ", members.stream().map(Member::toString).toList()));
        if (members.isEmpty() || members.size() > dynamos.device.Limits.MAX_GROUP) {
            throw new DeviceException(EINVAL, "a group has 1 to " + dynamos.device.Limits.MAX_GROUP + " members");
        }
        // Check every member before switching any: all or nothing.
        for (Member m : members) {
            version(update(m.name(), m.id()), m.version());
        }
        members.forEach(m -> update(m.name(), m.id()).active = m.version());
        // The switch stays; the kernel reports how many post-activation hooks failed.
        return members.stream().filter(m -> postActivationResult(version(update(m.name(), m.id()), m.version())) != 0).count();
    }

    @Override
    public Usage inUse(String name, long id, int version, int timeoutMs) {
        version(update(name, id), version);
        return new Usage(0, "");
    }

    @Override
    public int monitorStart(String function, MonitorOptions options) {
        enter("monitor " + function);
        if (function.isBlank()) {
            throw new DeviceException(EINVAL, "no function named");
        }
        int id = nextMonitor++;
        List<Long> zeros = java.util.Collections.nCopies(MonitorStats.BUCKETS, 0L);
        monitors.put(id, new MonitorStats(id, function, options.byCaller(), ProcessHandle.current().pid(), 0,
                List.of(0L, 0L), zeros, 0, List.of(), List.of()));
        return id;
    }

    @Override
    public void monitorStop(int monitorId) {
        enter("monitor-stop " + monitorId);
        if (monitors.remove(monitorId) == null) {
            throw new DeviceException(ENOENT, "no monitor " + monitorId);
        }
    }

    @Override
    public List<MonitorStats> monitors() {
        return List.copyOf(monitors.values());
    }

    @Override
    public long frameworkVersion() {
        return 0x000100;
    }

    @Override
    public void close() {
        closes++;
    }
}
