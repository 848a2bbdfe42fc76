package dynamos.update;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dynamos.elf.NativeTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dynamos build --uses OTHER}: finding the other update's build, its exports, and the facts header. */
class UsedUpdateTest {
    static final String RELEASE = "6.1.0-99-amd64";

    @TempDir
    Path dir;

    /**
     * A fake built update: an object with the .modinfo and .dynamos.update strings of a module built by
     * kbuild for {@code release}, named {@code name}.ko in {@code at}.
     */
    static Path fakeModule(Path at, String name, String update, String release) throws Exception {
        assumeThat(NativeTools.available("gcc")).as("gcc").isTrue();
        Files.createDirectories(at);
        String source = "static const char i1[] __attribute__((used, section(\".modinfo\"))) = \"name=" + name + "\";\n"
                + "static const char i2[] __attribute__((used, section(\".modinfo\"))) = \"vermagic=" + release
                + " SMP preempt mod_unload modversions \";\n"
                + "static const char d1[] __attribute__((used, section(\".dynamos.update\"), aligned(1))) = \"update="
                + update + "\";\n"
                + "static const char d2[] __attribute__((used, section(\".dynamos.update\"), aligned(1))) ="
                + " \"replace=1 2 f f_v2\";\n"
                + "int f_v2(void) { return 2; }\n";
        Path o = NativeTools.compile(at, name, source, "-O2");
        Path ko = at.resolve(name + ".ko");
        Files.move(o, ko);
        Files.delete(at.resolve(name + ".c"));
        return ko;
    }

    static void symvers(Path at, String module, String... symbols) throws Exception {
        StringBuilder b = new StringBuilder();
        for (String s : symbols) {
            b.append("0x12345678\t").append(s).append('\t').append(at.resolve(module)).append("\tEXPORT_SYMBOL_GPL\t\n");
        }
        Files.writeString(at.resolve(UsedUpdate.SYMVERS), b.toString());
    }

    Path sources(String name) throws Exception {
        Path src = dir.resolve(name);
        Files.createDirectories(src);
        Files.writeString(src.resolve("Kbuild"), "obj-m := dynamos_" + name + ".o\n");
        return src;
    }

    @Test
    void aSourceDirectoryThatIsNotBuiltIsRefusedWithTheBuildCommand() throws Exception {
        Path src = sources("provider");
        assertThatThrownBy(() -> UsedUpdate.locate(src, RELEASE)).isInstanceOf(UpdateException.class)
                .hasMessageContaining("--uses " + src + ": the update is not built for kernel " + RELEASE)
                .hasMessageContaining("build it first: dynamos build " + src + " --kernel-version " + RELEASE);
        // Built for another kernel only: still not built for this one.
        fakeModule(src.resolve("build/6.1.0-1-amd64"), "dynamos_provider", "provider", "6.1.0-1-amd64");
        symvers(src.resolve("build/6.1.0-1-amd64"), "dynamos_provider", "provider_fn");
        assertThatThrownBy(() -> UsedUpdate.locate(src, RELEASE)).hasMessageContaining("not built for kernel " + RELEASE);
    }

    @Test
    void aBuiltSourceDirectoryGivesItsModuleSymversAndNames() throws Exception {
        Path src = sources("provider");
        Path build = src.resolve("build").resolve(RELEASE);
        Path ko = fakeModule(build, "dynamos_provider", "provider", RELEASE);
        symvers(build, "dynamos_provider", "provider_fn", "provider_data");

        UsedUpdate u = UsedUpdate.resolve(src, RELEASE);
        assertThat(u.module()).isEqualTo(ko);
        assertThat(u.symvers()).isEqualTo(build.resolve("Module.symvers"));
        assertThat(u.source()).isEqualTo(src);
        assertThat(u.update()).isEqualTo("provider");
        assertThat(u.moduleName()).isEqualTo("dynamos_provider");
        assertThat(u.exports()).containsExactly("provider_fn", "provider_data");
    }

    @Test
    void aBuiltModuleIsUsedWithTheSymversBesideIt() throws Exception {
        Path build = dir.resolve("elsewhere");
        Path ko = fakeModule(build, "dynamos_provider", "provider", RELEASE);
        assertThatThrownBy(() -> UsedUpdate.resolve(ko, RELEASE))
                .hasMessageContaining("no Module.symvers beside it");
        symvers(build, "dynamos_provider", "provider_fn");
        UsedUpdate u = UsedUpdate.resolve(ko, RELEASE);
        assertThat(u.source()).as("no directory to include headers from").isNull();
        assertThat(u.exports()).containsExactly("provider_fn");
    }

    @Test
    void anUpdateBuiltForAnotherKernelOrExportingNothingIsRefused() throws Exception {
        Path other = dir.resolve("other");
        Path ko = fakeModule(other, "dynamos_provider", "provider", "6.1.0-1-amd64");
        symvers(other, "dynamos_provider", "provider_fn");
        assertThatThrownBy(() -> UsedUpdate.resolve(ko, RELEASE))
                .hasMessageContaining("was built for kernel 6.1.0-1-amd64, not " + RELEASE);

        Path quiet = dir.resolve("quiet");
        Path ko2 = fakeModule(quiet, "dynamos_quiet", "quiet", RELEASE);
        symvers(quiet, "dynamos_someone_else", "their_fn");
        assertThatThrownBy(() -> UsedUpdate.resolve(ko2, RELEASE))
                .hasMessageContaining("update quiet exports no symbols").hasMessageContaining("EXPORT_SYMBOL_GPL");
    }

    @Test
    void otherMustBeAModuleOrADirectoryOfSources() throws Exception {
        assertThatThrownBy(() -> UsedUpdate.checkNamed(dir.resolve("missing")))
                .hasMessageContaining("no such file or directory");
        Path txt = dir.resolve("notes.txt");
        Files.writeString(txt, "x");
        assertThatThrownBy(() -> UsedUpdate.checkNamed(txt)).hasMessageContaining("not a kernel module (.ko)");
        assertThatThrownBy(() -> UsedUpdate.checkNamed(dir)).hasMessageContaining("it has no Kbuild file");
        UsedUpdate.checkNamed(sources("fine"));
    }

    @Test
    void severalModulesInTheBuildAreAmbiguous() throws Exception {
        Path src = sources("two");
        Path build = src.resolve("build").resolve(RELEASE);
        fakeModule(build, "dynamos_a", "a", RELEASE);
        fakeModule(build, "dynamos_b", "b", RELEASE);
        symvers(build, "dynamos_a", "a_fn");
        assertThatThrownBy(() -> UsedUpdate.locate(src, RELEASE))
                .hasMessageContaining("holds several modules [dynamos_a.ko, dynamos_b.ko]");
    }

    @Test
    void symversLinesAreMatchedByModuleName() {
        List<String> lines = List.of(
                "0x7dc89957\tshared_leaks\t/src/fix1/build/R/dynamos_fix1\tEXPORT_SYMBOL_GPL\t",
                "0xbad000da\tother_fn\t/src/other/build/R/dynamos_other\tEXPORT_SYMBOL\t",
                "0x00000001\tns_fn\t/src/fix1/build/R/dynamos_fix1\tEXPORT_SYMBOL_GPL\tMY_NS",
                "garbage");
        assertThat(UsedUpdate.exportsOf(lines, "dynamos_fix1")).containsExactly("shared_leaks", "ns_fn");
        assertThat(UsedUpdate.exportsOf(lines, "dynamos_fix")).isEmpty();
    }

    @Test
    void theFactsHeaderDeclaresOneUsesFactPerUpdateAndIsReadBack() throws Exception {
        UsedUpdate a = new UsedUpdate(Path.of("a.ko"), Path.of("Module.symvers"), null, "fix1", "dynamos_fix1", List.of("x"));
        UsedUpdate b = new UsedUpdate(Path.of("b.ko"), Path.of("Module.symvers"), null, "fix0", "dynamos_fix0", List.of("y"));
        String header = UsedUpdate.factsHeader(List.of(a, b));
        assertThat(header).contains("#ifndef __ASSEMBLY__").doesNotContain("#include")
                .contains("\"uses=fix1 dynamos_fix1\"").contains("\"uses=fix0 dynamos_fix0\"");

        // Two compilation units force-include it, as kbuild does; the declaration has each fact once.
        assumeThat(NativeTools.available("gcc")).as("gcc").isTrue();
        Path h = dir.resolve("uses.h");
        Files.writeString(h, header);
        Path one = NativeTools.compile(dir, "one", "#include <dynamos_decl.h>\nDECL(\"update=fix2\");\n"
                + "DECL(\"replace=1 2 f f_v2\");\nint f_v2(void) { return 0; }\n", "-include", h.toString(),
                "-I", headerDir().toString());
        Path two = NativeTools.compile(dir, "two", "int helper(void) { return 1; }\n", "-include", h.toString());
        Path linked = dir.resolve("both.o");
        NativeTools.run(dir, "ld", "-r", "-o", linked.toString(), one.toString(), two.toString());
        UpdateDeclaration d = UpdateDeclaration.of(dynamos.elf.ElfObject.read(linked));
        assertThat(d.name()).isEqualTo("fix2");
        assertThat(d.uses()).containsExactly(new UpdateDeclaration.Use("fix1", "dynamos_fix1"),
                new UpdateDeclaration.Use("fix0", "dynamos_fix0"));
    }

    /** A stand-in for dynamos.h's __DYNAMOS_DECLARE, for user-space gcc. */
    private Path headerDir() throws Exception {
        Path inc = dir.resolve("inc");
        Files.createDirectories(inc);
        Files.writeString(inc.resolve("dynamos_decl.h"), "#define DECL2(n, f) static const char n[]"
                + " __attribute__((used, section(\".dynamos.update\"), aligned(1))) = f\n"
                + "#define DECL1(c, f) DECL2(decl_##c, f)\n#define DECL0(c, f) DECL1(c, f)\n"
                + "#define DECL(f) DECL0(__COUNTER__, f)\n");
        return inc;
    }
}
