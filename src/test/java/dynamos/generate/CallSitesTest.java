package dynamos.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dynamos.elf.ElfObject;
import dynamos.elf.NativeTools;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CallSitesTest {
    static final String UNIT = """
            #define noinline __attribute__((noinline))
            static noinline int helper(int x) { return x * 7 + 1; }
            static noinline int pointed(int x) { return x - 3; }
            int (*const table[])(int) = { pointed };
            int a(int x) { return helper(x) + 2; }
            int b(int x) { return helper(x); }
            int c(int x) { return pointed(x) + table[0](x); }
            """;

    @TempDir
    Path dir;

    @Test
    void directCallsAndTailJumpsAreCallersAndAnAddressInDataIsNot() throws Exception {
        assumeTrue(NativeTools.available("gcc"), "gcc is needed");
        ElfObject o = ElfObject.read(NativeTools.compile(dir, "unit", UNIT, "-O2", "-ffunction-sections",
                "-fdata-sections", "-fno-pic", "-mcmodel=kernel", "-fno-asynchronous-unwind-tables"));

        CallSites helper = CallSites.of(o, Set.of("helper"));
        assertThat(helper.callers()).containsExactly("a", "b"); // b's call is a tail jump
        assertThat(helper.otherReferences()).isEmpty();
        CallSites pointed = CallSites.of(o, Set.of("pointed"));
        assertThat(pointed.callers()).contains("c");
        assertThat(pointed.otherReferences()).singleElement().asString().contains("table+0");
    }
}
