package dynamos.elf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real kernel modules: one built here against the target kernel's headers, and one Debian ships. */
class KernelModuleElfTest {
    /** The newest cached target kernel (the tests are skipped without one: dynamos setup). */
    static final String RELEASE = dynamos.kernel.KernelCache.atDefault().list().stream()
            .map(dynamos.kernel.KernelRelease::version).max(String::compareTo).orElse("none");
    static final Path HEADERS = Path.of("/usr/src/linux-headers-" + RELEASE);
    static final Path SHIPPED = Path.of(System.getProperty("user.home"), ".cache/dynamos/kernels", RELEASE,
            "lib/modules", RELEASE, "kernel/net/vmw_vsock/vsock_loopback.ko");

    static final String MODULE = """
            #include <linux/module.h>
            #include <linux/pid.h>
            #include <linux/pid_namespace.h>

            /* alloc_pid is not exported: the module links only once the symbol is bound to an address. */
            static int __init probe_init(void)
            {
                pr_info("alloc_pid at %px, init_pid_ns at %px\\n", alloc_pid, &init_pid_ns);
                return 0;
            }
            module_init(probe_init);
            MODULE_LICENSE("GPL");
            MODULE_DESCRIPTION("dynamos ELF reader test");
            """;

    @Test
    void aModuleBuiltWithKbuildHasItsUnexportedSymbolUndefinedAndCanBeBound(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isRegularFile(HEADERS.resolve("Makefile")), "headers of " + RELEASE + " are not installed");
        assumeTrue(NativeTools.available("make") && NativeTools.available("gcc"));
        Files.writeString(dir.resolve("probe.c"), MODULE);
        Files.writeString(dir.resolve("Kbuild"), "obj-m := probe.o\n");
        // modpost refuses unresolved symbols unless told to warn.
        NativeTools.run(dir, "make", "-C", HEADERS.toString(), "M=" + dir, "KBUILD_MODPOST_WARN=1", "modules");
        Path ko = dir.resolve("probe.ko");
        ElfObject module = ElfObject.read(ko);

        ModuleInfo info = module.moduleInfo().orElseThrow();
        assertThat(info.license()).hasValue("GPL");
        assertThat(info.get("description")).hasValue("dynamos ELF reader test");
        assertThat(info.vermagic()).hasValueSatisfying(v -> assertThat(v).startsWith(RELEASE + " SMP"));
        assertThat(info.name()).hasValue("probe");
        assertThat(module.undefinedSymbols()).extracting(ElfSymbol::name).contains("alloc_pid", "init_pid_ns", "_printk");

        Path bound = dir.resolve("probe-bound.ko");
        AbsoluteSymbolRewriter.rewrite(ko, Map.of("alloc_pid", 0xffffffff810a1b20L), bound);
        ElfObject rewritten = ElfObject.read(bound);
        assertThat(rewritten.symbols("alloc_pid")).singleElement().satisfies(s -> {
            assertThat(s.isAbsolute()).isTrue();
            assertThat(s.value()).isEqualTo(0xffffffff810a1b20L);
        });
        assertThat(rewritten.undefinedSymbols()).extracting(ElfSymbol::name).doesNotContain("alloc_pid")
                .contains("init_pid_ns");
        assertThat(rewritten.moduleInfo()).contains(info);
        assertThat(NativeTools.run(dir, "readelf", "-s", "-W", bound.toString()))
                .containsPattern("ffffffff810a1b20\\s+0\\s+NOTYPE\\s+GLOBAL\\s+DEFAULT\\s+ABS alloc_pid");
        if (NativeTools.available("modinfo")) {
            assertThat(NativeTools.run(dir, "modinfo", bound.toString())).containsPattern("license:\\s+GPL");
        }
    }

    @Test
    void readsAModuleDebianShips() {
        assumeTrue(Files.isRegularFile(SHIPPED), "the target kernel is not in the cache (dynamos kernel fetch)");
        ElfObject module = ElfObject.read(SHIPPED);

        assertThat(module.isRelocatable()).isTrue();
        ModuleInfo info = module.moduleInfo().orElseThrow();
        assertThat(info.license()).hasValue("GPL v2");
        assertThat(info.name()).hasValue("vsock_loopback");
        assertThat(info.vermagic()).hasValueSatisfying(v -> assertThat(v).startsWith(RELEASE + " SMP"));
        assertThat(module.section(".BTF")).isPresent();
        assertThat(module.undefinedSymbols()).isNotEmpty()
                .allSatisfy(s -> assertThat(s.sectionIndex()).isEqualTo(ElfSymbol.SHN_UNDEF));
        assertThat(module.section(".gnu.linkonce.this_module")).isPresent();
    }
}
