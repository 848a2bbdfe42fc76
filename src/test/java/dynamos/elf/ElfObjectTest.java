package dynamos.elf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ElfObjectTest {
    static final String SOURCE = """
            extern int hidden_counter;
            extern int hidden_fn(int);
            static int calls;
            int f(int x) { calls++; return hidden_fn(x) + hidden_counter; }
            __attribute__((section(".dynamos.decl"), used))
            static const char declaration[] = "alloc_pid=alloc_pid_v2";
            """;

    @BeforeAll
    static void needsGcc() {
        assumeTrue(NativeTools.available("gcc") && NativeTools.available("readelf"), "gcc and binutils are needed");
    }

    @Test
    void readsSectionsAsReadelfDoes(@TempDir Path dir) throws Exception {
        Path o = NativeTools.compile(dir, "m", SOURCE, "-O2", "-fno-pic", "-mcmodel=kernel");
        ElfObject elf = ElfObject.read(o);

        assertThat(elf.isRelocatable()).isTrue();
        assertThat(elf.machine()).isEqualTo(ElfObject.EM_X86_64);
        assertThat(elf.sections()).extracting(ElfSection::name)
                .containsAll(List.of(".text", ".symtab", ".strtab", ".shstrtab", ".rela.text", ".dynamos.decl"));
        // readelf -S -W lines look like "  [ 1] .text  PROGBITS  0000000000000000 000040 000014 00  AX  0   0 16".
        Pattern line = Pattern.compile("\\[\\s*(\\d+)]\\s+(\\S+)\\s+\\S+\\s+([0-9a-f]+)\\s+([0-9a-f]+)\\s+([0-9a-f]+)");
        Matcher m = line.matcher(NativeTools.run(dir, "readelf", "-S", "-W", o.toString()));
        int seen = 0;
        while (m.find()) {
            int index = Integer.parseInt(m.group(1));
            if (index == 0) {
                continue; // the null section has no name; readelf prints its type there
            }
            ElfSection s = elf.sections().get(index);
            assertThat(s.name()).isEqualTo(m.group(2));
            assertThat(s.offset()).isEqualTo(Long.parseLong(m.group(4), 16));
            assertThat(s.size()).isEqualTo(Long.parseLong(m.group(5), 16));
            seen++;
        }
        assertThat(seen).isEqualTo(elf.sections().size() - 1);
        assertThat(elf.sections().getFirst().type()).isEqualTo(ElfSection.SHT_NULL);
    }

    @Test
    void listsUndefinedSymbolsWithoutTheNullSymbol(@TempDir Path dir) throws Exception {
        ElfObject elf = ElfObject.read(NativeTools.compile(dir, "m", SOURCE, "-O2", "-fno-pic", "-mcmodel=kernel"));

        assertThat(elf.undefinedSymbols()).extracting(ElfSymbol::name)
                .containsExactlyInAnyOrder("hidden_fn", "hidden_counter");
        assertThat(elf.undefinedSymbols()).allSatisfy(s -> {
            assertThat(s.binding()).isEqualTo(ElfSymbol.STB_GLOBAL);
            assertThat(s.sectionIndex()).isEqualTo(ElfSymbol.SHN_UNDEF);
        });
        assertThat(elf.symbols().getFirst().isUndefined()).isFalse();

        ElfSymbol f = elf.symbols("f").getFirst();
        assertThat(f.type()).isEqualTo(ElfSymbol.STT_FUNC);
        assertThat(f.binding()).isEqualTo(ElfSymbol.STB_GLOBAL);
        assertThat(elf.sectionName(f.sectionIndex())).isEqualTo(".text");
        assertThat(elf.symbols("calls")).singleElement()
                .satisfies(s -> assertThat(s.binding()).isEqualTo(ElfSymbol.STB_LOCAL));
    }

    @Test
    void readsACustomSectionsBytes(@TempDir Path dir) throws Exception {
        ElfObject elf = ElfObject.read(NativeTools.compile(dir, "m", SOURCE, "-O2"));

        assertThat(elf.contents(".dynamos.decl")).hasValueSatisfying(bytes -> assertThat(bytes)
                .isEqualTo("alloc_pid=alloc_pid_v2\0".getBytes(StandardCharsets.US_ASCII)));
        assertThat(elf.contents(".no.such.section")).isEmpty();
        assertThat(elf.moduleInfo()).isEmpty();
    }

    @Test
    void refusesNoBitsContents(@TempDir Path dir) throws Exception {
        ElfObject elf = ElfObject.read(NativeTools.compile(dir, "bss", "int zeros[100];", "-fno-common"));
        ElfSection bss = elf.section(".bss").orElseThrow();
        assertThat(bss.hasFileContents()).isFalse();
        assertThatThrownBy(() -> elf.contents(bss)).isInstanceOf(ElfException.class).hasMessageContaining("NOBITS");
    }

    @Test
    void refusesFilesThatAreNotElf64LittleEndian(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("notes.txt"), "hello, this is not an object file at all......"
                + "........................................");
        assertThatThrownBy(() -> ElfObject.read(text)).isInstanceOf(ElfException.class)
                .hasMessageContaining("not an ELF file").hasMessageContaining("notes.txt");
        assertThatThrownBy(() -> ElfObject.read(dir.resolve("missing.ko"))).isInstanceOf(ElfException.class)
                .hasMessageContaining("cannot read");

        byte[] elf32 = new byte[64];
        elf32[0] = 0x7f;
        elf32[1] = 'E';
        elf32[2] = 'L';
        elf32[3] = 'F';
        elf32[4] = 1;
        elf32[5] = 1;
        elf32[6] = 1;
        assertThatThrownBy(() -> ElfObject.parse(elf32, "x.o")).hasMessageContaining("32-bit");
        byte[] bigEndian = elf32.clone();
        bigEndian[4] = 2;
        bigEndian[5] = 2;
        assertThatThrownBy(() -> ElfObject.parse(bigEndian, "x.o")).hasMessageContaining("big-endian");
    }

    @Test
    void refusesTruncatedFiles(@TempDir Path dir) throws Exception {
        byte[] whole = Files.readAllBytes(NativeTools.compile(dir, "m", SOURCE, "-O2"));
        // The section header table is at the end of gcc's objects.
        byte[] truncated = Arrays.copyOf(whole, whole.length - 100);
        assertThatThrownBy(() -> ElfObject.parse(truncated, "cut.o")).isInstanceOf(ElfException.class)
                .hasMessageContaining("cut.o is truncated or corrupt");
    }

    @Test
    void readsTheRelocationsOfASection(@TempDir Path dir) throws Exception {
        Path o = NativeTools.compile(dir, "m", SOURCE, "-O2", "-fno-pic", "-mcmodel=kernel");
        ElfObject elf = ElfObject.read(o);

        List<ElfRelocation> text = elf.relocations(elf.section(".text").orElseThrow());
        assertThat(text).anySatisfy(r -> {
            assertThat(r.symbol().name()).isEqualTo("hidden_fn");
            assertThat(r.type()).isIn(ElfRelocation.R_X86_64_PLT32, ElfRelocation.R_X86_64_PC32);
            assertThat(r.pcRelative()).isTrue();
            assertThat(r.fieldSize()).isEqualTo(4);
        });
        assertThat(text).anySatisfy(r -> assertThat(r.symbol().name()).isEqualTo("hidden_counter"));
        // readelf -r lists as many entries for .rela.text.
        String listing = NativeTools.run(dir, "readelf", "-r", "-W", o.toString());
        Matcher m = Pattern.compile("'\\.rela\\.text' at offset 0x[0-9a-f]+ contains (\\d+) entr").matcher(listing);
        assertThat(m.find()).as(listing).isTrue();
        assertThat(text).hasSize(Integer.parseInt(m.group(1)));
        assertThat(elf.relocations(elf.section(".symtab").orElseThrow())).isEmpty();
    }
}
