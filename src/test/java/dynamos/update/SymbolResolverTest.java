package dynamos.update;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dynamos.elf.ElfObject;
import dynamos.elf.NativeTools;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Binding a real object's undefined symbols (compiled during the test) against a kallsyms listing. */
class SymbolResolverTest {
    @TempDir
    Path dir;

    static final Kallsyms KALLSYMS = Kallsyms.parse(List.of(
            "ffffffff81000000 T _text",
            "ffffffff81100010 t may_open_dev",
            "ffffffff81100020 t set_root",
            "ffffffff82200000 d set_root",
            "ffffffff82200100 d set_root",
            "ffffffff81100040 t link_path_walk.part.0.constprop.0",
            "ffffffff81100080 T printk_like",
            "ffffffff83300000 r __ksymtab_printk_like",
            "ffffffffc0001000 t helper_in_module\t[some_module]"));

    ElfObject object(String source) throws Exception {
        assumeThat(NativeTools.available("gcc")).as("gcc").isTrue();
        return ElfObject.read(NativeTools.compile(dir, "m", source, "-O2"));
    }

    static UpdateDeclaration declaration(String... symbolFacts) {
        List<String> facts = new java.util.ArrayList<>(List.of("update=u", "replace=1 2 f f_v2"));
        facts.addAll(List.of(symbolFacts));
        return UpdateDeclaration.parse(UpdateDeclarationTest.section(facts.toArray(String[]::new)), "m.o");
    }

    @Test
    void bindsUnexportedSymbolsAndLeavesExportedOnesToTheLoader() throws Exception {
        ElfObject o = object("extern int may_open_dev(void *); extern int printk_like(const char *);"
                + "extern int helper_in_module(void);"
                + "int f_v2(void *p) { return may_open_dev(p) + printk_like(\"x\") + helper_in_module(); }");
        List<SymbolResolver.Binding> b = SymbolResolver.resolve(o, declaration(), KALLSYMS);
        assertThat(b).extracting(SymbolResolver.Binding::name).containsExactlyInAnyOrder("may_open_dev", "helper_in_module");
        assertThat(b).filteredOn(x -> x.name().equals("may_open_dev")).singleElement()
                .satisfies(x -> assertThat(x.entry().address()).isEqualTo(0xffffffff81100010L));
        assertThat(b).filteredOn(x -> x.name().equals("helper_in_module")).singleElement()
                .satisfies(x -> assertThat(x.entry().module()).isEqualTo("some_module"));
    }

    @Test
    void symbolsWithAVersionFromModpostAreLeftToTheLoaderAndNotListedAsUnexported() throws Exception {
        // As built with --uses: helper_in_module is another update's export, so modpost wrote its CRC in
        // __versions (8-byte CRC, 56-byte name); kallsyms shows it only as a module's text symbol.
        ElfObject o = object("struct modversion { unsigned long crc; char name[56]; };"
                + "static const struct modversion v[] __attribute__((used, section(\"__versions\"), aligned(8)))"
                + " = { { 0x7dc89957, \"helper_in_module\" } };"
                + "extern int may_open_dev(void *); extern int helper_in_module(void);"
                + "int f_v2(void *p) { return may_open_dev(p) + helper_in_module(); }");
        assertThat(SymbolResolver.versionedSymbols(o)).containsExactly("helper_in_module");
        assertThat(SymbolResolver.resolve(o, declaration(), KALLSYMS)).extracting(SymbolResolver.Binding::name)
                .containsExactly("may_open_dev");
        UpdateModule m = new UpdateModule(Path.of("m.o"), o, "m", declaration());
        assertThat(UpdateCheck.check(m, null, false).notes()).singleElement().asString()
                .startsWith("not exported, bound at apply time").contains("may_open_dev")
                .doesNotContain("helper_in_module");
    }

    @Test
    void anAmbiguousNameListsItsCandidatesUntilAPositionChoosesOne() throws Exception {
        ElfObject o = object("extern void set_root(void *); void f_v2(void *p) { set_root(p); }");
        assertThatThrownBy(() -> SymbolResolver.resolve(o, declaration(), KALLSYMS))
                .isInstanceOf(UpdateException.class)
                .hasMessageContaining("ambiguous symbol set_root: kallsyms lists it 3 times")
                .hasMessageContaining("1: ffffffff81100020 t set_root")
                .hasMessageContaining("3: ffffffff82200100 d set_root")
                .hasMessageContaining("DYNAMOS_SYMBOL(set_root, POSITION)");
        assertThat(SymbolResolver.resolve(o, declaration("symbol=set_root 2"), KALLSYMS))
                .singleElement().satisfies(x -> assertThat(x.entry().address()).isEqualTo(0xffffffff82200000L));
        assertThatThrownBy(() -> SymbolResolver.resolve(o, declaration("symbol=set_root 4"), KALLSYMS))
                .hasMessageContaining("DYNAMOS_SYMBOL(set_root, 4): kallsyms lists set_root only 3 time(s)");
    }

    @Test
    void anUnknownNameSaysSoAndNamesCompilerRenamedCopies() throws Exception {
        ElfObject o = object("extern int link_path_walk(const char *, void *); extern int nowhere(void);"
                + "int f_v2(void *p) { return link_path_walk(\"/\", p) + nowhere(); }");
        assertThatThrownBy(() -> SymbolResolver.resolve(o, declaration(), KALLSYMS))
                .hasMessageContaining("unknown symbol nowhere")
                .hasMessageContaining("unknown symbol link_path_walk")
                .hasMessageContaining("link_path_walk.part.0.constprop.0");
    }

    @Test
    void hiddenAddressesAreRefusedWithTheFix() throws Exception {
        Path listing = java.nio.file.Files.writeString(dir.resolve("kallsyms"), "0000000000000000 T _text\n0000000000000000 t x\n");
        assertThatThrownBy(() -> Kallsyms.read(listing, java.util.Set.of("x"))).isInstanceOf(UpdateException.class)
                .hasMessageContaining("kptr_restrict").hasMessageContaining("Run as root");
    }

    @Test
    void readingForSomeNamesKeepsTheirEntriesExportsAndVariants() throws Exception {
        Path listing = java.nio.file.Files.writeString(dir.resolve("kallsyms"), String.join("\n",
                "ffffffff81000000 T _text",
                "ffffffff81100020 t set_root",
                "ffffffff82200000 d set_root",
                "ffffffff81100030 t set_root_other",
                "ffffffff81100040 t link_path_walk.part.0.constprop.0",
                "ffffffff81100080 T printk_like",
                "ffffffff83300000 r __ksymtab_printk_like",
                "ffffffffc0001000 t helper_in_module\t[some_module]") + "\n");
        Kallsyms k = Kallsyms.read(listing, java.util.Set.of("set_root", "link_path_walk", "printk_like", "helper_in_module"));
        assertThat(k.named("set_root")).hasSize(2);
        assertThat(k.named("set_root_other")).isEmpty();
        assertThat(k.variantsOf("link_path_walk")).hasSize(1);
        assertThat(k.exported("printk_like")).isTrue();
        assertThat(k.named("helper_in_module")).singleElement().satisfies(e -> assertThat(e.module()).isEqualTo("some_module"));
        assertThat(k.size()).isEqualTo(7);
    }
}
