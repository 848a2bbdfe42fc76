package dynamos.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dynamos.dwarf.DebugInfo;
import dynamos.dwarf.DwarfReader;
import dynamos.host.Installation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The DWARF of Debian's 6.1.0-50 kernel: read from the -dbg package's vmlinux when it is here
 * ({@code $DYNAMOS_DBG_VMLINUX}, default {@code /work/dbg/usr/lib/debug/boot/vmlinux-6.1.0-50-amd64}) and
 * checked against its {@code System.map}; joined with the kernel's listings from the derived cache
 * ({@code dynamos analyze --debug-info}) when that exists. Skipped otherwise: the package is 850 MB.
 */
class RealKernelInliningTest {
    static final String RELEASE = RealKernelAnalysisTest.RELEASE;

    static Path vmlinux() {
        String env = System.getenv("DYNAMOS_DBG_VMLINUX");
        return Path.of(env != null ? env : "/work/dbg/usr/lib/debug/boot/vmlinux-" + RELEASE);
    }

    @Test
    void theImagesDwarfHoldsFinalAddressesAndIsReadFast() throws IOException {
        Path image = vmlinux();
        Path map = image.resolveSibling("System.map-" + RELEASE);
        assumeTrue(Files.isRegularFile(image) && Files.isRegularFile(map), "no -dbg vmlinux and System.map at " + image);
        long t0 = System.nanoTime();
        DebugInfo d = DwarfReader.read(image);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(seconds).as("173 MB of .debug_info").isLessThan(60);
        assertThat(d.textAddress()).isEqualTo(0xffffffff81000000L);
        assertThat(d.functions()).hasSizeGreaterThan(40_000);
        Map<Long, List<String>> byAddress = new HashMap<>();
        for (String line : Files.readAllLines(map)) {
            String[] f = line.split(" ");
            if (f.length == 3 && "tTwW".contains(f[1])) {
                byAddress.computeIfAbsent(Long.parseUnsignedLong(f[0], 16), k -> new java.util.ArrayList<>()).add(f[2]);
            }
        }
        // The linker wrote final values into .debug_info (--emit-relocs only keeps .rela.debug_info as a
        // record): a function's DW_AT_low_pc is its System.map address, with no relocation applied. The few
        // others (126 in 6.1.0-50) are __weak definitions the linker dropped for a strong one.
        int named = 0;
        int matched = 0;
        for (DebugInfo.Function f : d.functions()) {
            if (f.name().isEmpty()) {
                continue;
            }
            named++;
            List<String> at = byAddress.getOrDefault(f.entry(), List.of());
            if (at.stream().anyMatch(s -> s.equals(f.name()) || SymbolName.parse(s).base().equals(f.name()))) {
                matched++;
            }
        }
        assertThat(matched).as("functions at their System.map address, of " + named).isGreaterThan(named * 99 / 100);
        DebugInfo.Function vfsRead = d.functions().stream().filter(f -> f.name().equals("vfs_read")).findFirst()
                .orElseThrow();
        assertThat(byAddress.get(vfsRead.entry())).contains("vfs_read");
        assertThat(vfsRead.file()).isEqualTo("fs/read_write.c");
        System.out.printf("DWARF of %s: %,d units, %,d entries, %,d functions (%,d of %,d named ones at their"
                + " System.map address), %,d inlined pairs in %.1f s%n", RELEASE, d.units(), d.dies(),
                d.functions().size(), matched, named, d.inlined().size(), seconds);
    }

    @Test
    void knownFunctionsAreInlinedIntoTheirCallers() {
        Path dir = Installation.cacheDir().resolve("kernels").resolve(RELEASE);
        Path cache = dir.resolve(FactsCache.DIR).resolve(InlineFacts.FILE);
        Path kallsyms = dir.resolve(FactsCache.DIR).resolve(FactsCache.KALLSYMS);
        Path ftrace = dir.resolve(FactsCache.DIR).resolve(FactsCache.FTRACE);
        assumeTrue(Files.isRegularFile(kallsyms) && Files.isRegularFile(ftrace), "the listings of " + RELEASE
                + " are not cached: dynamos analyze --collect --kernel-version " + RELEASE);
        InlineFacts data;
        if (Files.isRegularFile(cache)) {
            data = InlineFacts.read(cache);
        } else {
            assumeTrue(Files.isRegularFile(vmlinux()), "neither " + cache + " nor " + vmlinux()
                    + ": dynamos analyze --debug-info --kernel-version " + RELEASE);
            data = InlineFacts.of(RELEASE, DwarfReader.read(vmlinux()));
        }
        KernelFacts facts = FactsCache.load(RELEASE, kallsyms, ftrace, dir.resolve("vmlinux.btf"));
        Inlining inlining = Inlining.of(data, facts);
        // fs/namei.c: both are static and inlined into path_openat only in this build.
        for (String name : List.of("do_open", "may_create_in_sticky")) {
            assertThat(inlining.copiesOf(name)).as(name).extracting(Inlining.Copy::holder).containsExactly("path_openat");
            assertThat(inlining.copiesOf(name)).as(name).extracting(Inlining.Copy::file).containsOnly("fs/namei.c");
        }
        // Namesakes: the position DYNAMOS_SYMBOL takes, and the file each one is from.
        assertThat(inlining.sourceOf("cmp_range#1")).isEqualTo("arch/x86/kernel/mmconf-fam10h_64.c");
        assertThat(inlining.sourceOf("cmp_range#2")).isEqualTo("kernel/range.c");
        // The address join works across KASLR: nearly every function lands on a text symbol.
        int holders = 0;
        int onSymbol = 0;
        for (String name : data.inlined().stream().map(DebugInfo.InlinedCopy::name).distinct().toList()) {
            for (Inlining.Copy c : inlining.copiesOf(name)) {
                holders++;
                onSymbol += c.holder().endsWith("?") ? 0 : 1;
            }
        }
        assertThat(onSymbol).as("holders on a text symbol, of " + holders).isGreaterThan(holders * 99 / 100);
        Inlining.Counts counts = inlining.counts(Classifier.classify(facts));
        assertThat(counts.withoutSymbol()).isLessThan(counts.inlined()).isGreaterThan(10_000);
        assertThat(counts.coveredByHolders()).isLessThanOrEqualTo(counts.withoutSymbol());
        System.out.println("inlining of " + RELEASE + ": " + counts + "; holders on a text symbol: " + onSymbol + " of "
                + holders);
    }

    @Test
    void buildWarnsWithTheCallersWhoseCopiesAnUpdateMisses() {
        dynamos.kernel.KernelRelease kernel = dynamos.kernel.KernelCache.atDefault().cached(RELEASE).orElse(null);
        assumeTrue(kernel != null && FactsCache.cached(kernel) && Files.isRegularFile(InlineFacts.file(kernel)),
                "no cached listings and inlining facts of " + RELEASE + ": dynamos analyze --collect --debug-info");
        // What UpdateBuilder.check prints for an update replacing regulator_disable (out of line, and inlined
        // into four functions of drivers/regulator/core.c) and one replacing do_open (inlined only).
        assertThat(BuildAdvice.notes(kernel, List.of("regulator_disable"))).containsExactly("warning: regulator_disable"
                + " is also inlined into 4 function(s) whose copies the update will not reach: regulator_bulk_disable,"
                + " regulator_bulk_enable, regulator_disable_deferred, regulator_unregister; replace them too to change"
                + " every call (dynamos analyze regulator_disable)");
        assertThat(BuildAdvice.notes(kernel, List.of("do_open"))).singleElement().asString()
                .contains("inlined into 1 function(s)").contains("path_openat");
    }
}
