package dynamos.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dynamos.btf.KernelBtf;
import dynamos.elf.ElfObject;
import dynamos.elf.ElfSection;
import dynamos.elf.ElfSymbol;
import dynamos.kernel.KernelCache;
import dynamos.update.Kallsyms;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fs/proc/cmdline.c of Debian's real source, compiled before and after src/test/patches/cmdline-string.patch,
 * when a cached kernel's prepared source is cached (skipped otherwise; prepare it once with
 * {@code KernelSource.ensure} or {@code dynamos generate}, about 100 s).
 */
class RealSourceCompileTest {
    static final Path PATCH = Path.of("src/test/patches/cmdline-string.patch");

    @TempDir
    Path out;

    /** The prepared source of a cached kernel: the newest whose source is prepared. */
    static PreparedSource prepared() {
        Optional<PreparedSource> s = KernelCache.atDefault().list().reversed().stream()
                .map(KernelSource::cached).flatMap(Optional::stream).findFirst();
        assumeTrue(s.isPresent(), "no cached kernel has its source prepared");
        return s.get();
    }

    /**
     * Sections whose contents differ, debug information and the symbol tables left out; relocation sections
     * compared with symbols by name (a new section shifts every symbol index).
     */
    static TreeSet<String> differingSections(ElfObject a, ElfObject b) {
        TreeSet<String> names = new TreeSet<>();
        for (ElfSection s : a.sections()) {
            names.add(s.name());
        }
        for (ElfSection s : b.sections()) {
            names.add(s.name());
        }
        names.removeIf(n -> n.isEmpty() || n.startsWith(".debug") || n.startsWith(".rela.debug")
                || n.equals(".symtab") || n.equals(".strtab") || n.equals(".shstrtab"));
        TreeSet<String> out = new TreeSet<>();
        for (String n : names) {
            Optional<ElfSection> x = a.section(n);
            Optional<ElfSection> y = b.section(n);
            boolean same;
            if (x.isEmpty() || y.isEmpty() || x.get().size() != y.get().size()) {
                same = false;
            } else if (x.get().type() == ElfSection.SHT_RELA) {
                same = relocations(a, x.get()).equals(relocations(b, y.get()));
            } else {
                same = !x.get().hasFileContents() || Arrays.equals(a.contents(x.get()), b.contents(y.get()));
            }
            if (!same) {
                out.add(n);
            }
        }
        return out;
    }

    /** A relocation section as "offset type symbol-or-section addend" lines. */
    static List<String> relocations(ElfObject o, ElfSection rela) {
        Map<Integer, String> names = new HashMap<>();
        for (ElfSymbol s : o.symbols()) {
            names.put(s.index(), s.type() == ElfSymbol.STT_SECTION ? o.sectionName(s.sectionIndex()) : s.name());
        }
        ByteBuffer b = ByteBuffer.wrap(o.contents(rela)).order(ByteOrder.LITTLE_ENDIAN);
        List<String> out = new ArrayList<>();
        while (b.remaining() >= 24) {
            long offset = b.getLong();
            long info = b.getLong();
            long addend = b.getLong();
            out.add(offset + " " + (int) info + " " + names.get((int) (info >>> 32)) + " " + addend);
        }
        return out;
    }

    @Test
    void cmdlineBeforeAndAfterThePatchDifferInItsFunctionOnly() {
        PreparedSource source = prepared();
        UnitCompiler.CompiledUnit u = new UnitCompiler(source).compile("fs/proc/cmdline.c", PATCH, out);
        assertThat(u.before()).isRegularFile().isEqualTo(out.resolve("before/fs/proc/cmdline.o"));
        assertThat(u.after()).isRegularFile().isEqualTo(out.resolve("after/fs/proc/cmdline.o"));
        ElfObject before = ElfObject.read(u.before());
        ElfObject after = ElfObject.read(u.after());
        assertThat(before.section(".text.cmdline_proc_show")).as("compiled with -ffunction-sections").isPresent();
        TreeSet<String> differing = differingSections(before, after);
        // the function's code and relocations, and its string literal (with -fdata-sections, a section of its own)
        assertThat(differing).contains(".text.cmdline_proc_show", ".rela.text.cmdline_proc_show");
        // nothing else that holds code: proc_cmdline_init (.init.text) is the same, relocations included
        assertThat(differing).filteredOn(n -> n.startsWith(".text") || n.startsWith(".init.text")
                || n.startsWith(".rela.text") || n.startsWith(".rela.init.text"))
                .containsExactlyInAnyOrder(".text.cmdline_proc_show", ".rela.text.cmdline_proc_show");
        // the rest are the tables with an entry per function or call site (unwinding, returns, fentry sites)
        assertThat(differing).allMatch(n -> n.contains("cmdline_proc_show") || n.startsWith(".orc_unwind")
                || n.startsWith(".rela.orc_unwind") || n.equals(".rela.return_sites") || n.equals(".return_sites")
                || n.equals(".rela__mcount_loc"), "a section of the function or a per-function table");
        // the pristine tree stays pristine
        assertThat(source.tree().resolve("fs/proc/cmdline.c")).content().doesNotContain("patched by dynamos");
    }

    @Test
    void theCompiledOriginalIsTheImagesCodeAndThePatchedOneIsNot() throws Exception {
        PreparedSource source = prepared();
        Path kallsyms = source.kernel().dir().resolve("analysis/kallsyms");
        assumeTrue(Files.isRegularFile(kallsyms), "no kallsyms of a boot of " + source.kernel().version()
                + " (dynamos analyze --collect)");
        UnitCompiler.CompiledUnit u = new UnitCompiler(source).compile("fs/proc/cmdline.c", PATCH, out);
        ElfObject vmlinux = ElfObject.parse(KernelBtf.vmlinux(source.kernel().image()), "vmlinux");
        Kallsyms ks = Kallsyms.parse(Files.readAllLines(kallsyms));
        ImageMatch before = ImageMatch.compare(ElfObject.read(u.before()), "cmdline_proc_show", vmlinux, ks, 1);
        assertThat(before.size()).isEqualTo(42);
        assertThat(before.masked()).isPositive().isLessThan(before.size());
        assertThat(before.differences()).isEmpty();
        ImageMatch after = ImageMatch.compare(ElfObject.read(u.after()), "cmdline_proc_show", vmlinux, ks, 1);
        assertThat(after.matches()).isFalse();
    }
}
