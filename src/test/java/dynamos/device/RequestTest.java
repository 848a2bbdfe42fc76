package dynamos.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RequestTest {
    @Test
    void layoutMatchesTheKernelHeader() throws Exception {
        assertThat(Request.LAYOUT.byteSize()).isEqualTo(512);
        assertThat(new long[] {Request.ABI, Request.NAME, Request.ID, Request.VERSION, Request.SYMBOL, Request.ADDRESS,
                Request.HOOK, Request.TIMEOUT_MS, Request.RESULT, Request.ERROR})
                .containsExactly(0, 8, 72, 76, 80, 208, 216, 220, 224, 232);
        // The header documents each field's offset; read them from it so that a change there fails here.
        String header = Files.readString(Path.of("kernel/include/uapi/dynamos.h"));
        Matcher m = Pattern.compile("\\*\\s+(\\d+)\\s+(\\d+)\\s+(\\w+)\\s").matcher(header);
        int seen = 0;
        while (m.find()) {
            String field = m.group(3);
            if (field.equals("reserved") || field.equals("flags")) {
                continue;
            }
            long off = Request.LAYOUT.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement(field));
            assertThat(off).as(field).isEqualTo(Long.parseLong(m.group(1)));
            seen++;
        }
        assertThat(seen).isGreaterThanOrEqualTo(9);
        assertThat(header).contains("#define DYNAMOS_ABI_VERSION\t\t" + Request.ABI_VERSION);
    }

    @Test
    void ioctlNumbersAreIowrOf512Bytes() {
        assertThat(Command.VERSION.ioctlNumber()).isEqualTo(0xC200DA00L);
        assertThat(Command.STOP.ioctlNumber()).isEqualTo(0xC200DA07L);
        assertThat(Command.IN_USE.ioctlNumber()).isEqualTo(0xC200DA0AL);
    }

    @Test
    void groupMembersArePassedByPointerWithTheirCount() {
        Request r = new Request();
        r.members = java.util.List.of(new Request.Member("pipe", 1, 3), new Request.Member("pipe", 2, 3));
        assertThat(Request.MEMBER.byteSize()).isEqualTo(72);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = r.encode(a);
            assertThat(s.get(ValueLayout.JAVA_INT, Request.VERSION)).isEqualTo(2);
            MemorySegment array = MemorySegment.ofAddress(s.get(ValueLayout.JAVA_LONG, Request.ADDRESS))
                    .reinterpret(2 * Request.MEMBER.byteSize());
            assertThat(Request.getString(array, 72, Request.NAME_LEN)).isEqualTo("pipe");
            assertThat(array.get(ValueLayout.JAVA_INT, 72 + 64)).isEqualTo(2);
            assertThat(array.get(ValueLayout.JAVA_INT, 72 + 68)).isEqualTo(3);
        }
    }

    @Test
    void encodesStringsNulTerminatedAndRefusesOverlongOnes() {
        Request r = new Request();
        r.name = "pipe_read";
        r.id = 4;
        r.symbol = "mod:pipe_read_v2";
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = r.encode(a);
            assertThat(s.get(ValueLayout.JAVA_INT, 0)).isEqualTo(Request.ABI_VERSION);
            assertThat(Request.getString(s, Request.NAME, Request.NAME_LEN)).isEqualTo("pipe_read");
            assertThat(Request.getString(s, Request.SYMBOL, Request.SYMBOL_LEN)).isEqualTo("mod:pipe_read_v2");
            assertThat(s.get(ValueLayout.JAVA_INT, Request.ID)).isEqualTo(4);
        }
        r.name = "x".repeat(64);
        try (Arena a = Arena.ofConfined()) {
            assertThatThrownBy(() -> r.encode(a)).hasMessageContaining("too long");
        }
    }
}
