package dynamos.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dynamos.elf.ElfObject;
import dynamos.objdiff.DataDiff;
import dynamos.objdiff.FunctionDiff;
import dynamos.objdiff.ObjectDiff;
import dynamos.objdiff.Reference;
import dynamos.objdiff.Refusal;
import dynamos.objdiff.Status;
import dynamos.source.AffectedUnits;
import dynamos.source.ImageMatch;
import dynamos.update.Kallsyms;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PatchPlannerTest {
    /** A kernel of our own making: entries by name, ftrace sites, and which positions' code matches. */
    static final class FakeKernel implements RunningKernel {
        final Map<String, List<Kallsyms.Entry>> entries = new HashMap<>();
        final Map<String, Integer> sites = new HashMap<>();
        final Map<String, Set<Integer>> matching = new HashMap<>();
        final List<String> compared = new ArrayList<>();

        FakeKernel entry(String name, char type) {
            entries.computeIfAbsent(name, k -> new ArrayList<>())
                    .add(new Kallsyms.Entry(0xffffffff81000000L + entries.size() * 64L, type, name, null));
            return this;
        }

        @Override
        public String release() {
            return "6.1.0-test-amd64";
        }

        @Override
        public List<Kallsyms.Entry> entries(String name) {
            return entries.getOrDefault(name, List.of());
        }

        @Override
        public int ftraceSites(String name) {
            return sites.getOrDefault(name, 0);
        }

        @Override
        public ImageMatch match(ElfObject compiled, String function, int position) {
            compared.add(function + "@" + position);
            boolean same = matching.getOrDefault(function, Set.of()).contains(position);
            return new ImageMatch(function, 32, 4, same ? List.of() : List.of(0x10, 0x11));
        }
    }

    static FunctionDiff fn(String name, Status status, List<String> pieces, Reference... refs) {
        return new FunctionDiff(name, status, pieces, ".text." + name, true, false, List.of(refs),
                status == Status.UNCHANGED ? List.of() : List.of("code"));
    }

    static DataDiff data(String name, String before, Status status) {
        return new DataDiff(name, before, name, status, ".data." + name, true, before == null ? -1 : 4, 4, List.of());
    }

    /** The unit's plan; the object before the patch defines every piece of every function listed. */
    static PatchPlan.Unit plan(FakeKernel k, List<FunctionDiff> functions, List<DataDiff> data, Refusal... refusals) {
        Set<String> before = new java.util.HashSet<>();
        functions.forEach(f -> before.addAll(f.pieces()));
        return plan(k, before, functions, data, refusals);
    }

    static PatchPlan.Unit plan(FakeKernel k, Set<String> before, List<FunctionDiff> functions, List<DataDiff> data,
            Refusal... refusals) {
        return PatchPlanner.planUnit("fs/x.c", new ObjectDiff("before.o", "after.o", functions, data,
                List.of(refusals)), null, before, k);
    }

    @Test
    void aChangedFunctionIsFoundByItsCodeAmongNamesakesWithItsColdPart() {
        FakeKernel k = new FakeKernel().entry("show", 't').entry("show", 't').entry("show.cold", 't');
        k.sites.put("show", 2);
        k.matching.put("show", Set.of(2));
        k.matching.put("show.cold", Set.of(1));
        PatchPlan.Unit u = plan(k, List.of(fn("show", Status.CHANGED, List.of("show", "show.cold"))), List.of());
        assertThat(u.refusals()).isEmpty();
        assertThat(u.replaced()).containsExactly(new PatchPlan.Replacement("show", "show", 2, List.of("show", "show.cold")));
        assertThat(k.compared).containsExactly("show@1", "show@2", "show.cold@1");
    }

    @Test
    void theKernelsPiecesAreThoseBeforeThePatchAndAVariableOfTheNameDoesNotCount() {
        // After the patch GCC split off show.cold and made an .isra clone; the kernel has show alone.
        FakeKernel k = new FakeKernel().entry("show", 'd').entry("show", 't');
        k.sites.put("show", 1);
        k.matching.put("show", Set.of(2));
        PatchPlan.Unit u = plan(k, Set.of("show", "other"),
                List.of(fn("show", Status.CHANGED, List.of("show.isra.0", "show.cold"))), List.of());
        assertThat(u.refusals()).isEmpty();
        assertThat(u.replaced()).containsExactly(new PatchPlan.Replacement("show", "show", 2, List.of("show")));
        assertThat(k.compared).containsExactly("show@2");
    }

    @Test
    void aCompiledOriginalThatIsNotTheKernelsCodeIsRefusedWithTheOffsets() {
        FakeKernel k = new FakeKernel().entry("cmdline_proc_show", 't');
        k.sites.put("cmdline_proc_show", 1);
        PatchPlan.Unit u = plan(k, List.of(fn("cmdline_proc_show", Status.CHANGED, List.of("cmdline_proc_show"))),
                List.of());
        assertThat(u.replaced()).isEmpty();
        assertThat(u.refusals()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo("toolchain-mismatch");
            assertThat(p.symbol()).isEqualTo("cmdline_proc_show");
            assertThat(p.reason()).contains("offsets 0x10, 0x11").contains("6.1.0-test-amd64");
        });
    }

    @Test
    void aliasesOfOneFunctionAreReplacedOnceThroughTheNameItsFtraceSiteHas() {
        // SYSCALL_DEFINE0: __x64_sys_getppid and __ia32_sys_getppid are aliases of __do_sys_getppid.
        FakeKernel k = new FakeKernel().entry("__do_sys_getppid", 't').entry("__ia32_sys_getppid", 'T')
                .entry("__x64_sys_getppid", 'T');
        k.matching.put("__do_sys_getppid", Set.of(1));
        k.matching.put("__ia32_sys_getppid", Set.of(1));
        k.matching.put("__x64_sys_getppid", Set.of(1));
        k.sites.put("__do_sys_getppid", 1);
        List<FunctionDiff> aliases = List.of("__ia32_sys_getppid", "__do_sys_getppid", "__x64_sys_getppid").stream()
                .map(n -> new FunctionDiff(n, Status.CHANGED, List.of(n), ".text.__do_sys_getppid", true, false,
                        List.of(), List.of("code"))).toList();
        PatchPlan.Unit u = plan(k, aliases, List.of());
        assertThat(u.refusals()).isEmpty();
        assertThat(u.replaced()).extracting(PatchPlan.Replacement::symbol).containsExactly("__do_sys_getppid");
    }

    @Test
    void aFunctionWithoutAnFtraceSiteOrWithTwoIdenticalNamesakesIsRefused() {
        FakeKernel k = new FakeKernel().entry("noinstr_fn", 't').entry("twin", 't').entry("twin", 't');
        k.matching.put("noinstr_fn", Set.of(1));
        k.matching.put("twin", Set.of(1, 2));
        k.sites.put("twin", 2);
        PatchPlan.Unit u = plan(k, List.of(fn("noinstr_fn", Status.CHANGED, List.of("noinstr_fn")),
                fn("twin", Status.CHANGED, List.of("twin"))), List.of());
        assertThat(u.replaced()).isEmpty();
        assertThat(u.refusals()).extracting(PatchPlan.Problem::kind).containsExactly("not-redirectable",
                "not-replaceable-through-callers", "ambiguous");
    }

    @Test
    void theNewCodeIsBoundToTheKernelsStaticsByCodeAndByTheirNameBeforeThePatch() {
        FakeKernel k = new FakeKernel().entry("show", 't').entry("helper", 't').entry("helper", 't')
                .entry("__already_done.3", 'd').entry("printk", 'T').entry("printk", 't').entry("counter", 'b')
                .entry("counter", 'b').entry("__func__.0", 'r').entry("__func__.0", 'r');
        k.sites.put("show", 1);
        k.matching.put("show", Set.of(1));
        k.matching.put("helper", Set.of(2));
        PatchPlan.Unit u = plan(k, List.of(
                fn("show", Status.CHANGED, List.of("show"),
                        new Reference("helper", Reference.Kind.CALL, true, true),
                        new Reference("__already_done.4", Reference.Kind.ADDRESS, true, true),
                        new Reference("printk", Reference.Kind.CALL, false, false),
                        new Reference("counter", Reference.Kind.ADDRESS, true, true),
                        new Reference("fresh", Reference.Kind.CALL, true, true),
                        new Reference("table", Reference.Kind.ADDRESS, true, true),
                        new Reference("__func__.0", Reference.Kind.ADDRESS, true, true)),
                fn("helper", Status.UNCHANGED, List.of("helper")),
                fn("fresh", Status.NEW, List.of("fresh"))),
                List.of(data("__already_done.4", "__already_done.3", Status.UNCHANGED),
                        data("counter", "counter", Status.UNCHANGED), data("table", null, Status.NEW)));
        assertThat(u.replaced()).extracting(PatchPlan.Replacement::symbol).containsExactly("show");
        assertThat(u.added()).containsExactly("fresh");
        assertThat(u.newData()).containsExactly("table");
        assertThat(u.copied()).containsExactly("__func__.0");
        assertThat(u.carried()).containsExactly("__func__.0", "fresh", "show", "table");
        assertThat(u.bindings()).containsExactly(new PatchPlan.Binding("helper", "helper", true, true, 2),
                new PatchPlan.Binding("__already_done.3", "__already_done.4", false, true, 1),
                new PatchPlan.Binding("printk", "printk", true, false, 1));
        assertThat(u.refusals()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo("ambiguous");
            assertThat(p.symbol()).isEqualTo("counter");
        });
        assertThat(u.unchanged()).isEqualTo(1);
    }

    @Test
    void aPerCpuStaticIsBoundThoughKallsymsListsItAsAbsolute() {
        // 6.1's kallsyms gives per-CPU variables type A whether static or not (cn_proc.c's local_event).
        FakeKernel k = new FakeKernel().entry("show", 't').entry("local_event", 'A').entry("mbm_local_event", 'd');
        k.sites.put("show", 1);
        k.matching.put("show", Set.of(1));
        PatchPlan.Unit u = plan(k, List.of(fn("show", Status.CHANGED, List.of("show"),
                new Reference("local_event", Reference.Kind.ADDRESS, true, true))),
                List.of(data("local_event", "local_event", Status.UNCHANGED)));
        assertThat(u.refusals()).isEmpty();
        assertThat(u.bindings()).containsExactly(new PatchPlan.Binding("local_event", "local_event", false, true, 1));
    }

    @Test
    void lineNumberOnlyChangesReplaceNothingAndTheComparisonsRefusalsCarryOver() {
        FakeKernel k = new FakeKernel();
        PatchPlan.Unit u = plan(k, List.of(fn("warns", Status.LINE_NUMBERS_ONLY, List.of("warns"))), List.of(),
                new Refusal(Refusal.Kind.DATA_CHANGED, "limits", "data object limits changed"));
        assertThat(u.replaced()).isEmpty();
        assertThat(u.lineNumbersOnly()).containsExactly("warns");
        assertThat(u.refusals()).containsExactly(
                new PatchPlan.Problem("fs/x.c", "limits", "data-changed", "data object limits changed"));
        PatchPlan p = new PatchPlan("6.1.0-test-amd64", "x.patch", List.of(), List.of(u));
        assertThat(p.feasible()).isFalse();
        PatchPlan nothing = new PatchPlan("6.1.0-test-amd64", "x.patch", List.of(),
                List.of(plan(k, List.of(fn("warns", Status.LINE_NUMBERS_ONLY, List.of("warns"))), List.of())));
        assertThat(nothing.feasible()).isFalse();
        assertThat(nothing.refusals()).isEmpty();
    }

    @Test
    void assemblyHeadersAndAddedFilesStopTheUpdateEvenBesideAFeasibleUnit() {
        List<PatchPlan.Problem> files = PatchPlanner.fileRefusals(new AffectedUnits(List.of("fs/x.c"),
                List.of("include/linux/x.h"), List.of(), List.of("arch/x86/entry/entry_64.S: an assembly file; only C "
                        + "code can be updated", "fs/new.c: files added by a patch need kbuild changes",
                        "include/linux/x.h: included by more than 40 C files")));
        assertThat(files).extracting(PatchPlan.Problem::unit, PatchPlan.Problem::kind).containsExactly(
                org.assertj.core.groups.Tuple.tuple("arch/x86/entry/entry_64.S", "file-refused"),
                org.assertj.core.groups.Tuple.tuple("fs/new.c", "file-refused"),
                org.assertj.core.groups.Tuple.tuple("include/linux/x.h", "header-changed"));
        assertThat(files.getFirst().reason()).isEqualTo("an assembly file; only C code can be updated");
        FakeKernel k = new FakeKernel().entry("show", 't');
        k.sites.put("show", 1);
        k.matching.put("show", Set.of(1));
        PatchPlan.Unit unit = plan(k, List.of(fn("show", Status.CHANGED, List.of("show"))), List.of());
        assertThat(new PatchPlan("6.1.0-test-amd64", "x.patch", List.of(), List.of(unit)).feasible()).isTrue();
        PatchPlan p = new PatchPlan("6.1.0-test-amd64", "x.patch", files, List.of(unit));
        assertThat(p.feasible()).isFalse();
        assertThat(p.refusals()).hasSize(3);
    }
}
