package dynamos.btf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The header of a raw BTF blob. Section offsets count from the end of the header.
 *
 * @param byteOrder the blob's byte order, told by how the magic 0xeB9F reads
 */
public record BtfHeader(
        ByteOrder byteOrder,
        int version,
        int flags,
        int headerLength,
        int typeOffset,
        int typeLength,
        int stringOffset,
        int stringLength) {

    public static final int MAGIC = 0xeB9F;
    public static final int MINIMUM_LENGTH = 24;

    /**
     * Reads and checks the header of {@code blob}: magic, version 1, and both sections inside the blob.
     *
     * @param origin where the blob came from, for messages
     */
    public static BtfHeader parse(byte[] blob, String origin) {
        if (blob.length < MINIMUM_LENGTH) {
            throw new BtfException(origin + " is too short for BTF (" + blob.length + " bytes); expected a raw BTF blob"
                    + " such as /sys/kernel/btf/vmlinux or the .BTF section of an ELF file");
        }
        ByteBuffer data = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
        if (Short.toUnsignedInt(data.getShort(0)) != MAGIC) {
            data.order(ByteOrder.BIG_ENDIAN);
            if (Short.toUnsignedInt(data.getShort(0)) != MAGIC) {
                throw new BtfException(origin + " is not BTF (no 0xeB9F magic); expected a raw BTF blob such as"
                        + " /sys/kernel/btf/vmlinux or the .BTF section of an ELF file");
            }
        }
        int version = Byte.toUnsignedInt(data.get(2));
        if (version != 1) {
            throw new BtfException(origin + " has BTF version " + version + "; this reader understands version 1");
        }
        BtfHeader header = new BtfHeader(data.order(), version, Byte.toUnsignedInt(data.get(3)), data.getInt(4),
                data.getInt(8), data.getInt(12), data.getInt(16), data.getInt(20));
        header.check(blob.length, origin);
        return header;
    }

    /** File offset where the type section starts. */
    public long typeStart() {
        return Integer.toUnsignedLong(headerLength) + Integer.toUnsignedLong(typeOffset);
    }

    /** File offset where the string section starts. */
    public long stringStart() {
        return Integer.toUnsignedLong(headerLength) + Integer.toUnsignedLong(stringOffset);
    }

    private void check(int blobLength, String origin) {
        if (Integer.toUnsignedLong(headerLength) < MINIMUM_LENGTH || Integer.toUnsignedLong(headerLength) > blobLength) {
            throw corrupt(origin, "header length " + Integer.toUnsignedLong(headerLength));
        }
        if (typeStart() + Integer.toUnsignedLong(typeLength) > blobLength) {
            throw corrupt(origin, "type section ends past the blob's " + blobLength + " bytes");
        }
        if (stringStart() + Integer.toUnsignedLong(stringLength) > blobLength) {
            throw corrupt(origin, "string section ends past the blob's " + blobLength + " bytes");
        }
        if ((typeOffset & 3) != 0) {
            throw corrupt(origin, "type section is not 4-byte aligned");
        }
    }

    static BtfException corrupt(String origin, String problem) {
        return new BtfException(origin + " holds truncated or corrupt BTF: " + problem
                + "; regenerate it (pahole) or check the file was copied completely");
    }
}
