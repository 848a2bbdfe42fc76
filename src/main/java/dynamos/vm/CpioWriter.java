package dynamos.vm;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a cpio archive in the "newc" format the kernel unpacks as an initramfs. Written here rather
 * than run through cpio(1) so that device nodes can be added without root and the archive is
 * byte-for-byte reproducible (fixed inode numbers and times).
 */
public final class CpioWriter implements AutoCloseable {
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFCHR = 0020000;

    private final OutputStream out;
    private long written;
    private int nextInode = 1;
    private boolean finished;

    public CpioWriter(OutputStream out) {
        this.out = out;
    }

    public void directory(String name, int perm) throws IOException {
        entry(name, S_IFDIR | perm, 2, 0, 0, new byte[0]);
    }

    public void file(String name, int perm, byte[] data) throws IOException {
        entry(name, S_IFREG | perm, 1, 0, 0, data);
    }

    public void symlink(String name, String target) throws IOException {
        entry(name, S_IFLNK | 0777, 1, 0, 0, target.getBytes(StandardCharsets.UTF_8));
    }

    public void charDevice(String name, int perm, int major, int minor) throws IOException {
        entry(name, S_IFCHR | perm, 1, major, minor, new byte[0]);
    }

    /** Writes the trailer; the archive is complete after this. */
    public void finish() throws IOException {
        if (!finished) {
            header("TRAILER!!!", 0, 0, 0, 0, 0, 0);
            finished = true;
            out.flush();
        }
    }

    @Override
    public void close() throws IOException {
        finish();
        out.close();
    }

    private void entry(String name, int mode, int nlink, int rdevMajor, int rdevMinor, byte[] data)
            throws IOException {
        if (name.startsWith("/")) {
            name = name.substring(1);
        }
        if (name.isEmpty() || name.contains("..")) {
            throw new IllegalArgumentException("bad archive path: " + name);
        }
        header(name, nextInode++, mode, nlink, data.length, rdevMajor, rdevMinor);
        out.write(data);
        written += data.length;
        pad();
    }

    private void header(String name, int inode, int mode, int nlink, int size, int rdevMajor, int rdevMinor)
            throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        StringBuilder h = new StringBuilder("070701");
        for (long field : new long[] {inode, mode, 0, 0, nlink, 0, size, 0, 0, rdevMajor, rdevMinor,
                nameBytes.length + 1, 0}) {
            h.append(String.format("%08x", field));
        }
        byte[] hb = h.toString().getBytes(StandardCharsets.US_ASCII);
        out.write(hb);
        out.write(nameBytes);
        out.write(0);
        written += hb.length + nameBytes.length + 1;
        pad();
    }

    private void pad() throws IOException {
        while (written % 4 != 0) {
            out.write(0);
            written++;
        }
    }
}
