package dynamos.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IncludeScanTest {
    @TempDir
    Path tree;

    void file(String path, String text) throws IOException {
        Path p = tree.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    @BeforeEach
    void kernelTree() throws IOException {
        file("include/linux/a.h", "static inline int a(void) { return 1; }\n");
        file("include/linux/b.h", "#include <linux/a.h>\n");
        file("include/linux/other.h", "\n");
        file("fs/p/local.h", "# include <linux/a.h>\n");
        file("fs/p/u1.c", "#include <linux/b.h>\n");
        file("fs/p/u2.c", "#include \"local.h\"\n");
        file("fs/p/u3.c", "#include <linux/other.h>\n/* #include <linux/a.h> is only a comment */\n");
        file("fs/q/a.h", "/* another a.h, which <linux/a.h> is not */\n");
        file("fs/q/u4.c", "#include \"a.h\"\n");
        file("arch/arm/kernel/u5.c", "#include <linux/a.h>\n");
        file("tools/u6.c", "#include <linux/a.h>\n");
    }

    @Test
    void unitsIncludingAHeaderDirectlyOrThroughOthersAreFoundAsGccWouldResolveTheirIncludes() {
        IncludeScan.Includers inc = IncludeScan.of(tree, "include/linux/a.h", 40);
        assertThat(inc.units()).containsExactly("fs/p/u1.c", "fs/p/u2.c");
        assertThat(inc.headers()).containsExactlyInAnyOrder("include/linux/a.h", "include/linux/b.h", "fs/p/local.h");
        assertThat(inc.assembly()).isEmpty();
        assertThat(inc.overLimit()).isFalse();
        assertThat(IncludeScan.of(tree, "fs/q/a.h", 40).units()).containsExactly("fs/q/u4.c");
    }

    @Test
    void assemblyIsReportedAndTheSearchStopsAtItsLimit() throws IOException {
        file("arch/x86/entry/e.S", "#include <linux/a.h>\n");
        IncludeScan.Includers inc = IncludeScan.of(tree, "include/linux/a.h", 40);
        assertThat(inc.assembly()).containsExactly("arch/x86/entry/e.S");
        assertThat(IncludeScan.of(tree, "include/linux/a.h", 1).overLimit()).isTrue();
    }
}
