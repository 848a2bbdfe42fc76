package dynamos.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dynamos.host.Exec;
import dynamos.kbuild.ModuleBuild;
import dynamos.testing.FrameworkGuest;
import dynamos.testing.Guest;
import dynamos.testing.ScenarioBatch;
import dynamos.update.UpdateBuilder;
import dynamos.vm.VmResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Updates on top of updates, end to end (issue 12), modelled on the behaviour of Linux's livepatch
 * samples and selftests: the leaking module with its shadow-data fixes stacked and replaced by a
 * cumulative update ({@code examples/shadow_leak}), two updates stacked on one function with the
 * revert-order rules and atomic replace (test-livepatch.sh), and updates of a module that loads and
 * unloads while they are applied, with the order of every hook (test-callbacks.sh). Every failure
 * case must leave {@code dynamos list --json} and the functions' behaviour exactly as before.
 */
class StackingIT {
    private static final Path UPDATES = Guest.REPO.resolve("src/test/updates");

    private static Path out(String... parts) {
        Path p = Guest.REPO.resolve("target/kmod").resolve(Guest.kernel().version()).resolve("stacking");
        for (String part : parts) {
            p = p.resolve(part);
        }
        return p;
    }

    /** A plain module (no declaration, no framework symbols), e.g. a target. */
    static Path module(Path source, String name) {
        return ModuleBuild.build(source, out(name), Guest.kernel()).getFirst();
    }

    /** An update module, using the exports listed in {@code symvers} (other modules' Module.symvers). */
    static Path update(Path source, String name, Path... symvers) {
        return UpdateBuilder.compile(source, out(name), Guest.kernel(), List.of(symvers)).getFirst();
    }

    static Path testUpdate(String name) {
        return update(UPDATES.resolve(name), name);
    }

    /**
     * The scenarios do not depend on one another: one boot runs them all, with the inputs of all three in its
     * environment (their variables differ).
     */
    private static final ScenarioBatch BOOT = new ScenarioBatch(StackingIT::inputs, o -> { }, "stacking-shadow-leak",
            "stacking-updates", "stacking-module-targets");

    /** The inputs of the three scenarios, built for the guest kernel. */
    static Map<String, String> inputs() {
        Map<String, String> env = new LinkedHashMap<>();
        env.putAll(shadowLeakInputs());
        env.putAll(updatesInputs());
        env.putAll(moduleTargetsInputs());
        return env;
    }

    /** The result of a scenario (of the one boot), its output also kept in target/kmod/RELEASE/stacking/NAME.out, for a failing assertion's context. */
    static VmResult run(String scenario) {
        VmResult r = BOOT.runClean(scenario);
        try {
            Files.writeString(out(scenario + ".out"), r.output());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return r;
    }

    /** The kernel-log part of a scenario's output (after its "--- kernel log ---" line), split by its "scenario: STEP" lines. */
    static Map<String, List<String>> logSteps(VmResult r) {
        String out = r.output();
        int at = out.lastIndexOf("--- kernel log ---\n");
        assertThat(at).as("the scenario printed its kernel log:%n%s", out).isNotNegative();
        Map<String, List<String>> steps = new LinkedHashMap<>();
        List<String> current = steps.computeIfAbsent("(start)", k -> new ArrayList<>());
        for (String line : out.substring(at).lines().skip(1).toList()) {
            if (line.startsWith("scenario: ")) {
                current = steps.computeIfAbsent(line.substring("scenario: ".length()).strip(), k -> new ArrayList<>());
            } else if (!line.isBlank()) {
                current.add(line.strip());
            }
        }
        return steps;
    }

    /**
     * The stack {@code dynamos list --json} shows for {@code function}: "UPDATE:ROLE" bottom to top, then
     * "runs UPDATE" (whose choice calls run).
     */
    static List<String> stack(String listJson, String function) {
        try {
            JsonNode root = new ObjectMapper().readTree(listJson);
            for (JsonNode f : root.path("functions")) {
                if (f.path("function").asText().equals(function)) {
                    List<String> out = new ArrayList<>();
                    f.path("stack").forEach(u -> out.add(u.path("update").asText() + ":" + u.path("role").asText()));
                    out.add("runs " + f.path("runs").path("update").asText());
                    return out;
                }
            }
            return List.of("no function " + function + " in " + listJson);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The README's way: dynamos build of the module, then of each fix with the module's exports (--symbols). */
    @Test
    void dynamosBuildBuildsTheShadowLeakExampleAsTheReadmeSays() {
        Path examples = Guest.REPO.resolve("examples/shadow_leak");
        String release = Guest.kernel().version();
        Exec.Result target = dynamos("build", "--kernel-version", release, examples.resolve("target").toString());
        assertThat(target.exitCode()).as(target.output()).isZero();
        Path symvers = examples.resolve("target/build").resolve(release).resolve("Module.symvers");
        assertThat(symvers).isRegularFile();
        for (String fix : List.of("fix1", "fix2", "cumulative")) {
            Exec.Result r = dynamos("build", "--kernel-version", release, "--symbols", symvers.toString(),
                    examples.resolve(fix).toString());
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(r.output()).contains("dynamos_leaky_" + fix + ".ko").doesNotContain("WARNING: modpost");
        }
    }

    static Exec.Result dynamos(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Guest.REPO.resolve("dynamos").toString()));
        cmd.addAll(List.of(args));
        return Exec.capture(cmd, Guest.REPO, Map.of());
    }

    static Map<String, String> shadowLeakInputs() {
        Path examples = Guest.REPO.resolve("examples/shadow_leak");
        Path leaky = module(examples.resolve("target"), "leaky");
        Path symvers = leaky.resolveSibling("Module.symvers");
        return Map.of(
                "LEAKY", leaky.toString(),
                "FIX1", update(examples.resolve("fix1"), "fix1", symvers).toString(),
                "FIX2", update(examples.resolve("fix2"), "fix2", symvers).toString(),
                "CUMULATIVE", update(examples.resolve("cumulative"), "cumulative", symvers).toString(),
                "SHADOW_REPLACE_FAIL", testUpdate("shadow_replace_fail").toString(),
                "SHADOWCOUNT", FrameworkGuest.buildFrameworkTestModule("shadowcount").toString());
    }

    @Test
    void shadowLeakFixesStackRevertInOrderAndAreReplacedByTheCumulativeUpdate() {
        VmResult r = run("stacking-shadow-leak");
        Map<String, String> v = FrameworkGuest.values(r);
        Map<String, List<String>> log = logSteps(r);

        // Without fixes every object leaks its buffer: 6 ticks, 6 leaks, 3 alive, 18 checks.
        assertThat(v).containsEntry("plain_leaks", "6").containsEntry("plain_alive", "3").containsEntry("plain_checks", "18");
        // fix1: objects allocated from now on free their buffer; the 6 older ones stay leaked.
        assertThat(v).containsEntry("fix1_leaks", "9").containsEntry("fix1_leak_shadows", "3")
                .containsEntry("fix1_leaks_later", "9");
        // fix2 on top: checks counted per object, also for the three objects in flight (13, 14, 15
        // had 3, 2 and 1 checks before fix2 and are freed after 1, 2 and 3 counted ones); buffers still freed.
        assertThat(log.get("fix2")).containsSubsequence(
                "shadow_fix2: object 13 freed after 1 counted check(s)",
                "shadow_fix2: object 14 freed after 2 counted check(s)",
                "shadow_fix2: object 15 freed after 3 counted check(s)",
                "shadow_fix2: object 16 freed after 4 counted check(s)");
        assertThat(log.get("fix2")).noneMatch(l -> l.startsWith("shadow_fix1: removed"));
        assertThat(v).containsEntry("fix2_leaks", "9").containsEntry("fix2_leak_shadows", "3")
                .containsEntry("fix2_count_shadows", "3");
        // The stack: leaky_free is fix1's (level 1 of 2) under fix2's (2 of 2); the others have one update.
        assertThat(stack(v.get("list_stacked"), "leaky_free"))
                .containsExactly("shadow_fix1:below", "shadow_fix2:decides", "runs shadow_fix2");
        assertThat(stack(v.get("list_stacked"), "leaky_alloc")).containsExactly("shadow_fix1:decides", "runs shadow_fix1");
        assertThat(stack(v.get("list_stacked"), "leaky_check")).containsExactly("shadow_fix2:decides", "runs shadow_fix2");
        assertThat(v.get("stacks")).contains("shadow_fix1/2/2=1/2,loaded;").contains("shadow_fix2/2/2=2/2,loaded;")
                .contains("shadow_fix1/1/2=1/1,loaded;").contains("shadow_fix2/1/2=1/1,loaded;");
        // fix1 cannot go while fix2 is stacked on it; nothing changes, fix2 still counts.
        assertThat(v.get("revert_fix1_err")).contains("shadow_fix2");
        assertThat(v).containsEntry("revert_fix1_table", "same");
        assertThat(log.get("revert-fix1-refused")).containsExactly("shadow_fix2: object 17 freed after 4 counted check(s)");
        // Reverting fix2 restores fix1: no more counting, buffers still freed, no count shadow left.
        assertThat(log.get("revert-fix2")).contains("shadow_fix2: removed: dropped the counts of 3 object(s) still alive")
                .noneMatch(l -> l.contains("freed after"));
        assertThat(v).containsEntry("count_shadows_after_fix2", "0").containsEntry("leak_shadows_after_fix2", "3")
                .containsEntry("leaks_after_fix2", "9");
        // Reverting fix1: the buffers of the objects alive are freed, no shadow of either id is left,
        // and new objects leak again.
        assertThat(log.get("revert-fix1")).contains("shadow_fix1: removed: freed the leak buffers of 3 object(s) still alive");
        assertThat(v).containsEntry("leak_shadows_after_fix1", "0").containsEntry("count_shadows_after_fix1", "0")
                .containsEntry("leaks_after_fix1", "6").containsEntry("leaks_original_again", "9")
                .containsEntry("fix_modules_after_reverts", "0");

        // A cumulative replace whose pre-activation hook fails changes nothing.
        assertThat(v.get("replace_fail_err")).contains("shadow_replace_fail");
        assertThat(v).containsEntry("replace_fail_table", "same").containsEntry("replace_fail_modules", "2");
        assertThat(log.get("cumulative")).containsSubsequence(
                "shadow_fix2: object 25 freed after 1 counted check(s)",
                "shadow_fix2: object 26 freed after 2 counted check(s)",
                "shadow_replace_fail: pre_activation refuses",
                "shadow_fix2: object 27 freed after 3 counted check(s)",
                "shadow_cumulative: active: leak buffers kept and freed, checks counted");
        // The cumulative update replaces both: only it is applied and their modules are gone.
        assertThat(v.get("list_replaced")).contains("shadow_cumulative").doesNotContain("shadow_fix1")
                .doesNotContain("shadow_fix2");
        for (String f : List.of("leaky_alloc", "leaky_check", "leaky_free")) {
            assertThat(stack(v.get("list_replaced"), f)).containsExactly("shadow_cumulative:decides", "runs shadow_cumulative");
        }
        assertThat(v.get("modules_replaced")).isEqualTo("dynamos_leaky_cumulative ");
        assertThat(v).containsEntry("before_replace_leaks", "12").containsEntry("cumulative_leaks", "12");
        assertThat(log.get("cumulative")).contains(
                "shadow_cumulative: removed: freed 3 leak buffer(s) and 3 count(s) of objects still alive");
        assertThat(v).containsEntry("leak_shadows_after_cumulative", "0").containsEntry("count_shadows_after_cumulative", "0")
                .containsEntry("final_leaks", "9");
        assertThat(log.get("cumulative")).contains("dynamos_leaky: unloaded after 33 ticks: 33 object(s), 33 leak buffer(s) "
                + "allocated, 24 released, 9 leaked");
        // ... and it takes over their shadows: the objects in flight keep their buffer and their count
        // (28, 29, 30 had 3, 2, 1 counted checks). Replacing is not reverting: the replaced fixes'
        // removal hooks do not run, so they do not free what their successor uses.
        assertThat(log.get("cumulative")).as("the replaced fixes' removal does not free the shadows the cumulative update took over")
                .noneMatch(l -> l.startsWith("shadow_fix1: removed") || l.startsWith("shadow_fix2: removed"));
        assertThat(v).containsEntry("leak_shadows_after_replace", "3").containsEntry("count_shadows_after_replace", "3");
        assertThat(log.get("cumulative")).containsSubsequence(
                "shadow_cumulative: object 28 freed after 4 counted check(s)",
                "shadow_cumulative: object 29 freed after 4 counted check(s)",
                "shadow_cumulative: object 30 freed after 4 counted check(s)");
    }

    static Map<String, String> updatesInputs() {
        return Map.of(
                "STACK_A", testUpdate("stack_a").toString(),
                "STACK_B", testUpdate("stack_b").toString(),
                "STACK_REPLACE", testUpdate("stack_replace").toString(),
                "STACK_REPLACE_B", testUpdate("stack_replace_b").toString(),
                "STACK_REPLACE_FAIL", testUpdate("stack_replace_fail").toString());
    }

    @Test
    void twoUpdatesStackOnOneFunctionRevertInOrderAndAreReplacedAtomically() {
        VmResult r = run("stacking-updates");
        Map<String, String> v = FrameworkGuest.values(r);
        Map<String, List<String>> log = logSteps(r);

        assertThat(v).containsEntry("original", "2").containsEntry("a", "102").containsEntry("a_sleepy", "110");
        // B on top of A: calls run B; A's other function stays A's; A's version counts no call meanwhile.
        assertThat(v).containsEntry("b", "202").containsEntry("b_sleepy", "110")
                .containsEntry("calls_a_before_b", "2").containsEntry("calls_b", "11").containsEntry("calls_a_under_b", "2");
        assertThat(v.get("stacks")).contains("stack_a/1/2=1/2,loaded;").contains("stack_b/1/2=2/2,loaded;")
                .contains("stack_a/2/2=1/1,loaded;");
        assertThat(stack(v.get("list_stacked"), "dynamos_target_fn"))
                .containsExactly("stack_a:below", "stack_b:decides", "runs stack_b");
        assertThat(stack(v.get("list_stacked"), "dynamos_target_sleepy")).containsExactly("stack_a:decides", "runs stack_a");
        // A cannot be reverted from under B: refused naming B, nothing changes.
        assertThat(v.get("revert_a_err")).contains("stack_b");
        assertThat(v).containsEntry("revert_a_table", "same").containsEntry("after_refused", "202");
        // Reverting B restores A exactly, with A's counter going on from where it was.
        assertThat(v).containsEntry("reverted_b", "102").containsEntry("calls_a_after_b", "3")
                .containsEntry("reverted_b_modules", "dynamos_test_stack_a ");
        // A replace by name takes B's place above A; reverting it leaves A.
        assertThat(v).containsEntry("b_again", "202").containsEntry("replaced_b", "402")
                .containsEntry("replaced_b_sleepy", "110")
                .containsEntry("replaced_b_modules", "dynamos_test_stack_a dynamos_test_stack_replace_b ")
                .containsEntry("reverted_replace_b", "102");
        assertThat(stack(v.get("list_replaced_b"), "dynamos_target_fn"))
                .containsExactly("stack_a:below", "stack_replace_b:decides", "runs stack_replace_b");
        // A replace that cannot remove a busy version of B puts everything back.
        assertThat(v).containsEntry("parked", "1").containsEntry("replace_busy_table", "same")
                .containsEntry("replace_busy_modules", "dynamos_test_stack_a dynamos_test_stack_b ")
                .containsEntry("after_busy", "202").containsEntry("after_busy_sleepy", "110")
                .containsEntry("parked_result", "977");
        assertThat(v.get("replace_busy_err")).containsIgnoringCase("busy").contains("stack_b_fn");
        // The replaced updates' removal hooks do not run (replacing is not reverting), not even when it fails.
        assertThat(log.get("replace-busy")).contains("stack_replace: pre_activation")
                .doesNotContain("stack_b: pre_removal", "stack_b: post_removal", "stack_replace: post_removal");
        // A replace whose pre-activation hook fails changes nothing.
        assertThat(v.get("replace_fail_err")).contains("stack_replace_fail");
        assertThat(v).containsEntry("replace_fail_table", "same")
                .containsEntry("replace_fail_modules", "dynamos_test_stack_a dynamos_test_stack_b ")
                .containsEntry("after_replace_fail", "202");
        assertThat(log.get("replace-hook-fails")).containsExactly("stack_replace_fail: pre_activation refuses");
        // The atomic replace of all: only it stays; the function it does not cover is the original again.
        assertThat(v).containsEntry("replaced", "302").containsEntry("replaced_sleepy", "10")
                .containsEntry("replaced_modules", "dynamos_test_stack_replace ");
        assertThat(stack(v.get("list_replaced"), "dynamos_target_fn")).containsExactly("stack_replace:decides", "runs stack_replace");
        assertThat(v.get("list_replaced")).doesNotContain("dynamos_target_sleepy").doesNotContain("\"stack_a\"")
                .doesNotContain("\"stack_b\"");
        assertThat(v).containsEntry("reverted_all", "2").containsEntry("reverted_all_rows", "0");

        // Hooks: an update's activation hooks when it is applied, its removal hooks when it is reverted;
        // the update below sees none of them.
        assertThat(log.get("apply-a")).containsExactly("stack_a: pre_activation", "stack_a: post_activation");
        assertThat(log.get("apply-b")).containsExactly("stack_b: pre_activation", "stack_b: post_activation");
        assertThat(log.get("revert-a-refused")).isEmpty();
        assertThat(log.get("revert-b")).containsExactly("stack_b: pre_removal", "stack_b: post_removal");
        assertThat(log.get("replace-all")).containsSubsequence("stack_replace: pre_activation", "stack_replace: post_activation",
                "stack_replace: pre_removal", "stack_replace: post_removal")
                .noneMatch(l -> l.startsWith("stack_a: ") || l.startsWith("stack_b: "));
        assertThat(log.get("replace-by-name")).containsExactly("stack_b: pre_activation", "stack_b: post_activation");
    }

    static Map<String, String> moduleTargetsInputs() {
        return Map.of(
                "CB_TARGET", module(Guest.REPO.resolve("src/test/kmod/cbtarget"), "cbtarget").toString(),
                "CB_UPDATE", testUpdate("cb_update").toString(),
                "CB_STACKED", testUpdate("cb_stacked").toString(),
                "CB_FAIL", testUpdate("cb_fail").toString());
    }

    @Test
    void updatesOfAModuleThatComesAndGoesRunTheirHooksInOrder() {
        VmResult r = run("stacking-module-targets");
        Map<String, String> v = FrameworkGuest.values(r);
        Map<String, List<String>> log = logSteps(r);
        String init = "dynamos_cb_target: init: dynamos_cb_target_fn(1) = ";
        String exit = "dynamos_cb_target: exit: dynamos_cb_target_fn(2) = ";

        // Applied while the module is absent: accepted, shown as absent, no coming hook yet.
        assertThat(v.get("absent_stacks")).contains("cb_update/1/2=1/1,absent;");
        assertThat(v.get("absent_list")).contains("cb_update").contains("dynamos_cb_target_fn");
        assertThat(log.get("apply-absent")).containsExactly("cb_update: pre_activation", "cb_update: post_activation");
        // The module loads: target_coming first, then its init, whose first call is already redirected.
        assertThat(log.get("load")).containsExactly("cb_update: target_coming", init + "1001");
        assertThat(v).containsEntry("init_result", "1001").containsEntry("loaded_fn", "1005");
        assertThat(v.get("loaded_stacks")).contains("cb_update/1/2=1/1,loaded;");
        // It unloads: its exit still runs the update, then target_going; the update shows absent.
        assertThat(log.get("unload")).containsExactly(exit + "1002", "cb_update: target_going");
        assertThat(v.get("unloaded_stacks")).contains("cb_update/1/2=1/1,absent;");
        assertThat(v.get("unloaded_list")).contains("cb_update");
        // Loaded again: redirected again.
        assertThat(log.get("load-again")).containsExactly("cb_update: target_coming", init + "1001");
        assertThat(v).containsEntry("again_init", "1001").containsEntry("again_fn", "1005");
        // A second update stacked on it; forced unload: going hooks newest first; load: coming oldest first.
        assertThat(log.get("apply-stacked")).containsExactly("cb_stacked: pre_activation", "cb_stacked: post_activation");
        assertThat(v).containsEntry("stacked_fn", "2005");
        assertThat(v.get("stacked_stacks")).contains("cb_update/1/2=1/2,loaded;").contains("cb_stacked/1/2=2/2,loaded;");
        // Loaded with pin=1 (it holds a reference on itself): only rmmod -f removes it.
        assertThat(v).containsEntry("in_use_loaded", "yes").containsEntry("forced_loaded", "no");
        assertThat(log.get("force-unload")).containsExactly(exit + "2002", "cb_stacked: target_going", "cb_update: target_going");
        assertThat(v.get("forced_stacks")).contains("cb_update/1/2=1/2,absent;").contains("cb_stacked/1/2=2/2,absent;");
        assertThat(log.get("load-stacked")).containsExactly("cb_update: target_coming", "cb_stacked: target_coming", init + "2001");
        assertThat(v).containsEntry("stacked_init", "2001");
        // Revert order: the lower one is refused naming the top one; the top one goes.
        assertThat(v.get("revert_below_err")).contains("cb_stacked");
        assertThat(log.get("revert-stacked")).containsExactly("cb_stacked: pre_removal", "cb_stacked: post_removal");
        assertThat(v).containsEntry("unstacked_fn", "1005");
        // A target_coming hook that fails refuses the module's load, and changes nothing else.
        assertThat(log.get("coming-refuses")).containsExactly(exit + "1002", "cb_update: target_going",
                "cb_update: target_coming refuses (-19)", "cb_update: target_coming", init + "1001");
        assertThat(v).containsEntry("refused_loaded", "no").containsEntry("refused_table", "same")
                .containsEntry("after_refused_init", "1001");
        assertThat(v.get("refused_insmod")).isNotBlank();
        // A pre-activation hook that fails: nothing changes, its module is gone.
        assertThat(log.get("pre-activation-fails")).containsExactly("cb_fail: pre_activation refuses");
        assertThat(v.get("fail_err")).contains("cb_fail");
        assertThat(v).containsEntry("fail_table", "same").containsEntry("fail_fn", "1005").containsEntry("fail_module", "0");
        // Reverted while loaded: the original again.
        assertThat(log.get("revert")).containsExactly("cb_update: pre_removal", "cb_update: post_removal");
        assertThat(v).containsEntry("reverted_fn", "5");
        // Reverted while the module is absent: it loads unredirected.
        assertThat(log.get("revert-absent")).containsExactly("cb_update: pre_activation", "cb_update: post_activation",
                exit + "1002", "cb_update: target_going", "cb_update: pre_removal", "cb_update: post_removal", init + "1", exit + "2");
        assertThat(v).containsEntry("revert_absent_init", "1").containsEntry("revert_absent_rows", "0");
    }
}
