package dynamos.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dynamos.btf.Btf;
import dynamos.btf.KernelBtf;
import dynamos.elf.ElfObject;
import dynamos.host.Installation;
import dynamos.x86.Decoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The analysis over the real Debian kernel's listings, when they are cached (collected once with
 * {@code dynamos analyze --collect}); skipped otherwise. Host-side: no VM.
 */
class RealKernelAnalysisTest {
    static final String RELEASE = "6.1.0-50-amd64";
    static KernelFacts facts;
    static List<Classification> all;
    static KernelFacts plain;
    static ElfObject vmlinux;

    @BeforeAll
    static void load() {
        Path dir = Installation.cacheDir().resolve("kernels").resolve(RELEASE);
        Path kallsyms = dir.resolve(FactsCache.DIR).resolve(FactsCache.KALLSYMS);
        Path ftrace = dir.resolve(FactsCache.DIR).resolve(FactsCache.FTRACE);
        Path btf = dir.resolve("vmlinux.btf");
        assumeTrue(Files.isRegularFile(kallsyms) && Files.isRegularFile(ftrace) && Files.isRegularFile(btf),
                "the listings of " + RELEASE + " are not cached: dynamos analyze --collect --kernel-version " + RELEASE);
        Path image = dir.resolve("boot").resolve("vmlinuz-" + RELEASE);
        assumeTrue(Files.isRegularFile(image), "no kernel image " + image);
        plain = FactsCache.load(RELEASE, kallsyms, ftrace, btf);
        vmlinux = ElfObject.parse(KernelBtf.vmlinux(image), image.toString());
        facts = FactsCache.withCallGraph(plain, vmlinux);
        all = Classifier.classify(facts);
    }

    private Classification only(String name) {
        List<Classification> c = all.stream().filter(x -> x.symbol().fullName().equals(name)).toList();
        assertThat(c).as(name).hasSize(1);
        return c.getFirst();
    }

    @Test
    void everyTextSymbolIsInExactlyOneCategory() {
        assertThat(all).hasSameSizeAs(facts.symbols()).hasSizeGreaterThan(40_000);
        Set<String> keys = new HashSet<>();
        Map<Category, Integer> counts = new EnumMap<>(Category.class);
        for (Classification c : all) {
            assertThat(keys.add(c.key())).as("one verdict per symbol: " + c.key()).isTrue();
            counts.merge(c.category(), 1, Integer::sum);
            assertThat(c.reason() != null).as(c.key() + " has a reason iff not redirectable")
                    .isEqualTo(c.category() == Category.NOT_UPDATABLE || c.category() == Category.THROUGH_CALLERS);
        }
        Summary s = Summary.of(RELEASE, all, true);
        assertThat(counts.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(s.total());
        assertThat(s.liveFunctions() + s.count(Category.PART_OF_ANOTHER) + s.count(Category.FREED_AFTER_BOOT)
                + s.count(Category.NOT_A_FUNCTION)).isEqualTo(s.total());
    }

    @Test
    void everyFtraceSiteIsOneDirectlyUpdatableFunction() {
        assertThat(facts.ftraceUnmatched()).isZero();
        assertThat(facts.ftraceSites()).isGreaterThan(30_000);
        long direct = all.stream().filter(c -> c.category() == Category.DIRECT).count();
        assertThat(direct).isEqualTo(facts.ftraceSites());
    }

    @Test
    void knownFunctions() {
        assertThat(only("pipe_read").category()).isEqualTo(Category.DIRECT);
        assertThat(only("may_open").category()).isEqualTo(Category.DIRECT);
        Classification schedule = only("__schedule");
        assertThat(schedule.category()).isEqualTo(Category.NOT_UPDATABLE);
        assertThat(schedule.reason()).isEqualTo(Reason.NOTRACE);
        assertThat(schedule.symbol().region()).isEqualTo(TextRegion.SCHED);
        assertThat(facts.callGraph().callersOf("__schedule")).contains("schedule", "preempt_schedule_common");
        assertThat(Explanation.whyNotThroughCallers(schedule, all, facts.callGraph()))
                .contains("preempt_schedule_common (not updatable: notrace)");
        assertThat(facts.callGraph().addressTaken()).as("in pipefifo_fops").contains("pipe_read");
        assertThat(facts.callGraph().callersOf("pipe_read")).as("only called through the file operations").isEmpty();
        assertThat(only("schedule").category()).isEqualTo(Category.DIRECT);
        assertThat(only("start_kernel").category()).isEqualTo(Category.FREED_AFTER_BOOT);
        assertThat(only("entry_SYSCALL_64").reason()).isEqualTo(Reason.ENTRY_CODE);
        // Inlined into every caller in this build: no text symbol, no BTF record.
        for (String inlined : List.of("may_create_in_sticky", "do_open")) {
            Explanation e = Explanation.of(inlined, all, facts);
            assertThat(e.symbols()).as(inlined).isEmpty();
            assertThat(e.btfRecord()).as(inlined).isFalse();
            assertThat(e.verdict()).as(inlined).contains("inlined into all its callers");
        }
    }

    @Test
    void someFunctionsAreUpdatableThroughTheirCallersAndEachCallerIsUpdatable() {
        Map<String, Classification> byKey = new java.util.HashMap<>();
        all.forEach(c -> byKey.put(c.key(), c));
        List<Classification> through = all.stream().filter(c -> c.category() == Category.THROUGH_CALLERS).toList();
        assertThat(through).hasSizeGreaterThan(100);
        for (Classification c : through) {
            assertThat(c.callers()).as(c.key()).isNotEmpty();
            assertThat(facts.callGraph().addressTaken()).as(c.key()).doesNotContain(c.key());
            for (String caller : c.callers()) {
                assertThat(byKey.get(caller).category().updatable()).as(caller + " calls " + c.key()).isTrue();
            }
        }
    }

    @Test
    void everyTableEntryOfTheImageIsInOneFunction() {
        int ex = 0;
        int alt = 0;
        int retpoline = 0;
        int bug = 0;
        for (FunctionProperties p : CodeTables.read(plain, vmlinux).values()) { // the tables alone, nothing decoded
            ex += p.exceptionEntries();
            alt += p.alternatives();
            retpoline += p.indirectCalls() + p.indirectJumps();
            bug += p.bugSites();
        }
        // Section sizes of 6.1.0-50's vmlinux over the entry sizes: __ex_table 7200/12, .altinstructions
        // 55824/12, .retpoline_sites 35248/4, __bug_table 92724/12.
        assertThat(ex).isEqualTo(600);
        assertThat(alt).isEqualTo(4652);
        assertThat(retpoline).isEqualTo(8812);
        assertThat(bug).isEqualTo(7727);
        FunctionProperties schedule = facts.propertiesOf("__schedule");
        assertThat(schedule.jumpLabels()).isPositive();
        assertThat(schedule.staticCalls()).isPositive();
        assertThat(facts.callGraph().tailCallsOf("__schedule")).as("jmp __x86_return_thunk is a return").isEmpty();
    }

    @Test
    void theDecodedCode() {
        assumeTrue(Decoder.available(), "Zydis missing: apt-get install libzydis-dev");
        long t0 = System.nanoTime();
        CodeDecoding.Result r = CodeDecoding.decode(plain, vmlinux);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("decoded %,d instructions of %s in %,d ms; %,d bytes did not decode%n", r.instructions(),
                RELEASE, ms, r.undecodable());
        assertThat(r.instructions()).isGreaterThan(3_000_000);
        assertThat(r.undecodable()).as("data in the text of a C kernel: a few asm bytes").isLessThan(1_000);
        assertThat(ms).as("a few seconds for the whole text").isLessThan(20_000);
        // The call graph: every call decoding finds, the byte scan has too, but a jump with displacement 0 to
        // the next function (the scan skips those: nop padding has them); decoding adds those (union).
        CallGraph scan = CodeScan.scan(plain, vmlinux);
        // (By address: decoding names every alias at a caller's address, the byte scan one of them.)
        Map<String, Long> at = new java.util.HashMap<>();
        plain.symbols().forEach(x -> at.put(x.key(), x.address()));
        long[] starts = plain.symbols().stream().mapToLong(TextSymbol::address).distinct().sorted().toArray();
        Set<String> cold = new HashSet<>();
        plain.symbols().stream().filter(x -> x.name().kind() == PartKind.COLD).forEach(x -> cold.add(x.key()));
        int[] zeroJumps = {0};
        List<String> unexplained = new java.util.ArrayList<>();
        r.calls().forEach((callee, callers) -> {
            Set<Long> scanned = new HashSet<>();
            scan.callersOf(callee).forEach(c -> scanned.add(at.get(c)));
            for (String caller : callers) {
                if (!scanned.contains(at.get(caller))) {
                    int i = java.util.Arrays.binarySearch(starts, at.get(caller));
                    if (starts[i + 1] == at.get(callee) || cold.contains(callee)) { // the scan skips .cold starts
                        zeroJumps[0]++;
                    } else {
                        unexplained.add(caller + " -> " + callee);
                    }
                }
            }
            if (!facts.callGraph().callersOf(callee).containsAll(callers)) {
                unexplained.add("not in the union: " + callee);
            }
        });
        assertThat(unexplained).isEmpty();
        System.out.printf("calls decoding adds to the byte scan (displacement 0 to the next function, to a .cold part): %d%n", zeroJumps[0]);
        assertThat(facts.callGraph().tailCallsOf("__x64_sys_read")).containsExactly("ksys_read");
        assertThat(facts.callGraph().tailCallsOf("kfree")).contains("__kmem_cache_free");
        assertThat(facts.callGraph().tailCallsOf("__schedule")).isEmpty();
        // retpoline kernels are built with -fno-jump-tables; the tables list every retpoline site decoding sees
        assertThat(r.properties().values().stream().mapToInt(FunctionProperties::jumpTables).sum()).isZero();
        Map<String, FunctionProperties> tables = CodeTables.read(plain, vmlinux);
        tables.forEach((k, p) -> assertThat(facts.propertiesOf(k).indirectJumps()).isGreaterThanOrEqualTo(p.indirectJumps()));
        // Jumps back into the entry: loops of notrace string functions; none in a traced function, whose
        // first five bytes are the ftrace call.
        assertThat(facts.entryBranches()).contains("strcmp", "memcmp");
        for (Classification c : all) {
            if (c.category() == Category.DIRECT) {
                assertThat(facts.entryBranches()).as(c.key()).doesNotContain(c.key());
            }
        }
        assertThat(facts.propertiesOf("__put_user_1").textReferences()).as("a jump to a shared label").isPositive();
    }

    @Test
    void aModuleOfThePackageFromItsKoAlone() {
        Path modules = Installation.cacheDir().resolve("kernels").resolve(RELEASE).resolve("lib/modules")
                .resolve(RELEASE).resolve("kernel");
        Path ko = ModuleFacts.modules(modules).get("fat");
        assumeTrue(ko != null, "no fat.ko under " + modules);
        KernelFacts fat = ModuleFacts.of("fat", ElfObject.read(ko), facts.btfFunctions().isEmpty() ? null
                : Btf.read(Installation.cacheDir().resolve("kernels").resolve(RELEASE).resolve("vmlinux.btf")));
        Map<String, Classification> got = new java.util.HashMap<>();
        Classifier.classify(fat).forEach(c -> got.put(c.key(), c));
        assertThat(fat.ftraceUnmatched()).isZero();
        assertThat(got.get("fat_fill_super").category()).isEqualTo(Category.DIRECT);
        assertThat(got.get("fat_fill_super").parts()).containsExactly("fat_fill_super.cold");
        assertThat(got.get("init_fat_fs").category()).isEqualTo(Category.FREED_AFTER_BOOT);
        assertThat(got.get("exit_fat_fs").category()).isEqualTo(Category.NOT_UPDATABLE);
        assertThat(got.get("exit_fat_fs").reason()).as("__exit is notrace; the module's BTF records it")
                .isEqualTo(Reason.NOTRACE);
        assertThat(fat.callGraph().addressTaken()).as("exported").contains("fat_fill_super");
    }

    @Test
    void namesakesAndColdPartsAreResolved() {
        List<Classification> setRoot = all.stream().filter(c -> c.symbol().name().base().equals("set_root")).toList();
        assertThat(setRoot).isNotEmpty();
        long cold = all.stream().filter(c -> c.symbol().name().kind() == PartKind.COLD).count();
        long coldWithParent = all.stream().filter(c -> c.symbol().name().kind() == PartKind.COLD && c.parent() != null)
                .count();
        assertThat(cold).isGreaterThan(1000);
        assertThat(coldWithParent).as("nearly every .cold part finds its function").isGreaterThan(cold * 95 / 100);
        long ambiguous = all.stream().filter(c -> c.symbol().ambiguous()).count();
        assertThat(ambiguous).isPositive();
    }
}
