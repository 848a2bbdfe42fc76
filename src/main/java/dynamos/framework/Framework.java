package dynamos.framework;

import dynamos.device.Command;
import dynamos.device.Device;
import dynamos.device.Request;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The operations of the in-kernel framework (dynamos.ko), one ioctl each, with results and errors
 * as the kernel reports them. Use {@link FrameworkModule} to load and unload the module itself.
 */
public final class Framework implements AutoCloseable {
    private final Device device;

    private Framework(Device device) {
        this.device = device;
    }

    /** Connects to the started framework (opens /dev/dynamos). */
    public static Framework connect() {
        return new Framework(Device.open());
    }

    /** Whether dynamos.ko is loaded in the running kernel. */
    public static boolean started() {
        return Files.isDirectory(Path.of("/sys/module/dynamos"));
    }

    public static VersionTable table() {
        return VersionTable.parse(Device.readTable());
    }

    /** Registers {@code function} under {@code <name,id>}; the first one is the original. Returns the version. */
    public int register(String name, long id, String function) {
        Request r = update(name, id);
        r.symbol = function;
        return (int) device.call(Command.REGISTER, r);
    }

    /** Removes a version (0: all versions and the redirection) once quiescent; {@code timeoutMs} 0 = default 5 s. */
    public void deregister(String name, long id, int version, int timeoutMs) {
        Request r = update(name, id);
        r.version = version;
        r.timeoutMs = timeoutMs;
        device.call(Command.DEREGISTER, r);
    }

    /** Makes {@code version} the one new calls run; returns the post-activation hook's result. */
    public long activate(String name, long id, int version) {
        Request r = update(name, id);
        r.version = version;
        return device.call(Command.ACTIVATE, r);
    }

    /** Sets the adaptation handler by name; null or empty removes it. */
    public void setHandler(String name, long id, String function) {
        Request r = update(name, id);
        r.symbol = function == null ? "" : function;
        device.call(Command.SET_HANDLER, r);
    }

    /** Sets the adaptation handler by address; 0 removes it. */
    public void setHandlerAddress(String name, long id, long address) {
        Request r = update(name, id);
        r.address = address;
        device.call(Command.SET_HANDLER, r);
    }

    /** Sets a hook of a version; null or empty removes it. */
    public void setHook(HookKind kind, String name, long id, int version, String function) {
        Request r = update(name, id);
        r.version = version;
        r.hook = kind.abi();
        r.symbol = function == null ? "" : function;
        device.call(Command.SET_HOOK, r);
    }

    /** Runs {@code int function(void)} once in the kernel; returns its result. */
    public long call(String function) {
        Request r = new Request();
        r.symbol = function;
        return device.call(Command.CALL, r);
    }

    /** Deactivates and removes every update, newest first; returns how many were removed. */
    public long stopAll(int timeoutMs) {
        Request r = new Request();
        r.timeoutMs = timeoutMs;
        return device.call(Command.STOP, r);
    }

    /** The phase and must_update of an update name. */
    public record State(String name, int phase, boolean mustUpdate) {}

    /** Reads the state of update {@code name}; non-null arguments set it first. */
    public State state(String name, Integer phase, Boolean mustUpdate) {
        Request r = new Request();
        r.name = name;
        if (phase != null) {
            r.flags |= Request.STATE_SET_PHASE;
            r.phase = phase;
        }
        if (mustUpdate != null) {
            r.flags |= Request.STATE_SET_MUST_UPDATE;
            r.mustUpdate = mustUpdate ? 1 : 0;
        }
        device.call(Command.STATE, r);
        return new State(name, r.phase, r.mustUpdate != 0);
    }

    /** One {@code <name, id>} and the version it should run. */
    public record Member(String name, long id, int version) {
        @Override
        public String toString() {
            return name + " " + id + " " + version;
        }
    }

    /**
     * Activates all members as one step: every member switches, with all CPUs stopped, or none does
     * (an unknown member, a missing version or a failing pre-activation hook). Returns the count.
     */
    public long activateGroup(java.util.List<Member> members) {
        if (members.isEmpty() || members.size() > Request.MAX_GROUP) {
            throw new IllegalArgumentException("a group has 1 to " + Request.MAX_GROUP + " members, not " + members.size());
        }
        Request r = new Request();
        r.members = members.stream().map(m -> {
            update(m.name(), m.id());
            return new Request.Member(m.name(), (int) m.id(), m.version());
        }).toList();
        return device.call(Command.ACTIVATE_GROUP, r);
    }

    /** Whether tasks run a version: their number (0 = none) and the kernel's report naming them. */
    public record Usage(int busyTasks, String report) {}

    /** Checks whether any task runs {@code version} of {@code <name, id>}, waiting up to {@code timeoutMs} for none to. */
    public Usage inUse(String name, long id, int version, int timeoutMs) {
        Request r = update(name, id);
        r.version = version;
        r.timeoutMs = timeoutMs;
        long busy = device.call(Command.IN_USE, r);
        return new Usage((int) busy, busy == 0 ? "" : r.reply);
    }

    public long frameworkVersion() {
        return device.call(Command.VERSION, new Request());
    }

    private static Request update(String name, long id) {
        if (id < 0 || id > 0xffffffffL) {
            throw new IllegalArgumentException("update id " + id + " is out of range (0 to 4294967295)");
        }
        Request r = new Request();
        r.name = name;
        r.id = (int) id;
        return r;
    }

    @Override
    public void close() {
        device.close();
    }
}
