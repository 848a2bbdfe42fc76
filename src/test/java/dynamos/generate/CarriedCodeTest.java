package dynamos.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dynamos.elf.ElfObject;
import dynamos.elf.ElfRelocation;
import dynamos.elf.ElfSection;
import dynamos.elf.ElfSymbol;
import dynamos.elf.NativeTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The carried object of a unit compiled as the kernel compiles it (function and data sections, a bug table). */
class CarriedCodeTest {
    static final String UNIT = NativeTools.WARN_HERE + """
            extern int printk(const char *fmt, ...);
            static int counter;
            int table[4] = {1, 2, 3, 4};
            static __attribute__((noinline)) int helper(int x) { counter += x; return counter; }
            int other(int x) { if (x > 9) WARN_HERE(); return helper(x) * 3; }
            int show(int x) { if (x > 5) WARN_HERE(); printk("show %d\\n", table[x & 3]); return helper(x); }
            """;

    @TempDir
    Path dir;

    @BeforeAll
    static void needsGcc() {
        assumeTrue(NativeTools.available("gcc") && NativeTools.available("ld"), "gcc and ld are needed");
    }

    ElfObject unit() throws Exception {
        return ElfObject.read(NativeTools.compile(dir, "unit", UNIT, "-O2", "-ffunction-sections", "-fdata-sections",
                "-fno-pic", "-mcmodel=kernel", "-fno-asynchronous-unwind-tables", "-mno-red-zone"));
    }

    static CarriedCode.Selection showWithNewTable() {
        return new CarriedCode.Selection(Set.of("show", "table"), Map.of("show", "show__patched"),
                Map.of("helper", "helper", "counter", "counter"), Set.of("table"));
    }

    @Test
    void theChangedFunctionComesWithItsConstantsAndBugEntriesAndTheRestIsBound() throws Exception {
        ElfObject carried = ElfObject.parse(CarriedCode.extract(unit(), showWithNewTable()), "carried");

        assertThat(carried.sections()).extracting(ElfSection::name)
                .contains(".text.show", ".data.table", "__bug_table")
                .doesNotContain(".text.other", ".text.helper", ".bss.counter");
        assertThat(carried.symbols("show__patched")).singleElement()
                .satisfies(s -> assertThat(s.binding()).isEqualTo(ElfSymbol.STB_GLOBAL));
        assertThat(carried.symbols("show")).isEmpty();
        assertThat(carried.symbols("table")).singleElement()
                .satisfies(s -> assertThat(s.binding()).isEqualTo(ElfSymbol.STB_GLOBAL));
        assertThat(carried.undefinedSymbols()).extracting(ElfSymbol::name).contains("helper", "printk")
                .doesNotContain("table", "other");
        // One of the two WARNs is show's: its entry alone comes along, pointing into show, its file string carried.
        ElfSection bugs = carried.section("__bug_table").orElseThrow();
        assertThat(bugs.size()).isEqualTo(12);
        assertThat(carried.relocations(bugs)).extracting(ElfRelocation::offset).containsExactly(0L, 4L);
        int showSection = carried.section(".text.show").orElseThrow().index();
        assertThat(carried.relocations(bugs).getFirst().symbol().sectionIndex()).isEqualTo(showSection);
        assertThat(carried.relocations(bugs).get(1).symbol().sectionIndex()).isNotZero();
    }

    @Test
    void aPointerJustPastABoundArrayIsBoundToTheSameArray() throws Exception {
        String walker = NativeTools.LOOP_OVER_STATIC_ARRAY;
        ElfObject unit = ElfObject.read(NativeTools.compile(dir, "walk", walker, "-O2", "-ffunction-sections",
                "-fdata-sections", "-fno-pic", "-mcmodel=kernel", "-fno-asynchronous-unwind-tables"));
        ElfObject carried = ElfObject.parse(CarriedCode.extract(unit, new CarriedCode.Selection(Set.of("walk"),
                Map.of("walk", "walk__patched"), Map.of("offsets.0", "offsets.67"), Set.of())), "carried");

        // Both the start and the end of the loop are the kernel's array: no copy of it comes along.
        assertThat(carried.sections()).extracting(ElfSection::name).doesNotContain(".rodata.offsets.0");
        ElfSection text = carried.section(".text.walk").orElseThrow();
        assertThat(carried.relocations(text)).extracting(r -> r.symbol().name() + "+" + r.addend())
                .containsExactlyInAnyOrder("offsets.67+0", "offsets.67+11");
    }

    @Test
    void theCarriedObjectLinks() throws Exception {
        Path o = Files.write(dir.resolve("carried.o"), CarriedCode.extract(unit(), showWithNewTable()));
        NativeTools.run(dir, "ld", "-r", "-o", "linked.o", o.toString());
        assertThat(NativeTools.run(dir, "readelf", "-sW", "linked.o")).containsPattern("GLOBAL +DEFAULT +\\d+ show__patched");
    }

    @Test
    void aReferenceNeitherCarriedNorBoundIsNamed() throws Exception {
        var unbound = new CarriedCode.Selection(Set.of("show"), Map.of("show", "show__patched"),
                Map.of("helper", "helper"), Set.of());
        ElfObject unit = unit();
        assertThatThrownBy(() -> CarriedCode.extract(unit, unbound)).isInstanceOf(GenerateException.class)
                .hasMessageContaining("table").hasMessageContaining("neither carries nor binds");
        var missing = new CarriedCode.Selection(Set.of("gone"), Map.of(), Map.of(), Set.of());
        assertThatThrownBy(() -> CarriedCode.extract(unit, missing)).isInstanceOf(GenerateException.class)
                .hasMessageContaining("gone is not defined in the patched object");
    }
}
