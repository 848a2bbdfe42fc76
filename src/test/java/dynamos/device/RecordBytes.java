package dynamos.device;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Builds record buffers as the kernel writes them, for tests of their decoding. */
public final class RecordBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public RecordBytes framework(String version, int abi, int updates, int versions) {
        return framework(version, abi, Records.FORMAT, updates, versions);
    }

    public RecordBytes framework(String version, int abi, int format, int updates, int versions) {
        MemorySegment r = record(Records.FRAMEWORK, Records.KIND_FRAMEWORK);
        putInt(r, Records.FRAMEWORK, "abi", abi);
        putInt(r, Records.FRAMEWORK, "format", format);
        putInt(r, Records.FRAMEWORK, "nr_updates", updates);
        putInt(r, Records.FRAMEWORK, "nr_versions", versions);
        putString(r, Records.FRAMEWORK, "version", version);
        return add(r);
    }

    public RecordBytes update(String name, int id, int active, int versions, int phase, boolean mustUpdate,
                              String handler) {
        MemorySegment r = record(Records.UPDATE, Records.KIND_UPDATE);
        putString(r, Records.UPDATE, "name", name);
        putInt(r, Records.UPDATE, "id", id);
        putInt(r, Records.UPDATE, "active", active);
        putInt(r, Records.UPDATE, "nr_versions", versions);
        putInt(r, Records.UPDATE, "phase", phase);
        putInt(r, Records.UPDATE, "must_update", mustUpdate ? 1 : 0);
        putString(r, Records.UPDATE, "handler", handler);
        putInt(r, Records.UPDATE, "depth", 1);
        return add(r);
    }

    /** Sets the stack fields of the last record, an update record of format 2. */
    public RecordBytes stacked(int level, int depth, boolean targetAbsent) {
        byte[] all = out.toByteArray();
        MemorySegment s = MemorySegment.ofArray(all);
        int last = lastRecordStart(all);
        s.set(ValueLayout.JAVA_INT_UNALIGNED, last + Records.offset(Records.UPDATE, "level"), level);
        s.set(ValueLayout.JAVA_INT_UNALIGNED, last + Records.offset(Records.UPDATE, "depth"), depth);
        s.set(ValueLayout.JAVA_INT_UNALIGNED, last + Records.offset(Records.UPDATE, "flags"),
                targetAbsent ? Records.UPDATE_TARGET_ABSENT : 0);
        out.reset();
        out.writeBytes(all);
        return this;
    }

    /** Cuts the last record (update or version) back to its format-1 size, as an older dynamos.ko writes it. */
    public RecordBytes formatOne() {
        byte[] all = out.toByteArray();
        int last = lastRecordStart(all);
        MemorySegment s = MemorySegment.ofArray(all);
        int kind = Short.toUnsignedInt(s.get(ValueLayout.JAVA_SHORT_UNALIGNED, last));
        int size = kind == Records.KIND_UPDATE ? Records.UPDATE_FORMAT1_SIZE : Records.VERSION_FORMAT1_SIZE;
        byte[] cut = java.util.Arrays.copyOf(all, last + size);
        MemorySegment.ofArray(cut).set(ValueLayout.JAVA_SHORT_UNALIGNED, last + 2, (short) size);
        out.reset();
        out.writeBytes(cut);
        return this;
    }

    /** A version; {@code hooks} has a symbol or "" per hook kind. */
    public RecordBytes version(int number, boolean live, long calls, String function, String module, List<String> hooks) {
        MemorySegment r = record(Records.VERSION, Records.KIND_VERSION);
        putInt(r, Records.VERSION, "number", number);
        putInt(r, Records.VERSION, "state", live ? 1 : 2);
        r.set(ValueLayout.JAVA_LONG_UNALIGNED, Records.offset(Records.VERSION, "calls"), calls);
        putString(r, Records.VERSION, "function", function);
        putString(r, Records.VERSION, "module", module);
        for (int k = 0; k < hooks.size(); k++) {
            byte[] b = hooks.get(k).getBytes(StandardCharsets.UTF_8);
            MemorySegment.copy(b, 0, r, ValueLayout.JAVA_BYTE,
                    Records.offset(Records.VERSION, "hooks") + (long) k * Limits.SYMBOL_LEN, b.length);
        }
        return add(r);
    }

    public RecordBytes task(int pid, String comm, int version, boolean unreliable, String where, String module) {
        MemorySegment r = record(Records.TASK, Records.KIND_TASK);
        putInt(r, Records.TASK, "pid", pid);
        putInt(r, Records.TASK, "version", version);
        putInt(r, Records.TASK, "reason", unreliable ? 2 : 1);
        putString(r, Records.TASK, "comm", comm);
        putString(r, Records.TASK, "where", where);
        putString(r, Records.TASK, "module", module);
        return add(r);
    }

    /** A monitor record with its per-CPU calls; {@code hist} sets buckets as bucket, count pairs. */
    public RecordBytes monitor(int id, String function, int flags, int ownerPid, long elapsedNs, long missed,
                               long otherCalls, int callers, int versions, long[] perCpu, long... hist) {
        MemorySegment r = MemorySegment.ofArray(new byte[(int) (Records.MONITOR.byteSize() + 8L * perCpu.length)]);
        head(r, Records.KIND_MONITOR, (int) r.byteSize());
        putInt(r, Records.MONITOR, "id", id);
        putInt(r, Records.MONITOR, "flags", flags);
        putInt(r, Records.MONITOR, "owner_pid", ownerPid);
        putInt(r, Records.MONITOR, "nr_cpus", perCpu.length);
        r.set(ValueLayout.JAVA_LONG_UNALIGNED, Records.offset(Records.MONITOR, "elapsed_ns"), elapsedNs);
        r.set(ValueLayout.JAVA_LONG_UNALIGNED, Records.offset(Records.MONITOR, "missed"), missed);
        r.set(ValueLayout.JAVA_LONG_UNALIGNED, Records.offset(Records.MONITOR, "other_calls"), otherCalls);
        putInt(r, Records.MONITOR, "nr_callers", callers);
        putInt(r, Records.MONITOR, "nr_versions", versions);
        putString(r, Records.MONITOR, "function", function);
        for (int i = 0; i + 1 < hist.length; i += 2) {
            r.set(ValueLayout.JAVA_LONG_UNALIGNED, Records.offset(Records.MONITOR, "hist") + 8 * hist[i], hist[i + 1]);
        }
        for (int c = 0; c < perCpu.length; c++) {
            r.set(ValueLayout.JAVA_LONG_UNALIGNED, Records.MONITOR.byteSize() + 8L * c, perCpu[c]);
        }
        return add(r);
    }

    /** A caller record: {@code bucket} holds all its calls. */
    public RecordBytes monitorCaller(String caller, long calls, int bucket) {
        MemorySegment r = record(Records.MONITOR_CALLER, Records.KIND_MONITOR_CALLER);
        r.set(ValueLayout.JAVA_LONG_UNALIGNED, Records.offset(Records.MONITOR_CALLER, "calls"), calls);
        putString(r, Records.MONITOR_CALLER, "caller", caller);
        r.set(ValueLayout.JAVA_LONG_UNALIGNED, Records.offset(Records.MONITOR_CALLER, "hist") + 8L * bucket, calls);
        return add(r);
    }

    public RecordBytes monitorVersion(String name, int id, int version, String function, long calls) {
        MemorySegment r = record(Records.MONITOR_VERSION, Records.KIND_MONITOR_VERSION);
        putString(r, Records.MONITOR_VERSION, "name", name);
        putInt(r, Records.MONITOR_VERSION, "id", id);
        putInt(r, Records.MONITOR_VERSION, "version", version);
        putString(r, Records.MONITOR_VERSION, "function", function);
        r.set(ValueLayout.JAVA_LONG_UNALIGNED, Records.offset(Records.MONITOR_VERSION, "calls"), calls);
        return add(r);
    }

    /** A record of an unknown {@code kind} of {@code size} bytes, as a later format might add. */
    public RecordBytes raw(int kind, int size) {
        MemorySegment r = MemorySegment.ofArray(new byte[size]);
        r.fill((byte) 0xEE);
        head(r, kind, size);
        return add(r);
    }

    /** Appends {@code extra} bytes (a later format's new fields) to the last record. */
    public RecordBytes grownBy(int extra) {
        byte[] all = out.toByteArray();
        int last = lastRecordStart(all);
        byte[] grown = java.util.Arrays.copyOf(all, all.length + extra);
        java.util.Arrays.fill(grown, all.length, grown.length, (byte) 0x5A);
        MemorySegment s = MemorySegment.ofArray(grown);
        s.set(ValueLayout.JAVA_SHORT_UNALIGNED, last + 2, (short) (all.length - last + extra));
        out.reset();
        out.writeBytes(grown);
        return this;
    }

    public byte[] bytes() {
        return out.toByteArray();
    }

    private int lastRecordStart(byte[] all) {
        MemorySegment s = MemorySegment.ofArray(all);
        int off = 0;
        int last = 0;
        while (off < all.length) {
            last = off;
            off += Short.toUnsignedInt(s.get(ValueLayout.JAVA_SHORT_UNALIGNED, off + 2));
        }
        return last;
    }

    private static MemorySegment record(StructLayout layout, int kind) {
        MemorySegment r = MemorySegment.ofArray(new byte[(int) layout.byteSize()]);
        head(r, kind, (int) r.byteSize());
        return r;
    }

    private static void head(MemorySegment r, int kind, int size) {
        r.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) kind);
        r.set(ValueLayout.JAVA_SHORT_UNALIGNED, 2, (short) size);
        r.set(ValueLayout.JAVA_INT_UNALIGNED, 4, 0);
    }

    private RecordBytes add(MemorySegment r) {
        out.writeBytes(r.toArray(ValueLayout.JAVA_BYTE));
        return this;
    }

    private static void putInt(MemorySegment r, StructLayout layout, String field, int value) {
        r.set(ValueLayout.JAVA_INT_UNALIGNED, Records.offset(layout, field), value);
    }

    private static void putString(MemorySegment r, StructLayout layout, String field, String value) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(b, 0, r, ValueLayout.JAVA_BYTE, Records.offset(layout, field), b.length);
    }
}
