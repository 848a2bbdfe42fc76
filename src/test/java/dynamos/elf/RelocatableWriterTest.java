package dynamos.elf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelocatableWriterTest {
    private static final long ALLOC_EXEC = 0x6;
    private static final long ALLOC_WRITE = 0x3;

    @TempDir
    Path dir;

    /** A function calling an undefined one and reading a variable of its own .bss. */
    static byte[] sample() {
        byte[] code = {(byte) 0xe8, 0, 0, 0, 0, (byte) 0x8b, 0x05, 0, 0, 0, 0, (byte) 0xc3};
        var text = new RelocatableWriter.Section(".text.f", ElfSection.SHT_PROGBITS, ALLOC_EXEC, 16, 0, code, 0,
                List.of(new RelocatableWriter.Rela(1, ElfRelocation.R_X86_64_PLT32, 4, -4),
                        new RelocatableWriter.Rela(7, ElfRelocation.R_X86_64_PC32, 2, -4)));
        var bss = new RelocatableWriter.Section(".bss.v", ElfSection.SHT_NOBITS, ALLOC_WRITE, 4, 0, null, 4, List.of());
        List<RelocatableWriter.Symbol> symbols = List.of(
                new RelocatableWriter.Symbol("", ElfSymbol.STT_SECTION, 0, 1, 0, 0),
                new RelocatableWriter.Symbol("v", ElfSymbol.STT_OBJECT, 0, 2, 0, 4),
                new RelocatableWriter.Symbol("f", (ElfSymbol.STB_GLOBAL << 4) | ElfSymbol.STT_FUNC, 0, 1, 0, code.length),
                new RelocatableWriter.Symbol("g", ElfSymbol.STB_GLOBAL << 4, 0, ElfSymbol.SHN_UNDEF, 0, 0));
        return RelocatableWriter.write(List.of(text, bss), symbols);
    }

    @Test
    void whatIsWrittenReadsBackSectionsSymbolsAndRelocations() {
        ElfObject elf = ElfObject.parse(sample(), "sample");
        assertThat(elf.isRelocatable()).isTrue();
        assertThat(elf.machine()).isEqualTo(ElfObject.EM_X86_64);
        ElfSection text = elf.section(".text.f").orElseThrow();
        assertThat(elf.contents(text)).hasSize(12).startsWith((byte) 0xe8);
        assertThat(elf.section(".bss.v").orElseThrow().size()).isEqualTo(4);
        assertThat(elf.symbols("f")).singleElement().satisfies(s -> {
            assertThat(s.binding()).isEqualTo(ElfSymbol.STB_GLOBAL);
            assertThat(s.sectionIndex()).isEqualTo(text.index());
        });
        assertThat(elf.undefinedSymbols()).extracting(ElfSymbol::name).containsExactly("g");
        assertThat(elf.relocations(text)).extracting(r -> r.symbol().name() + "@" + r.offset() + r.addend())
                .containsExactly("g@1-4", "v@7-4");
        assertThat(elf.symbolTable().orElseThrow().info()).as("first global").isEqualTo(3);
    }

    @Test
    void theLinkerTakesIt() throws Exception {
        assumeTrue(NativeTools.available("ld") && NativeTools.available("readelf"), "binutils needed");
        Path o = Files.write(dir.resolve("sample.o"), sample());
        NativeTools.run(dir, "ld", "-r", "-o", "linked.o", o.toString());
        String symbols = NativeTools.run(dir, "readelf", "-sW", "linked.o");
        assertThat(symbols).containsPattern("FUNC +GLOBAL +DEFAULT +\\d+ f\\b").containsPattern("UND g\\b");
        assertThat(NativeTools.run(dir, "readelf", "-rW", "linked.o")).contains("R_X86_64_PLT32").contains("g - 4");
    }

    @Test
    void aLocalAfterAGlobalOrARelocationOutsideItsSectionIsRefused() {
        var text = new RelocatableWriter.Section(".text", ElfSection.SHT_PROGBITS, ALLOC_EXEC, 1, 0, new byte[4], 0,
                List.of(new RelocatableWriter.Rela(8, ElfRelocation.R_X86_64_PC32, 0, 0)));
        assertThatThrownBy(() -> RelocatableWriter.write(List.of(text), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of range");
        assertThatThrownBy(() -> RelocatableWriter.write(List.of(), List.of(
                new RelocatableWriter.Symbol("g", ElfSymbol.STB_GLOBAL << 4, 0, 0, 0, 0),
                new RelocatableWriter.Symbol("l", 0, 0, 0, 0, 0))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("local symbol l after a global");
    }
}
