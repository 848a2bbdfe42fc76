package dynamos.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dynamos.analysis.FactsCache;
import dynamos.cli.CliRun;
import dynamos.kernel.KernelRelease;
import dynamos.source.AffectedUnits;
import dynamos.source.KernelSource;
import dynamos.source.PatchFiles;
import dynamos.source.PreparedSource;
import dynamos.source.UnitCompiler;
import dynamos.testing.FrameworkGuest;
import dynamos.testing.Guest;
import dynamos.vm.VmResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end on the host: {@code dynamos generate --plan} with Debian's real source of the current kernel (fetched
 * and prepared on the first run), the kernel's image, and the listings of a boot of it (collected in the VM when
 * missing). The patches are ours, in {@code src/test/patches/}.
 */
class GenerateIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path PATCHES = Guest.REPO.resolve("src/test/patches");
    private static KernelRelease kernel;

    /** The patches the end-to-end test generates updates from, and applies in one boot. */
    private static final List<String> GENERATED = List.of("cmdline-string.patch", "new-function-and-data.patch",
            "syscall-getppid.patch", "inlined-static.patch", "shadow-fork.patch", "header-inline.patch",
            "syscall-newuname.patch");

    @BeforeAll
    static void listingsAndSource() {
        kernel = Guest.kernel();
        if (!FactsCache.cached(kernel)) {
            FactsCache.collect(Guest.cache(), kernel, System.out);
        }
        // What generations share and make on first use, made now, one at a time, so that they can run two at a
        // time: the prepared source, and kbuild's command of each unit they compile (one make in the source
        // tree each, and two makes in one tree race on the files kbuild generates).
        PreparedSource source = KernelSource.ensure(kernel);
        UnitCompiler compiler = new UnitCompiler(source);
        for (String patch : GENERATED) {
            AffectedUnits.of(source.tree(), PatchFiles.read(PATCHES.resolve(patch))).units().forEach(compiler::command);
        }
    }

    static CliRun plan(String patch) {
        CliRun r = CliRun.of("generate", "--plan", "--json", "--kernel-version", kernel.version(),
                PATCHES.resolve(patch).toString());
        System.out.println(r.err());
        return r;
    }

    static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(field == null ? n.asText() : n.get(field).asText()));
        return out;
    }

    /**
     * Generates the updates of {@link #GENERATED}, two at a time (a generation mostly runs the compiler, on one
     * core); returns their directories by patch.
     */
    static Map<String, Path> generateAll() throws InterruptedException {
        Map<String, Future<Path>> running = new LinkedHashMap<>();
        try (ExecutorService two = Executors.newFixedThreadPool(2)) {
            GENERATED.forEach(patch -> running.put(patch, two.submit(() -> generate(patch))));
        }
        Map<String, Path> dirs = new LinkedHashMap<>();
        for (Map.Entry<String, Future<Path>> g : running.entrySet()) {
            try {
                dirs.put(g.getKey(), g.getValue().get());
            } catch (ExecutionException e) {
                throw new AssertionError("generating " + g.getKey() + " failed", e.getCause());
            }
        }
        return dirs;
    }

    /** Generates the update of {@code patch} into target/generate/NAME; returns that directory. */
    static Path generate(String patch) {
        String name = patch.replaceFirst("\\.patch$", "");
        Path dir = Guest.REPO.resolve("target/generate").resolve(kernel.version()).resolve(name);
        CliRun r = CliRun.of("generate", "--json", "--kernel-version", kernel.version(), "--output", dir.toString(),
                PATCHES.resolve(patch).toString());
        System.out.println("generate " + patch + ": " + r.err()); // named: two generations run at a time
        assertThat(r.status()).as(r.out() + r.err()).isZero();
        return dir;
    }

    @Test
    void updatesGeneratedFromPatchesAreAppliedSeenAndRevertedLive() throws Exception {
        Map<String, Path> generated = generateAll();
        Path cmdline = generated.get("cmdline-string.patch");
        assertThat(cmdline.resolve("Kbuild")).content().contains("obj-m := dynamos_patch_cmdline_string.o");
        assertThat(cmdline.resolve("dynamos_generated.c")).content()
                .contains("replace=1 2 cmdline_proc_show cmdline_proc_show__patched");
        Path version = generated.get("new-function-and-data.patch");
        Path getppid = generated.get("syscall-getppid.patch");
        Path inlined = generated.get("inlined-static.patch");
        Path shadow = generated.get("shadow-fork.patch");
        Path header = generated.get("header-inline.patch");
        Path uname = generated.get("syscall-newuname.patch");
        assertThat(shadow.resolve("Kbuild")).content().contains("carried_0.o carried_1.o");
        assertThat(shadow.resolve("dynamos_generated.c")).content()
                .contains("DYNAMOS_HOOK(post_activation, 1, 2, dynamos_patch_post_activation)")
                .contains("fork_shadow_free_all__hook(NULL)");
        // SYSCALL_DEFINE0's aliases are one function, replaced once.
        assertThat(getppid.resolve("dynamos_generated.c")).content()
                .contains("replace=1 2 __do_sys_getppid __do_sys_getppid__patched").doesNotContain("replace=2");

        VmResult r = FrameworkGuest.runScenario("generated-updates", Map.of("GEN_CMDLINE", cmdline.toString(),
                "GEN_VERSION", version.toString(), "GEN_GETPPID", getppid.toString(), "GEN_INLINED", inlined.toString(),
                "GEN_SHADOW", shadow.toString(), "GEN_HEADER", header.toString(),
                "GEN_UNAME", uname.toString()));
        Map<String, String> v = FrameworkGuest.values(r);
        String before = v.get("cmdline_before");
        assertThat(before).contains("console=ttyS0").doesNotContain("patched");
        assertThat(v.get("cmdline_applied")).isEqualTo(before + " (patched by dynamos)");
        assertThat(v.get("cmdline_reverted")).isEqualTo(before);
        // New data counted by a new function, from the changed handler.
        assertThat(v).containsEntry("version_before", "1").containsEntry("version_first", "read 1 times since the update")
                .containsEntry("version_second", "read 2 times since the update").containsEntry("version_reverted", "1");
        // The changed system call: the probe sees it, every other caller the real parent.
        assertThat(v).containsEntry("probe_before", "same").containsEntry("probe_applied", "4242")
                .containsEntry("ppid_applied", v.get("shell_pid")).containsEntry("probe_reverted", "same");
        // The callers of a changed static that GCC inlined, with new data and the kernel's lock bound.
        assertThat(v).containsEntry("inlined_data", "1").containsEntry("target_entry", "1")
                .containsEntry("target_entry_removed", "0");
        assertThat(Integer.parseInt(v.get("proc_fs_entries"))).isPositive();
        // A function without an ftrace site, replaced through its callers.
        assertThat(v.get("uname_before")).isNotEqualTo("patched-by-dynamos");
        assertThat(v).containsEntry("uname_probe", "patched-by-dynamos")
                .containsEntry("uname_other", v.get("uname_before")).containsEntry("uname_reverted", v.get("uname_before"));
        // A changed header inline: the functions using it are replaced (reading /proc/self/fd and fdinfo).
        assertThat(Integer.parseInt(v.get("header_fds"))).isGreaterThanOrEqualTo(3);
        assertThat(v).containsEntry("header_fdinfo", "1");
        // Shadow data through the kernel's klp_shadow_*: allocated at fork by one unit, read by another.
        assertThat(v).containsEntry("shadow_units", "2").containsEntry("shadow_older", "0")
                .containsEntry("shadow_after_revert", "0");
        assertThat(v.get("shadow_child")).matches("(\\d+) \\1");
        // Its hooks, written with kpatch's macros: the load hook after apply, the post-unpatch callback at revert.
        assertThat(v).containsEntry("shadow_loaded", "1").containsEntry("shadow_freed_early", "0")
                .containsEntry("shadow_freed", "1");
        assertThat(v).containsEntry("modules_left", "0");
    }

    @Test
    void aToolchainMismatchIsRefusedNamingTheFunctionAndNothingIsWritten() throws IOException {
        // A flag the kernel was not built with stands for another compiler: the compiled original is not the code
        // that runs.
        Path out = Guest.REPO.resolve("target/generate").resolve(kernel.version()).resolve("mismatch");
        CliRun r = CliRun.of("generate", "--json", "--kernel-version", kernel.version(), "--cflag=-fno-omit-frame-pointer",
                "--output", out.toString(), PATCHES.resolve("cmdline-string.patch").toString());
        assertThat(r.status()).as(r.err()).isEqualTo(1);
        JsonNode plan = JSON.readTree(r.out());
        assertThat(plan.get("feasible").asBoolean()).isFalse();
        assertThat(plan.get("refusals")).singleElement().satisfies(p -> {
            assertThat(p.get("kind").asText()).isEqualTo("toolchain-mismatch");
            assertThat(p.get("symbol").asText()).isEqualTo("cmdline_proc_show");
            assertThat(p.get("reason").asText()).contains("not the code " + kernel.version() + " runs");
        });
        assertThat(out).doesNotExist();

        CliRun bad = CliRun.of("generate", "--plan", "--kernel-version", kernel.version(), "--cflag=-O2; rm -rf /",
                PATCHES.resolve("cmdline-string.patch").toString());
        assertThat(bad.status()).isEqualTo(1);
        assertThat(bad.err()).contains("is not a compiler flag this accepts");
    }

    @Test
    void aChangedProcHandlerIsReplacedFoundByItsCodeAndWhatItUsesIsBound() throws IOException {
        CliRun r = plan("cmdline-string.patch");
        assertThat(r.status()).as(r.out() + r.err()).isZero();
        JsonNode plan = JSON.readTree(r.out());
        assertThat(plan.get("feasible").asBoolean()).isTrue();
        assertThat(plan.get("kernel").asText()).isEqualTo(kernel.version());
        JsonNode unit = plan.get("units").get(0);
        assertThat(unit.get("unit").asText()).isEqualTo("fs/proc/cmdline.c");
        assertThat(texts(unit.get("replaced"), "symbol")).containsExactly("cmdline_proc_show");
        assertThat(unit.get("replaced").get(0).get("position").asInt()).isEqualTo(1);
        assertThat(texts(unit.get("bindings"), "symbol")).contains("seq_printf", "saved_command_line");
        assertThat(plan.get("refusals")).isEmpty();
    }

    @Test
    void aWarnMovedByThePatchReplacesNothingButTheChangedFunction() throws IOException {
        CliRun r = plan("warn-line-shift.patch");
        assertThat(r.status()).as(r.out() + r.err()).isZero();
        JsonNode unit = JSON.readTree(r.out()).get("units").get(0);
        assertThat(texts(unit.get("replaced"), "symbol")).containsExactly("proc_set_size");
        assertThat(texts(unit.get("line_numbers_only"), null)).contains("__proc_create", "proc_register",
                "remove_proc_entry");
    }

    @Test
    void aChangedInitialValueOfKernelDataIsRefusedWithTheReason() throws IOException {
        CliRun r = plan("data-initial-value.patch");
        assertThat(r.status()).as(r.out() + r.err()).isEqualTo(1);
        JsonNode plan = JSON.readTree(r.out());
        assertThat(plan.get("feasible").asBoolean()).isFalse();
        assertThat(plan.get("refusals")).hasSize(1);
        JsonNode refusal = plan.get("refusals").get(0);
        assertThat(refusal.get("kind").asText()).isEqualTo("data-changed");
        assertThat(refusal.get("symbol").asText()).isEqualTo("oops_limit");
        assertThat(refusal.get("reason").asText()).contains("initial value");
    }

    @Test
    void aChangedStaticThatIsInlinedEverywhereReplacesItsCallersAndNewDataComesAlong() throws IOException {
        CliRun r = plan("inlined-static.patch");
        assertThat(r.status()).as(r.out() + r.err()).isZero();
        JsonNode unit = JSON.readTree(r.out()).get("units").get(0);
        // pde_subdir_first has no symbol in the kernel: the functions holding its copies change instead.
        assertThat(texts(unit.get("replaced"), "symbol")).contains("proc_readdir_de", "remove_proc_subtree")
                .doesNotContain("pde_subdir_first");
        assertThat(texts(unit.get("new_data"), null)).containsExactly("pde_first_lookups");
        assertThat(texts(unit.get("bindings"), "symbol")).doesNotContain("pde_first_lookups").contains("proc_subdir_lock");
        // remove_proc_entry's WARN names its function: the kernel has hundreds of __func__.0, the update its own.
        assertThat(texts(unit.get("copied"), null)).contains("__func__.0");
    }

    @Test
    void aChangedHeaderInlineReplacesTheFunctionsOfEveryUnitIncludingItThatUseIt() throws IOException {
        CliRun r = plan("header-inline.patch");
        assertThat(r.status()).as(r.out() + r.err()).isZero();
        JsonNode units = JSON.readTree(r.out()).get("units");
        // fs/proc/fd.h is included by fs/proc/fd.c and fs/proc/base.c; only fd.c uses proc_fd() in code that changes.
        assertThat(texts(units, "unit")).containsExactly("fs/proc/base.c", "fs/proc/fd.c");
        assertThat(units.get(0).get("replaced")).isEmpty();
        assertThat(texts(units.get(1).get("replaced"), "symbol")).containsExactlyInAnyOrder("proc_fd_link", "seq_show",
                "tid_fd_revalidate");
    }

    @Test
    void aChangedFunctionWithoutAnFtraceSiteIsReplacedThroughItsCallers() throws IOException {
        CliRun r = plan("syscall-newuname.patch");
        assertThat(r.status()).as(r.out() + r.err()).isZero();
        JsonNode unit = JSON.readTree(r.out()).get("units").get(0);
        assertThat(texts(unit.get("through_callers"), null)).containsExactly("__do_sys_newuname");
        assertThat(texts(unit.get("replaced"), "symbol")).containsExactlyInAnyOrder("__x64_sys_newuname",
                "__ia32_sys_newuname");
        // A loop's end pointer just past a numbered static array is the same reference before and after.
        assertThat(texts(unit.get("replaced"), "symbol")).doesNotContain("validate_prctl_map_addr");
    }

    @Test
    void assemblyAndHeaderChangesAreRefusedNotIgnored() throws IOException {
        CliRun r = plan("header-and-assembly.patch");
        assertThat(r.status()).as(r.out() + r.err()).isEqualTo(1);
        JsonNode plan = JSON.readTree(r.out());
        assertThat(plan.get("feasible").asBoolean()).isFalse();
        assertThat(texts(plan.get("files"), "unit")).containsExactly("arch/x86/lib/clear_page_64.S",
                "include/linux/proc_fs.h");
        assertThat(texts(plan.get("files"), "kind")).containsExactly("file-refused", "header-changed");
        assertThat(plan.get("files").get(1).get("reason").asText()).contains("included by more than 40 C files");
    }

    @Test
    void aChangedLayoutOfAStructureWithObjectsInTheKernelIsRefused() throws IOException {
        // do_wait's struct wait_opts lives on the stacks of waiting tasks: new code would misread them.
        CliRun r = plan("struct-layout.patch");
        assertThat(r.status()).as(r.out() + r.err()).isEqualTo(1);
        JsonNode refusals = JSON.readTree(r.out()).get("refusals");
        assertThat(refusals).singleElement().satisfies(p -> {
            assertThat(p.get("kind").asText()).isEqualTo("type-layout-changed");
            assertThat(p.get("symbol").asText()).isEqualTo("struct wait_opts");
            assertThat(p.get("reason").asText()).contains("wo_attempts");
        });
    }

    @Test
    void badInputIsAClearErrorAndChangesNothing() {
        CliRun missing = CliRun.of("generate", "--plan", "--kernel-version", kernel.version(),
                PATCHES.resolve("no-such.patch").toString());
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.err()).contains("no-such.patch is not a file");
        Path colon = Guest.REPO.resolve("target/generate/a:b");
        CliRun badOutput = CliRun.of("generate", "--kernel-version", kernel.version(), "--output", colon.toString(),
                PATCHES.resolve("cmdline-string.patch").toString());
        assertThat(badOutput.status()).isEqualTo(1);
        assertThat(badOutput.err()).contains("cannot build a module in a directory whose path has a ':'");
        assertThat(colon).doesNotExist();
        CliRun badName = CliRun.of("generate", "--kernel-version", kernel.version(), "--name", "no spaces please",
                "--output", Guest.REPO.resolve("target/generate/bad-name").toString(),
                PATCHES.resolve("cmdline-string.patch").toString());
        assertThat(badName.status()).isEqualTo(1);
        assertThat(badName.err()).contains("is not an update name");
        assertThat(Guest.REPO.resolve("target/generate/bad-name")).doesNotExist();
    }
}
