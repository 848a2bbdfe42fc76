package dynamos.elf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AbsoluteSymbolRewriterTest {
    static final long FN = 0xffffffff81234560L;
    static final long COUNTER = 0xffffffff82000010L;
    static final Map<String, Long> ADDRESSES = Map.of("hidden_fn", FN, "hidden_counter", COUNTER);

    @BeforeAll
    static void needsGcc() {
        assumeTrue(NativeTools.available("gcc") && NativeTools.available("readelf"), "gcc and binutils are needed");
    }

    static Path module(Path dir) throws Exception {
        return NativeTools.compile(dir, "m", ElfObjectTest.SOURCE, "-O2", "-fno-pic", "-mcmodel=kernel");
    }

    @Test
    void turnsUndefinedSymbolsIntoAbsoluteOnes(@TempDir Path dir) throws Exception {
        Path in = module(dir);
        Path out = dir.resolve("bound.o");
        ElfObject bound = AbsoluteSymbolRewriter.rewrite(in, ADDRESSES, out);

        ElfObject reread = ElfObject.read(out);
        assertThat(reread.undefinedSymbols()).isEmpty();
        for (ElfObject elf : List.of(bound, reread)) {
            ElfSymbol fn = elf.symbols("hidden_fn").getFirst();
            assertThat(fn.sectionIndex()).isEqualTo(ElfSymbol.SHN_ABS);
            assertThat(fn.value()).isEqualTo(FN);
            assertThat(fn.binding()).isEqualTo(ElfSymbol.STB_GLOBAL);
            assertThat(elf.symbols("hidden_counter").getFirst().value()).isEqualTo(COUNTER);
        }
        assertThat(reread.symbols("f")).isEqualTo(ElfObject.read(in).symbols("f"));

        String symbols = NativeTools.run(dir, "readelf", "-s", "-W", out.toString());
        assertThat(symbols).containsPattern("ffffffff81234560\\s+0\\s+NOTYPE\\s+GLOBAL\\s+DEFAULT\\s+ABS hidden_fn")
                .containsPattern("ffffffff82000010\\s+0\\s+NOTYPE\\s+GLOBAL\\s+DEFAULT\\s+ABS hidden_counter")
                .doesNotContainPattern("UND \\S");
    }

    @Test
    void changesOnlyTheValueAndSectionIndexOfTheBoundSymbols(@TempDir Path dir) throws Exception {
        Path in = module(dir);
        ElfObject original = ElfObject.read(in);
        byte[] before = original.bytes();
        byte[] after = AbsoluteSymbolRewriter.rewrite(original, ADDRESSES).bytes();

        assertThat(after).hasSameSizeAs(before);
        List<Integer> allowed = new ArrayList<>();
        for (ElfSymbol s : original.undefinedSymbols()) {
            int entry = original.symbolEntryOffset(s);
            for (int i = 6; i < 16; i++) {
                allowed.add(entry + i);
            }
        }
        List<Integer> changed = new ArrayList<>();
        for (int i = 0; i < before.length; i++) {
            if (before[i] != after[i]) {
                changed.add(i);
            }
        }
        assertThat(changed).isNotEmpty();
        assertThat(allowed).containsAll(changed);
        assertThat(original.bytes()).isEqualTo(before);
    }

    @Test
    void binutilsAcceptTheResultAndResolveRelocationsToTheAddresses(@TempDir Path dir) throws Exception {
        assumeTrue(NativeTools.available("ld") && NativeTools.available("objdump"));
        Path out = dir.resolve("bound.o");
        AbsoluteSymbolRewriter.rewrite(module(dir), ADDRESSES, out);

        assertThat(NativeTools.run(dir, "objdump", "-d", "-r", out.toString()))
                .contains("R_X86_64_PLT32\thidden_fn", "R_X86_64_PC32\thidden_counter");
        NativeTools.run(dir, "ld", "-r", "-o", dir.resolve("combined.o").toString(), out.toString());
        // Linked at kernel addresses, the call and the load reach exactly the bound addresses.
        Path linked = dir.resolve("linked.elf");
        NativeTools.run(dir, "ld", "-Ttext=0xffffffff81000000", "-e", "f", "-o", linked.toString(), out.toString());
        assertThat(NativeTools.run(dir, "objdump", "-d", linked.toString()))
                .containsPattern("call\\s+ffffffff81234560 <hidden_fn>")
                .contains("# ffffffff82000010 <hidden_counter>");
    }

    @Test
    void refusesNamesThatAreNotUndefinedSymbolsAndWritesNothing(@TempDir Path dir) throws Exception {
        Path in = module(dir);
        Path out = dir.resolve("bound.o");

        assertThatThrownBy(() -> AbsoluteSymbolRewriter.rewrite(in, Map.of("hidden_fn", FN, "no_such", 1L), out))
                .isInstanceOf(ElfException.class)
                .hasMessageContaining("no_such is not a symbol of the module")
                .hasMessageContaining("undefined here: hidden_counter, hidden_fn");
        assertThatThrownBy(() -> AbsoluteSymbolRewriter.rewrite(in, Map.of("f", FN, "calls", 2L), out))
                .isInstanceOf(ElfException.class)
                .hasMessageContaining("f is defined in the module (section .text)")
                .hasMessageContaining("calls is defined in the module");
        assertThat(out).doesNotExist();
        assertThat(dir).isDirectoryNotContaining("glob:**.tmp");
    }

    @Test
    void bindsASubsetAndLeavesTheRestUndefined(@TempDir Path dir) throws Exception {
        ElfObject bound = AbsoluteSymbolRewriter.rewrite(ElfObject.read(module(dir)), Map.of("hidden_fn", FN));
        assertThat(bound.undefinedSymbols()).extracting(ElfSymbol::name).containsExactly("hidden_counter");
    }

    @Test
    void rewritesInPlace(@TempDir Path dir) throws Exception {
        Path in = module(dir);
        AbsoluteSymbolRewriter.rewrite(in, ADDRESSES, in);
        assertThat(ElfObject.read(in).undefinedSymbols()).isEmpty();
        assertThat(dir).isDirectoryNotContaining("glob:**.tmp");
    }

    @Test
    void refusesObjectsThatAreNotRelocatable(@TempDir Path dir) throws Exception {
        assumeTrue(NativeTools.available("ld"));
        Path linked = dir.resolve("linked.elf");
        NativeTools.run(dir, "ld", "-e", "f", "-o", linked.toString(),
                NativeTools.compile(dir, "g", "int f(void) { return 1; }", "-O2").toString());
        assertThat(Files.exists(linked)).isTrue();
        assertThatThrownBy(() -> AbsoluteSymbolRewriter.rewrite(ElfObject.read(linked), Map.of("f", 1L)))
                .isInstanceOf(ElfException.class).hasMessageContaining("not a relocatable object");
    }
}
