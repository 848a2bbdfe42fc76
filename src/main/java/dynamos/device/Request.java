package dynamos.device;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;

/**
 * {@code struct dynamos_req} of kernel/include/uapi/dynamos.h, the one request every ioctl of
 * /dev/dynamos takes. Mirrors that layout field by field (512 bytes); {@link #LAYOUT} checks the offsets.
 */
public final class Request {
    public static final int ABI_VERSION = 3;
    /** DYNAMOS_STATE_* flags of the STATE command. */
    public static final int STATE_SET_PHASE = 0x1;
    public static final int STATE_SET_MUST_UPDATE = 0x2;
    /** DYNAMOS_MONITOR_BY_CALLER: MONITOR_START's flag to count per caller too. */
    public static final int MONITOR_BY_CALLER = 0x1;
    public static final int NAME_LEN = Limits.NAME_LEN;
    public static final int SYMBOL_LEN = Limits.SYMBOL_LEN;
    public static final int ERROR_LEN = Limits.ERROR_LEN;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("abi"),
            JAVA_INT.withName("flags"),
            MemoryLayout.sequenceLayout(NAME_LEN, java.lang.foreign.ValueLayout.JAVA_BYTE).withName("name"),
            JAVA_INT.withName("id"),
            JAVA_INT.withName("version"),
            MemoryLayout.sequenceLayout(SYMBOL_LEN, java.lang.foreign.ValueLayout.JAVA_BYTE).withName("symbol"),
            JAVA_LONG.withName("address"),
            JAVA_INT.withName("hook"),
            JAVA_INT.withName("timeout_ms"),
            JAVA_LONG.withName("result"),
            MemoryLayout.sequenceLayout(ERROR_LEN, java.lang.foreign.ValueLayout.JAVA_BYTE).withName("error"),
            JAVA_INT.withName("phase"),
            JAVA_INT.withName("must_update"),
            JAVA_INT.withName("size"),
            JAVA_INT.withName("count"),
            MemoryLayout.sequenceLayout(8, java.lang.foreign.ValueLayout.JAVA_BYTE).withName("reserved"));

    /** struct dynamos_group_member: one member of ACTIVATE_GROUP (72 bytes). */
    public static final StructLayout MEMBER = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(NAME_LEN, java.lang.foreign.ValueLayout.JAVA_BYTE).withName("name"),
            JAVA_INT.withName("id"),
            JAVA_INT.withName("version"));

    /** A member of a group activation. */
    public record Member(String name, int id, int version) {}

    static final long ABI = offset("abi");
    static final long NAME = offset("name");
    static final long ID = offset("id");
    static final long VERSION = offset("version");
    static final long SYMBOL = offset("symbol");
    static final long ADDRESS = offset("address");
    static final long HOOK = offset("hook");
    static final long TIMEOUT_MS = offset("timeout_ms");
    static final long RESULT = offset("result");
    static final long ERROR = offset("error");
    static final long FLAGS = offset("flags");
    static final long PHASE = offset("phase");
    static final long MUST_UPDATE = offset("must_update");
    static final long SIZE = offset("size");
    static final long COUNT = offset("count");

    /** The fields a command sets; unset ones stay zero as the ABI requires. */
    public String name = "";
    public int id;
    public int version;
    public String symbol = "";
    public long address;
    public int hook;
    public int timeoutMs;
    public int flags;
    public int phase;
    public int mustUpdate;
    /** ACTIVATE_GROUP: the members, passed by pointer (address) with their count (version). */
    public java.util.List<Member> members = java.util.List.of();

    /**
     * Bytes of a record buffer to pass (address and size): LIST's table, IN_USE's busy tasks; 0 = none.
     * After the call {@link #records} holds what the kernel wrote and {@link #recordsNeeded} what all
     * records would need (also after a failure: LIST's ENOSPC says the size to retry with).
     */
    public int recordBufferSize;
    public byte[] records = new byte[0];
    public int recordsNeeded;

    /** Filled in from the kernel's copy after a successful call: error holds reports (IN_USE). */
    public String reply = "";
    /** The count the kernel returned (records written; ACTIVATE_GROUP: failed post-activation hooks). */
    public int countOut;

    private static long offset(String field) {
        return LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    /** Writes this request into fresh zeroed native memory. */
    MemorySegment encode(SegmentAllocator arena) {
        MemorySegment s = arena.allocate(LAYOUT);
        s.fill((byte) 0);
        s.set(JAVA_INT, ABI, ABI_VERSION);
        putString(s, NAME, NAME_LEN, name, "update name");
        s.set(JAVA_INT, ID, id);
        s.set(JAVA_INT, VERSION, version);
        putString(s, SYMBOL, SYMBOL_LEN, symbol, "function name");
        s.set(JAVA_LONG, ADDRESS, address);
        s.set(JAVA_INT, HOOK, hook);
        s.set(JAVA_INT, TIMEOUT_MS, timeoutMs);
        s.set(JAVA_INT, FLAGS, flags);
        s.set(JAVA_INT, PHASE, phase);
        s.set(JAVA_INT, MUST_UPDATE, mustUpdate);
        if (recordBufferSize > 0) {
            MemorySegment buffer = arena.allocate(recordBufferSize, 8);
            buffer.fill((byte) 0);
            s.set(JAVA_LONG, ADDRESS, buffer.address());
            s.set(JAVA_INT, SIZE, recordBufferSize);
        }
        if (!members.isEmpty()) {
            MemorySegment array = arena.allocate(MEMBER, members.size());
            array.fill((byte) 0);
            for (int i = 0; i < members.size(); i++) {
                Member m = members.get(i);
                MemorySegment one = array.asSlice(i * MEMBER.byteSize(), MEMBER.byteSize());
                putString(one, 0, NAME_LEN, m.name(), "update name");
                one.set(JAVA_INT, NAME_LEN, m.id());
                one.set(JAVA_INT, NAME_LEN + 4, m.version());
            }
            s.set(JAVA_LONG, ADDRESS, array.address());
            s.set(JAVA_INT, VERSION, members.size());
        }
        return s;
    }

    /** Copies the output fields of the kernel's reply into this request. */
    void decode(MemorySegment s) {
        phase = s.get(JAVA_INT, PHASE);
        mustUpdate = s.get(JAVA_INT, MUST_UPDATE);
        reply = error(s);
        countOut = s.get(JAVA_INT, COUNT);
        decodeRecords(s);
    }

    /** After a failure: only what the records would need (LIST's ENOSPC); nothing was written. */
    void decodeRecordsNeeded(MemorySegment s) {
        recordsNeeded = s.get(JAVA_INT, SIZE);
    }

    /** The record buffer's contents: {@code count} records, {@code size} bytes needed for all. */
    void decodeRecords(MemorySegment s) {
        decodeRecordsNeeded(s);
        long address = s.get(JAVA_LONG, ADDRESS);
        if (recordBufferSize == 0 || address == 0) {
            return;
        }
        MemorySegment buffer = MemorySegment.ofAddress(address).reinterpret(recordBufferSize);
        // The records written are whole ones from the start; how many bytes they fill the count tells.
        records = Records.prefix(buffer.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), s.get(JAVA_INT, COUNT));
    }

    static long result(MemorySegment s) {
        return s.get(JAVA_LONG, RESULT);
    }

    static String error(MemorySegment s) {
        return getString(s, ERROR, ERROR_LEN);
    }

    static void putString(MemorySegment s, long offset, int size, String value, String what) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        if (b.length >= size) {
            throw new IllegalArgumentException(what + " '" + value + "' is too long (at most " + (size - 1) + " bytes)");
        }
        MemorySegment.copy(b, 0, s, java.lang.foreign.ValueLayout.JAVA_BYTE, offset, b.length);
    }

    static String getString(MemorySegment s, long offset, int size) {
        byte[] b = s.asSlice(offset, size).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }
}
