package dynamos.btf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes raw BTF blobs for tests, independently of the reader: each method appends one type record and
 * returns its id. For split BTF, ids and string offsets start where the base's end.
 */
final class BtfBlobBuilder {
    private final ByteArrayOutputStream typeSection = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stringSection = new ByteArrayOutputStream();
    private final Map<String, Integer> stringOffsets = new HashMap<>();
    private final int firstStringOffset;
    private final ByteOrder order;
    private int nextId;

    BtfBlobBuilder() {
        this(1, 0, ByteOrder.LITTLE_ENDIAN);
    }

    BtfBlobBuilder(int firstId, int firstStringOffset, ByteOrder order) {
        this.nextId = firstId;
        this.firstStringOffset = firstStringOffset;
        this.order = order;
        if (firstStringOffset == 0) {
            stringSection.write(0);
            stringOffsets.put("", 0);
        }
    }

    /** The builder of a split blob extending a base built by {@code base}. */
    static BtfBlobBuilder splitOf(BtfBlobBuilder base) {
        return new BtfBlobBuilder(base.nextId, base.firstStringOffset + base.stringSection.size(),
                ByteOrder.LITTLE_ENDIAN);
    }

    /** The offset of {@code s}, added to the string section if new. */
    int string(String s) {
        if (s.isEmpty()) {
            return 0;
        }
        return stringOffsets.computeIfAbsent(s, k -> {
            int offset = firstStringOffset + stringSection.size();
            stringSection.writeBytes(k.getBytes(StandardCharsets.UTF_8));
            stringSection.write(0);
            return offset;
        });
    }

    int type(int nameOffset, int kind, boolean kindFlag, int vlen, int sizeOrType, int... extra) {
        word(nameOffset);
        word((kindFlag ? 1 << 31 : 0) | kind << 24 | vlen);
        word(sizeOrType);
        for (int w : extra) {
            word(w);
        }
        return nextId++;
    }

    int integer(String name, int size, int encoding) {
        return type(string(name), 1, false, 0, size, encoding << 24 | size * 8);
    }

    int pointer(int to) {
        return type(0, 2, false, 0, to);
    }

    int array(int element, int index, int count) {
        return type(0, 3, false, 0, 0, element, index, count);
    }

    /** {@code members}: name, type, offset triples (the offset word as BTF stores it). */
    int struct(String name, int size, boolean bitfields, Object... members) {
        return composite(4, name, size, bitfields, members);
    }

    int union(String name, int size, Object... members) {
        return composite(5, name, size, false, members);
    }

    private int composite(int kind, String name, int size, boolean bitfields, Object... members) {
        int[] words = new int[members.length];
        for (int i = 0; i < members.length; i += 3) {
            words[i] = string((String) members[i]);
            words[i + 1] = (Integer) members[i + 1];
            words[i + 2] = (Integer) members[i + 2];
        }
        return type(string(name), kind, bitfields, members.length / 3, size, words);
    }

    int enumeration(String name, boolean signed, Object... values) {
        int[] words = new int[values.length];
        for (int i = 0; i < values.length; i += 2) {
            words[i] = string((String) values[i]);
            words[i + 1] = (Integer) values[i + 1];
        }
        return type(string(name), 6, signed, values.length / 2, 4, words);
    }

    int enumeration64(String name, String value, long v) {
        return type(string(name), 19, false, 1, 8, string(value), (int) v, (int) (v >>> 32));
    }

    int forward(String name, boolean union) {
        return type(string(name), 7, union, 0, 0);
    }

    int typedef(String name, int to) {
        return type(string(name), 8, false, 0, to);
    }

    int qualifier(int kind, int to) {
        return type(0, kind, false, 0, to);
    }

    int constOf(int to) {
        return qualifier(10, to);
    }

    int function(String name, int proto) {
        return type(string(name), 12, false, 1, proto);
    }

    /** {@code params}: name, type pairs; a trailing "", 0 pair marks a variadic prototype. */
    int prototype(int returnType, Object... params) {
        int[] words = new int[params.length];
        for (int i = 0; i < params.length; i += 2) {
            words[i] = string((String) params[i]);
            words[i + 1] = (Integer) params[i + 1];
        }
        return type(0, 13, false, params.length / 2, returnType, words);
    }

    byte[] build() {
        byte[] types = typeSection.toByteArray();
        byte[] strings = stringSection.toByteArray();
        ByteBuffer blob = ByteBuffer.allocate(24 + types.length + strings.length).order(order);
        blob.putShort((short) 0xeB9F).put((byte) 1).put((byte) 0).putInt(24);
        blob.putInt(0).putInt(types.length).putInt(types.length).putInt(strings.length);
        blob.put(types).put(strings);
        return blob.array();
    }

    private void word(int w) {
        byte[] b = ByteBuffer.allocate(4).order(order).putInt(w).array();
        typeSection.writeBytes(b);
    }
}
