package dynamos.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CpioWriterTest {
    record Entry(String name, int mode, int rdevMajor, int rdevMinor, byte[] data) {}

    /** A reader of the newc format, independent of the writer's code paths. */
    static List<Entry> read(byte[] archive) {
        List<Entry> out = new ArrayList<>();
        int pos = 0;
        while (true) {
            String h = new String(archive, pos, 110, StandardCharsets.US_ASCII);
            assertThat(h).startsWith("070701");
            int mode = Integer.parseUnsignedInt(h.substring(14, 22), 16);
            int size = Integer.parseUnsignedInt(h.substring(54, 62), 16);
            int rmaj = Integer.parseUnsignedInt(h.substring(78, 86), 16);
            int rmin = Integer.parseUnsignedInt(h.substring(86, 94), 16);
            int nameSize = Integer.parseUnsignedInt(h.substring(94, 102), 16);
            String name = new String(archive, pos + 110, nameSize - 1, StandardCharsets.UTF_8);
            assertThat(archive[pos + 110 + nameSize - 1]).isZero();
            pos = align(pos + 110 + nameSize);
            if (name.equals("TRAILER!!!")) {
                assertThat(archive.length % 4).isZero();
                return out;
            }
            byte[] data = java.util.Arrays.copyOfRange(archive, pos, pos + size);
            pos = align(pos + size);
            out.add(new Entry(name, mode, rmaj, rmin, data));
        }
    }

    static int align(int n) {
        return (n + 3) & ~3;
    }

    @Test
    void writesEntriesWithAlignedHeadersAndATrailer() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (CpioWriter w = new CpioWriter(bytes)) {
            w.directory("bin", 0755);
            w.file("/bin/hello", 0755, "hi!".getBytes());
            w.symlink("bin/sh", "hello");
            w.charDevice("dev/console", 0600, 5, 1);
        }
        List<Entry> e = read(bytes.toByteArray());
        assertThat(e).extracting(Entry::name).containsExactly("bin", "bin/hello", "bin/sh", "dev/console");
        assertThat(e.get(0).mode()).isEqualTo(0040755);
        assertThat(e.get(1).mode()).isEqualTo(0100755);
        assertThat(new String(e.get(1).data())).isEqualTo("hi!");
        assertThat(e.get(2).mode()).isEqualTo(0120777);
        assertThat(new String(e.get(2).data())).isEqualTo("hello");
        assertThat(e.get(3).mode()).isEqualTo(0020600);
        assertThat(e.get(3).rdevMajor()).isEqualTo(5);
        assertThat(e.get(3).rdevMinor()).isEqualTo(1);
    }

    @Test
    void isReproducible() throws Exception {
        byte[] a = archive();
        byte[] b = archive();
        assertThat(a).isEqualTo(b);
    }

    @Test
    void refusesPathsThatEscapeTheArchive() {
        CpioWriter w = new CpioWriter(new ByteArrayOutputStream());
        assertThatThrownBy(() -> w.file("../etc/passwd", 0644, new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> w.file("/", 0644, new byte[0])).isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] archive() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (CpioWriter w = new CpioWriter(bytes)) {
            w.file("a", 0644, new byte[] {1, 2, 3, 4, 5});
            w.file("bb", 0644, new byte[0]);
        }
        return bytes.toByteArray();
    }
}
