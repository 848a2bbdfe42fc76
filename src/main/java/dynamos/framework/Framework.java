package dynamos.framework;

import dynamos.device.Device;
import dynamos.device.Records.BusyTask;
import dynamos.device.Request;
import dynamos.monitor.MonitorOptions;
import dynamos.monitor.MonitorStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The operations of the in-kernel framework (dynamos.ko), with results and errors as the kernel reports
 * them. {@link #connect()} gives the running kernel's; tests of the layers above use fakes. Use
 * {@link FrameworkModule} to load and unload the module itself.
 */
public interface Framework extends AutoCloseable {

    /** Connects to the started framework (opens /dev/dynamos). */
    static Framework connect() {
        return new DeviceFramework(Device.open());
    }

    /** Whether dynamos.ko is loaded in the running kernel. */
    static boolean started() {
        return Files.isDirectory(Path.of("/sys/module/dynamos"));
    }

    /** The version table of the running kernel's framework, read once. */
    static VersionTable currentTable() {
        try (Framework fw = connect()) {
            return fw.table();
        }
    }

    /** The version table now. */
    VersionTable table();

    /** Registers {@code function} under {@code <name,id>}; the first one is the original. Returns the version. */
    int register(String name, long id, String function);

    /**
     * Registers the original {@code function} of a new {@code <name,id>} when several core-kernel statics
     * share its name: the {@code position}th of them in kallsyms order (see {@link Namesakes}); 0 = by
     * name alone. Returns the version (1).
     */
    default int register(String name, long id, String function, int position) {
        if (position == 0) {
            return register(name, id, function);
        }
        throw new UnsupportedOperationException("this framework cannot register by position");
    }

    /** Removes a version (0: all versions and the redirection) once quiescent; {@code timeoutMs} 0 = default 5 s. */
    void deregister(String name, long id, int version, int timeoutMs);

    /** Makes {@code version} the one new calls run; returns the post-activation hook's result. */
    long activate(String name, long id, int version);

    /** Sets the adaptation handler by name; null or empty removes it. */
    void setHandler(String name, long id, String function);

    /** Sets the adaptation handler by address; 0 removes it. */
    void setHandlerAddress(String name, long id, long address);

    /** Sets a hook of a version; null or empty removes it. */
    void setHook(HookKind kind, String name, long id, int version, String function);

    /** Runs {@code int function(void)} once in the kernel; returns its result. */
    long call(String function);

    /** Deactivates and removes every update, newest first; returns how many were removed. */
    long stopAll(int timeoutMs);

    /** The phase and must_update of an update name. */
    record State(String name, int phase, boolean mustUpdate) {}

    /** Reads the state of update {@code name}; non-null arguments set it first. */
    State state(String name, Integer phase, Boolean mustUpdate);

    /** One {@code <name, id>} and the version it should run. */
    record Member(String name, long id, int version) {
        @Override
        public String toString() {
            return name + " " + id + " " + version;
        }
    }

    /**
     * Activates all members as one step: every member switches, with all CPUs stopped, or none does
     * (an unknown member, a missing version or a failing pre-activation hook). Then the members'
     * post-activation hooks run; returns how many of them failed (0: all succeeded), the switch stays.
     */
    long activateGroup(List<Member> members);

    /**
     * Whether tasks run a version: their number (0 = none), the kernel's report naming them and the
     * first of them ({@link dynamos.device.Limits#MAX_TASKS} at most) as records.
     */
    record Usage(int busyTasks, String report, List<BusyTask> tasks) {
        public Usage {
            tasks = List.copyOf(tasks);
        }

        /** Without task records (the report names them). */
        public Usage(int busyTasks, String report) {
            this(busyTasks, report, List.of());
        }
    }

    /** Checks whether any task runs {@code version} of {@code <name, id>}, waiting up to {@code timeoutMs} for none to. */
    Usage inUse(String name, long id, int version, int timeoutMs);

    /**
     * Starts monitoring {@code function} ({@code symbol} or {@code module:symbol}; any function ftrace can
     * redirect, updated or not); returns the monitor's id. The monitor belongs to this connection: it stops
     * when {@link #monitorStop} is called or this connection closes (the process ends), whichever is first.
     */
    int monitorStart(String function, MonitorOptions options);

    /** Stops monitor {@code monitorId} (of any connection), once no call is still being timed by it. */
    void monitorStop(int monitorId);

    /** Every running monitor with what it counted so far, by id. */
    List<MonitorStats> monitors();

    /** The framework's version number (major << 16 | minor << 8 | patch). */
    long frameworkVersion();

    /** Checks an update id against the ABI's range (an unsigned 32-bit number). */
    static void checkId(long id) {
        if (id < 0 || id > 0xffffffffL) {
            throw new IllegalArgumentException("update id " + id + " is out of range (0 to 4294967295)");
        }
    }

    @Override
    void close();
}
