package dynamos.dwarf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dynamos.elf.ElfObject;
import dynamos.elf.ElfSymbol;
import dynamos.kbuild.ModuleBuild;
import dynamos.kernel.KernelCache;
import dynamos.kernel.KernelRelease;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DWARF reader on real compiler output: a module built during the test (with Debian's DWARF 5, and
 * once more with {@code -gdwarf-4}) whose inlining is forced, so the answer is known.
 */
class DwarfReaderTest {
    @TempDir
    static Path dir;

    static ElfObject elf5;
    static DebugInfo dwarf5;
    static DebugInfo dwarf4;

    static final String SOURCE = """
            #include <linux/module.h>

            /* global and written elsewhere, so GCC cannot fold the functions away */
            int dynamos_dwarf_counter;
            EXPORT_SYMBOL_GPL(dynamos_dwarf_counter);

            /* forced into every caller: no out-of-line copy */
            static __always_inline int twice(int x)
            {
            	return 2 * x + dynamos_dwarf_counter;
            }

            /* never inlined: an out-of-line function only */
            static noinline int kept(int x)
            {
            	return x ^ dynamos_dwarf_counter;
            }

            noinline int first_caller(int x)
            {
            	return twice(x) + 1;
            }
            EXPORT_SYMBOL_GPL(first_caller);

            noinline int second_caller(int x)
            {
            	return twice(x + 1) - 1;
            }
            EXPORT_SYMBOL_GPL(second_caller);

            noinline int third_caller(int x)
            {
            	return kept(x) + twice(x) * twice(x + 2);
            }
            EXPORT_SYMBOL_GPL(third_caller);
            MODULE_LICENSE("GPL");
            """;

    @BeforeAll
    static void buildModules() throws Exception {
        KernelRelease kernel = KernelCache.atDefault().list().stream().filter(KernelRelease::headersInstalled)
                .max(Comparator.comparing(KernelRelease::version)).orElse(null);
        assumeTrue(kernel != null, "no cached target kernel with headers (run: dynamos setup)");
        // One kbuild run, two modules from the same source: Debian's DWARF 5 and -gdwarf-4.
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("Kbuild"), "obj-m := dynamos_dwarf_test.o dynamos_dwarf_test4.o\n"
                + "CFLAGS_dynamos_dwarf_test4.o := -gdwarf-4\n");
        Files.writeString(src.resolve("dynamos_dwarf_test.c"), SOURCE);
        Files.writeString(src.resolve("dynamos_dwarf_test4.c"), SOURCE);
        List<Path> kos = ModuleBuild.build(src, dir.resolve("build"), kernel);
        Path ko5 = kos.stream().filter(p -> p.getFileName().toString().equals("dynamos_dwarf_test.ko")).findFirst()
                .orElseThrow();
        Path ko4 = kos.stream().filter(p -> p.getFileName().toString().equals("dynamos_dwarf_test4.ko")).findFirst()
                .orElseThrow();
        elf5 = ElfObject.read(ko5);
        dwarf5 = DwarfReader.read(ko5);
        dwarf4 = DwarfReader.read(ko4);
        assertThat(DwarfReader.read(ko4).functions()).as("read twice, same answer").isEqualTo(dwarf4.functions());
    }

    private static Map<String, DebugInfo.Function> functions(DebugInfo d) {
        return d.functions().stream().collect(Collectors.toMap(DebugInfo.Function::name, f -> f, (a, b) -> a));
    }

    /** The functions holding copies of {@code name}. */
    private static List<String> holders(DebugInfo d, String name) {
        return d.inlined().stream().filter(c -> c.name().equals(name))
                .map(c -> d.functions().get(c.holder()).name()).sorted().toList();
    }

    @Test
    void outOfLineFunctionsHaveTheirNamesFilesAndAddresses() {
        Map<String, DebugInfo.Function> f = functions(dwarf5);
        assertThat(f).containsKeys("first_caller", "second_caller", "third_caller", "kept").doesNotContainKey("twice");
        for (String name : List.of("first_caller", "second_caller", "third_caller", "kept")) {
            assertThat(f.get(name).file()).as(name).endsWith("dynamos_dwarf_test.c");
            assertThat(f.get(name).unit()).as(name).endsWith("dynamos_dwarf_test.c");
            // A module is relocatable: its .debug_info holds zeros until .rela.debug_info is applied. The
            // addresses must then be the functions' offsets in .text, as the symbol table has them.
            ElfSymbol sym = elf5.symbols(name).getFirst();
            assertThat(f.get(name).entry()).as(name + " at its symbol's value").isEqualTo(sym.value());
        }
        assertThat(dwarf5.units()).isGreaterThanOrEqualTo(1);
        assertThat(dwarf5.textAddress()).as("relocatable: offsets in the section").isZero();
    }

    @Test
    void anInlinedFunctionNamesEveryCallerHoldingACopy() {
        assertThat(holders(dwarf5, "twice")).containsExactly("first_caller", "second_caller", "third_caller");
        assertThat(holders(dwarf5, "kept")).as("noinline").isEmpty();
        DebugInfo.InlinedCopy inThird = dwarf5.inlined().stream().filter(c -> c.name().equals("twice")
                && dwarf5.functions().get(c.holder()).name().equals("third_caller")).findFirst().orElseThrow();
        assertThat(inThird.copies()).as("twice(x) * twice(x + 2)").isEqualTo(2);
        assertThat(inThird.file()).endsWith("dynamos_dwarf_test.c");
    }

    @Test
    void dwarf4GivesTheSameAnswer() {
        assertThat(holders(dwarf4, "twice")).containsExactly("first_caller", "second_caller", "third_caller");
        assertThat(functions(dwarf4).get("kept").file()).endsWith("dynamos_dwarf_test4.c");
        assertThat(functions(dwarf4).keySet()).isEqualTo(functions(dwarf5).keySet());
        assertThat(dwarf4.functions().getFirst().unit()).endsWith("dynamos_dwarf_test4.c");
    }

    @Test
    void aStrippedFileIsRefusedWithTheFix(@TempDir Path tmp) throws Exception {
        Path stripped = tmp.resolve("stripped.ko");
        Files.copy(dir.resolve("build").resolve("dynamos_dwarf_test.ko"), stripped);
        assumeTrue(new ProcessBuilder("strip", "--strip-debug", stripped.toString()).start().waitFor() == 0, "no strip");
        assertThatThrownBy(() -> DwarfReader.read(stripped)).isInstanceOf(DwarfException.class)
                .hasMessageContaining("no DWARF").hasMessageContaining("-dbg package");
    }
}
