package dynamos.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dynamos.btf.Btf;
import dynamos.btf.ModuleBtf;
import dynamos.elf.NativeTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layouts compared from the debugging information of a unit compiled by gcc before and after a change. */
class TypeLayoutsTest {
    static final String UNIT = """
            struct event { int lock; unsigned int count; };
            union value { long l; char c[8]; };
            struct flags { unsigned int a : 3; unsigned int b : 5; };
            struct event e; union value v; struct flags f;
            int use(void) { return e.count + v.c[1] + f.b; }
            """;

    @TempDir
    Path dir;

    @BeforeAll
    static void needsTools() {
        assumeTrue(NativeTools.available("gcc") && NativeTools.available("pahole"), "gcc and pahole are needed");
    }

    Btf compile(String name, String source) throws Exception {
        Path d = Files.createDirectories(dir.resolve(name));
        return ModuleBtf.generateStandalone(NativeTools.compile(d, "unit", source, "-g", "-O2", "-c"));
    }

    List<PatchPlan.Problem> changes(String after) throws Exception {
        return TypeLayouts.changes("x.c", compile("before", UNIT), compile("after", after));
    }

    @Test
    void anUnchangedLayoutAndANewTypeAreNoProblem() throws Exception {
        assertThat(changes(UNIT)).isEmpty();
        assertThat(changes(UNIT + "struct fresh { long x; } fr;\nlong more(void) { return fr.x; }\n")).isEmpty();
    }

    @Test
    void anAddedMemberAWiderMemberAndAMovedBitfieldAreRefusedNamingTheType() throws Exception {
        assertThat(changes(UNIT.replace("unsigned int count; };", "unsigned int count; unsigned int dropped; };")))
                .singleElement().satisfies(p -> {
                    assertThat(p.kind()).isEqualTo("type-layout-changed");
                    assertThat(p.symbol()).isEqualTo("struct event");
                    assertThat(p.reason()).contains("gains member dropped").contains("size 8 -> 12");
                });
        assertThat(changes(UNIT.replace("long l; char c[8];", "long l; char c[16];"))).singleElement()
                .satisfies(p -> assertThat(p.reason()).startsWith("union value changes member c"));
        assertThat(changes(UNIT.replace("a : 3;", "a : 4;"))).singleElement()
                .satisfies(p -> assertThat(p.reason()).contains("struct flags changes member a").contains("(3 bits)"));
    }
}
