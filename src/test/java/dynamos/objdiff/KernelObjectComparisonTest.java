package dynamos.objdiff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dynamos.kbuild.ModuleBuild;
import dynamos.kernel.KernelCache;
import dynamos.kernel.KernelRelease;
import dynamos.x86.Decoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two kbuild compiles of one module source against the cached kernel's headers, with the kernel's own flags plus
 * function and data sections: real {@code __bug_table} entries, {@code might_sleep()}, {@code pr_info} strings,
 * {@code __mcount_loc} and return-thunk sites. The patch shifts every line and changes one string.
 */
class KernelObjectComparisonTest {
    @TempDir
    static Path dir;

    static ObjectDiff diff;

    static final String SOURCE = """
            #include <linux/module.h>
            #include <linux/kernel.h>
            #include <linux/sched.h>
            #include <linux/slab.h>

            static int threshold = 7;
            static unsigned long hits;

            noinline int dynamos_od_check(int x)
            {
            	might_sleep();
            	if (WARN_ON(x > 1000))
            		return -1;
            	WARN_ON_ONCE(x == 999);
            	hits++;
            	return x > threshold;
            }

            noinline void dynamos_od_report(int x)
            {
            	pr_info("dynamos_od: %d hits, x=%d\\n", (int)hits, x);
            }

            noinline void dynamos_od_other(int x)
            {
            	pr_info("dynamos_od: other %d\\n", x);
            	BUG_ON(x == 12345);
            }

            static int __init dynamos_od_init(void)
            {
            	dynamos_od_report(dynamos_od_check(3));
            	dynamos_od_other(1);
            	return 0;
            }
            module_init(dynamos_od_init);
            MODULE_LICENSE("GPL");
            """;

    @BeforeAll
    static void buildTwice() throws Exception {
        assumeTrue(Decoder.available(), "Zydis missing: apt-get install libzydis-dev");
        KernelRelease kernel = KernelCache.atDefault().list().stream()
                .filter(k -> k.headersInstalled())
                .max(Comparator.comparing(KernelRelease::version)).orElse(null);
        assumeTrue(kernel != null, "no cached target kernel with headers (run: dynamos setup)");
        Path src = Files.createDirectories(dir.resolve("src"));
        Path build = dir.resolve("build");
        List<String> flags = List.of("ccflags-y=-ffunction-sections -fdata-sections");
        Files.writeString(src.resolve("Kbuild"), "obj-m := dynamos_od.o\n");
        Files.writeString(src.resolve("dynamos_od.c"), SOURCE);
        ModuleBuild.build(src, build, kernel, flags);
        Path before = Files.copy(build.resolve("dynamos_od.o"), dir.resolve("before.o"));
        // Same build directory, so __FILE__ is the same; the file's mtime moves forward for make.
        Files.writeString(src.resolve("dynamos_od.c"), "/* a comment\n * of three lines\n */\n"
                + SOURCE.replace("other %d", "other: %d"));
        Files.setLastModifiedTime(src.resolve("dynamos_od.c"),
                java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 2000));
        ModuleBuild.build(src, build, kernel, flags);
        diff = ObjectComparison.compare(before, build.resolve("dynamos_od.o"));
    }

    @Test
    void shiftedLinesChangeNothingButTheChangedStringDoes() {
        assertThat(diff.function("dynamos_od_other").orElseThrow().status()).isEqualTo(Status.CHANGED);
        FunctionDiff check = diff.function("dynamos_od_check").orElseThrow();
        assertThat(check.status()).as("%s", check).isEqualTo(Status.LINE_NUMBERS_ONLY);
        // Debian's config has no CONFIG_DEBUG_ATOMIC_SLEEP: might_sleep() passes no line; WARN_ON's are in __bug_table.
        assertThat(check.differences()).anyMatch(s -> s.contains("__bug_table"));
        assertThat(diff.function("dynamos_od_report").orElseThrow().status()).isEqualTo(Status.UNCHANGED);
        assertThat(diff.function("dynamos_od_init").orElseThrow().status()).isEqualTo(Status.UNCHANGED);
        assertThat(diff.datum("hits").orElseThrow().status()).isEqualTo(Status.UNCHANGED);
        assertThat(diff.refusals()).isEmpty();
    }

    @Test
    void theChangedFunctionNamesWhatItCalls() {
        assertThat(diff.function("dynamos_od_other").orElseThrow().references())
                .anyMatch(r -> r.symbol().equals("_printk") && r.kind() == Reference.Kind.CALL && !r.defined());
    }
}
