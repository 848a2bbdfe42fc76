package dynamos.device;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * The records of kernel/include/uapi/dynamos.h ("Records"): the table LIST writes and the busy tasks
 * IN_USE writes, decoded. Each layout mirrors its struct field by field; {@code RecordsTest} holds the
 * offsets equal to the header's tables. Records are read by their own size, so a kernel with a later
 * record format (longer records, new kinds) is read as far as this format goes, and one with an earlier
 * format (format 1: shorter update and version records) gives the fields it has, the others read as
 * that format means them (level 0, depth 1, no flags, no target hooks).
 */
public final class Records {
    public static final int FORMAT = 2;
    static final int KIND_FRAMEWORK = 1;
    static final int KIND_UPDATE = 2;
    static final int KIND_VERSION = 3;
    static final int KIND_TASK = 4;
    static final int KIND_MONITOR = 5;
    static final int KIND_MONITOR_CALLER = 6;
    static final int KIND_MONITOR_VERSION = 7;
    static final int VERSION_LIVE = 1;
    static final int TASK_UNRELIABLE = 2;
    /** Hooks per version, indexed by the hook kind's ABI number - 1. */
    static final int HOOKS = 6;
    /** DYNAMOS_UPDATE_TARGET_ABSENT: the function's module is not loaded; the redirection waits for it. */
    static final int UPDATE_TARGET_ABSENT = 0x1;
    /** DYNAMOS_UPDATE_FAST_PATH: the function's calls take a route straight to their version (no handler). */
    static final int UPDATE_FAST_PATH = 0x2;
    /** Bytes of an update record in format 1 (no stack fields); a shorter one is malformed. */
    static final int UPDATE_FORMAT1_SIZE = 288;
    /** Bytes of a version record in format 1 (four hooks); a shorter one is malformed. */
    static final int VERSION_FORMAT1_SIZE = 728;

    private static final ValueLayout.OfShort U16 = JAVA_SHORT.withByteAlignment(1);
    private static final ValueLayout.OfInt U32 = JAVA_INT.withByteAlignment(1);
    private static final ValueLayout.OfLong U64 = JAVA_LONG.withByteAlignment(1);

    public static final StructLayout HEAD = MemoryLayout.structLayout(
            JAVA_SHORT.withName("kind"), JAVA_SHORT.withName("size"), JAVA_INT.withName("reserved"));
    public static final StructLayout FRAMEWORK = MemoryLayout.structLayout(HEAD.withName("head"),
            JAVA_INT.withName("version_code"), JAVA_INT.withName("abi"), JAVA_INT.withName("format"),
            JAVA_INT.withName("nr_updates"), JAVA_INT.withName("nr_versions"), JAVA_INT.withName("reserved2"),
            chars(24, "version"));
    public static final StructLayout UPDATE = MemoryLayout.structLayout(HEAD.withName("head"),
            chars(Limits.NAME_LEN, "name"), JAVA_INT.withName("id"), JAVA_INT.withName("active"),
            JAVA_INT.withName("nr_versions"), JAVA_INT.withName("phase"), JAVA_INT.withName("must_update"),
            JAVA_INT.withName("reserved2"), chars(Limits.SYMBOL_LEN, "handler"),
            chars(Limits.NAME_LEN, "handler_module"), JAVA_INT.withName("level"), JAVA_INT.withName("depth"),
            JAVA_INT.withName("flags"), JAVA_INT.withName("reserved3"));
    public static final StructLayout VERSION = MemoryLayout.structLayout(HEAD.withName("head"),
            JAVA_INT.withName("number"), JAVA_INT.withName("state"), JAVA_LONG.withName("calls"),
            chars(Limits.SYMBOL_LEN, "function"), chars(Limits.NAME_LEN, "module"),
            chars(HOOKS * Limits.SYMBOL_LEN, "hooks"));
    public static final StructLayout TASK = MemoryLayout.structLayout(HEAD.withName("head"),
            JAVA_INT.withName("pid"), JAVA_INT.withName("version"), JAVA_INT.withName("reason"),
            JAVA_INT.withName("reserved2"), chars(16, "comm"), chars(Limits.SYMBOL_LEN, "where"),
            chars(Limits.NAME_LEN, "module"));

    private static final int BUCKETS = dynamos.monitor.MonitorStats.BUCKETS;
    /** A monitored function (MONITOR_LIST), followed by its calls per CPU (nr_cpus x u64). */
    public static final StructLayout MONITOR = MemoryLayout.structLayout(HEAD.withName("head"),
            JAVA_INT.withName("id"), JAVA_INT.withName("flags"), JAVA_INT.withName("owner_pid"),
            JAVA_INT.withName("nr_cpus"), JAVA_LONG.withName("elapsed_ns"), JAVA_LONG.withName("missed"),
            JAVA_INT.withName("nr_callers"), JAVA_INT.withName("nr_versions"), JAVA_INT.withName("max_active"),
            JAVA_INT.withName("reserved2"), JAVA_LONG.withName("other_calls"), chars(Limits.SYMBOL_LEN, "function"),
            MemoryLayout.sequenceLayout(BUCKETS, JAVA_LONG).withName("hist"));
    /** One caller of a monitored function. */
    public static final StructLayout MONITOR_CALLER = MemoryLayout.structLayout(HEAD.withName("head"),
            JAVA_LONG.withName("address"), JAVA_LONG.withName("calls"), chars(Limits.SYMBOL_LEN, "caller"),
            MemoryLayout.sequenceLayout(BUCKETS, JAVA_LONG).withName("hist"));
    /** One version of an update on a monitored function: its calls since the monitor started. */
    public static final StructLayout MONITOR_VERSION = MemoryLayout.structLayout(HEAD.withName("head"),
            chars(Limits.NAME_LEN, "name"), JAVA_INT.withName("id"), JAVA_INT.withName("version"),
            JAVA_LONG.withName("calls"), chars(Limits.SYMBOL_LEN, "function"), JAVA_LONG.withName("reserved2"));
    /** DYNAMOS_MONITOR_BY_CALLER in a monitor record's flags. */
    static final int MONITOR_BY_CALLER = 0x1;
    /** The caller name under which the kernel's count of callers beyond its table is shown. */
    public static final String OTHER_CALLERS = "(other callers)";

    /** The framework record: its version, ABI, record format and how many updates and versions it has. */
    public record FrameworkRecord(String version, int versionCode, int abi, int format, int updates, int versions) {}

    /**
     * One update {@code <name, id>} with its versions in version order; handler "" if none. {@code level}
     * is its place in its function's stack of updates (0 = bottom, {@code depth - 1} = the top, whose choice
     * calls run); {@code targetAbsent}: the function's module is not loaded, the redirection waits for it;
     * {@code fastPath}: the function's calls take the fast path (no handler on its stack).
     */
    public record UpdateRecord(String name, long id, int active, int phase, boolean mustUpdate, String handler,
                               String handlerModule, int level, int depth, boolean targetAbsent,
                               boolean fastPath, List<VersionRecord> versions) {}

    /**
     * One version; {@code hooks} holds a symbol per hook kind (index ABI number - 1, {@value #HOOKS} kinds),
     * "" where none is set.
     */
    public record VersionRecord(int number, boolean live, long calls, String function, String module,
                                List<String> hooks) {}

    /** LIST's answer: the framework and its updates in registration order. */
    public record Listing(FrameworkRecord framework, List<UpdateRecord> updates) {}

    /** A task that keeps a version busy: where it is (symbol+offset/size, module) or that its stack is unreliable. */
    public record BusyTask(int pid, String comm, int version, boolean unreliableStack, String where, String module) {
        /** As the kernel's message names it: {@code pid 12 (cat) v2 at fn+0x4/0x20 [mod]}. */
        @Override
        public String toString() {
            if (unreliableStack) {
                return "pid " + pid + " (" + comm + ") unreliable stack";
            }
            return "pid " + pid + " (" + comm + ") v" + version + " at " + where + (module.isEmpty() ? "" : " [" + module + "]");
        }
    }

    private Records() {}

    private static MemoryLayout chars(int size, String name) {
        return MemoryLayout.sequenceLayout(size, JAVA_BYTE).withName(name);
    }

    static long offset(StructLayout layout, String field) {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    /** Decodes LIST's records. */
    public static Listing listing(byte[] bytes) {
        FrameworkRecord framework = null;
        List<UpdateRecord> updates = new ArrayList<>();
        List<VersionRecord> versions = null;
        for (MemorySegment r : split(bytes)) {
            switch (kind(r)) {
                case KIND_FRAMEWORK -> framework = framework(fits(r, FRAMEWORK.byteSize()));
                case KIND_UPDATE -> {
                    versions = new ArrayList<>();
                    updates.add(update(fits(r, UPDATE_FORMAT1_SIZE), versions));
                }
                case KIND_VERSION -> {
                    if (versions == null) {
                        throw new IllegalArgumentException("a version record before any update record");
                    }
                    versions.add(version(fits(r, VERSION_FORMAT1_SIZE)));
                }
                default -> { } // a kind of a later format
            }
        }
        if (framework == null) {
            throw new IllegalArgumentException("no framework record in the answer");
        }
        return new Listing(framework, List.copyOf(updates));
    }

    /** Decodes busy-task records. */
    public static List<BusyTask> tasks(byte[] bytes) {
        List<BusyTask> out = new ArrayList<>();
        for (MemorySegment r : split(bytes)) {
            if (kind(r) == KIND_TASK) {
                r = fits(r, TASK.byteSize());
                out.add(new BusyTask(u32(r, TASK, "pid"), string(r, TASK, "comm"), u32(r, TASK, "version"),
                        u32(r, TASK, "reason") == TASK_UNRELIABLE, string(r, TASK, "where"), string(r, TASK, "module")));
            }
        }
        return List.copyOf(out);
    }

    /**
     * Decodes MONITOR_LIST's records: one {@link dynamos.monitor.MonitorStats} per monitor, with its callers
     * (and, when the kernel counted calls of callers beyond its table, one more named {@link #OTHER_CALLERS}
     * with no histogram) and its versions.
     */
    public static List<dynamos.monitor.MonitorStats> monitors(byte[] bytes) {
        List<dynamos.monitor.MonitorStats> out = new ArrayList<>();
        MonitorBuilder current = null;
        for (MemorySegment r : split(bytes)) {
            switch (kind(r)) {
                case KIND_MONITOR -> {
                    if (current != null) {
                        out.add(current.build());
                    }
                    current = new MonitorBuilder(fits(r, MONITOR.byteSize()));
                }
                case KIND_MONITOR_CALLER -> {
                    if (current == null) {
                        throw new IllegalArgumentException("a caller record before any monitor record");
                    }
                    r = fits(r, MONITOR_CALLER.byteSize());
                    current.callers.add(new dynamos.monitor.MonitorStats.CallerStats(
                            string(r, MONITOR_CALLER, "caller"), r.get(U64, offset(MONITOR_CALLER, "calls")),
                            longs(r, offset(MONITOR_CALLER, "hist"), BUCKETS)));
                }
                case KIND_MONITOR_VERSION -> {
                    if (current == null) {
                        throw new IllegalArgumentException("a monitor version record before any monitor record");
                    }
                    r = fits(r, MONITOR_VERSION.byteSize());
                    current.versions.add(new dynamos.monitor.MonitorStats.VersionStats(
                            string(r, MONITOR_VERSION, "name"),
                            Integer.toUnsignedLong(u32(r, MONITOR_VERSION, "id")), u32(r, MONITOR_VERSION, "version"),
                            string(r, MONITOR_VERSION, "function"), r.get(U64, offset(MONITOR_VERSION, "calls")),
                            List.of()));
                }
                default -> { } // a kind of a later format
            }
        }
        if (current != null) {
            out.add(current.build());
        }
        return List.copyOf(out);
    }

    /** One monitor's records as they come. */
    private static final class MonitorBuilder {
        final MemorySegment r;
        final List<dynamos.monitor.MonitorStats.CallerStats> callers = new ArrayList<>();
        final List<dynamos.monitor.MonitorStats.VersionStats> versions = new ArrayList<>();

        MonitorBuilder(MemorySegment r) {
            this.r = r;
        }

        dynamos.monitor.MonitorStats build() {
            int cpus = u32(r, MONITOR, "nr_cpus");
            long end = MONITOR.byteSize() + 8L * cpus;
            if (cpus < 0 || end > r.byteSize()) {
                throw new IllegalArgumentException("monitor record of " + r.byteSize() + " bytes cannot hold "
                        + cpus + " CPUs' calls");
            }
            long other = r.get(U64, offset(MONITOR, "other_calls"));
            if (other > 0) {
                callers.add(new dynamos.monitor.MonitorStats.CallerStats(OTHER_CALLERS, other, List.of()));
            }
            callers.sort(java.util.Comparator.comparingLong(dynamos.monitor.MonitorStats.CallerStats::calls).reversed());
            return new dynamos.monitor.MonitorStats(u32(r, MONITOR, "id"), string(r, MONITOR, "function"),
                    (u32(r, MONITOR, "flags") & MONITOR_BY_CALLER) != 0, u32(r, MONITOR, "owner_pid"),
                    r.get(U64, offset(MONITOR, "elapsed_ns")), longs(r, MONITOR.byteSize(), cpus),
                    longs(r, offset(MONITOR, "hist"), BUCKETS), r.get(U64, offset(MONITOR, "missed")), callers,
                    versions);
        }
    }

    private static List<Long> longs(MemorySegment r, long at, int n) {
        List<Long> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(r.get(U64, at + 8L * i));
        }
        return out;
    }

    /** The bytes of the first {@code count} records of {@code buffer}. */
    static byte[] prefix(byte[] buffer, int count) {
        int end = 0;
        for (int i = 0; i < count; i++) {
            end += record(buffer, end).length;
        }
        return java.util.Arrays.copyOf(buffer, end);
    }

    private static List<MemorySegment> split(byte[] bytes) {
        List<MemorySegment> out = new ArrayList<>();
        for (int off = 0; off < bytes.length; ) {
            byte[] r = record(bytes, off);
            out.add(MemorySegment.ofArray(r));
            off += r.length;
        }
        return out;
    }

    /** The record at {@code off}, checked against the buffer's end. */
    private static byte[] record(byte[] bytes, int off) {
        MemorySegment s = MemorySegment.ofArray(bytes);
        if (off + HEAD.byteSize() > bytes.length) {
            throw new IllegalArgumentException("truncated record header at byte " + off);
        }
        int size = Short.toUnsignedInt(s.get(U16, off + offset(HEAD, "size")));
        if (size < HEAD.byteSize() || size % 8 != 0 || off + size > bytes.length) {
            throw new IllegalArgumentException("malformed record at byte " + off + ": size " + size);
        }
        return java.util.Arrays.copyOfRange(bytes, off, off + size);
    }

    private static int kind(MemorySegment r) {
        return Short.toUnsignedInt(r.get(U16, offset(HEAD, "kind")));
    }

    /** A known kind must hold at least the fields of the first format that has it. */
    private static MemorySegment fits(MemorySegment r, long minimum) {
        if (r.byteSize() < minimum) {
            throw new IllegalArgumentException("record of kind " + kind(r) + " has " + r.byteSize()
                    + " bytes, fewer than the " + minimum + " of its fields");
        }
        return r;
    }

    /** Whether {@code field} lies within the record (a record of an earlier format lacks later fields). */
    private static boolean has(MemorySegment r, StructLayout layout, String field) {
        MemoryLayout f = layout.select(MemoryLayout.PathElement.groupElement(field));
        return offset(layout, field) + f.byteSize() <= r.byteSize();
    }

    private static FrameworkRecord framework(MemorySegment r) {
        return new FrameworkRecord(string(r, FRAMEWORK, "version"), u32(r, FRAMEWORK, "version_code"),
                u32(r, FRAMEWORK, "abi"), u32(r, FRAMEWORK, "format"), u32(r, FRAMEWORK, "nr_updates"),
                u32(r, FRAMEWORK, "nr_versions"));
    }

    private static UpdateRecord update(MemorySegment r, List<VersionRecord> versions) {
        return new UpdateRecord(string(r, UPDATE, "name"), Integer.toUnsignedLong(u32(r, UPDATE, "id")),
                u32(r, UPDATE, "active"), u32(r, UPDATE, "phase"), u32(r, UPDATE, "must_update") != 0,
                string(r, UPDATE, "handler"), string(r, UPDATE, "handler_module"),
                has(r, UPDATE, "level") ? u32(r, UPDATE, "level") : 0,
                has(r, UPDATE, "depth") ? u32(r, UPDATE, "depth") : 1,
                has(r, UPDATE, "flags") && (u32(r, UPDATE, "flags") & UPDATE_TARGET_ABSENT) != 0,
                has(r, UPDATE, "flags") && (u32(r, UPDATE, "flags") & UPDATE_FAST_PATH) != 0,
                java.util.Collections.unmodifiableList(versions));
    }

    private static VersionRecord version(MemorySegment r) {
        List<String> hooks = new ArrayList<>();
        for (int k = 0; k < HOOKS; k++) {
            long at = offset(VERSION, "hooks") + (long) k * Limits.SYMBOL_LEN;
            hooks.add(at + Limits.SYMBOL_LEN <= r.byteSize() ? Request.getString(r, at, Limits.SYMBOL_LEN) : "");
        }
        return new VersionRecord(u32(r, VERSION, "number"), u32(r, VERSION, "state") == VERSION_LIVE,
                r.get(U64, offset(VERSION, "calls")), string(r, VERSION, "function"), string(r, VERSION, "module"),
                List.copyOf(hooks));
    }

    private static int u32(MemorySegment r, StructLayout layout, String field) {
        return r.get(U32, offset(layout, field));
    }

    private static String string(MemorySegment r, StructLayout layout, String field) {
        MemoryLayout f = layout.select(MemoryLayout.PathElement.groupElement(field));
        return Request.getString(r, offset(layout, field), (int) f.byteSize());
    }
}
