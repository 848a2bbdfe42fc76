package dynamos.update;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dynamos.framework.HookKind;
import dynamos.framework.VersionTable;
import dynamos.testing.FakeFramework;
import dynamos.transaction.Operation;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Apply and revert as transactions, against a fake framework and a fake module loader. */
class ApplierTest {
    private static final String MODULE = "dynamos_upd";
    private static final Path KO = Path.of("/nonexistent/dynamos_upd.ko");

    /** Records what is loaded; {@link #failing} names a module whose load or unload fails. */
    private static final class FakeLoader implements ModuleLoader {
        final Set<String> loaded = new LinkedHashSet<>();
        final Map<String, List<String>> holders = new java.util.HashMap<>();
        String failing;

        @Override
        public List<String> holders(String moduleName) {
            return holders.getOrDefault(moduleName, List.of());
        }

        @Override
        public void load(Path ko, String moduleName) {
            if (moduleName.equals(failing)) {
                throw new UpdateException("the kernel refused to load " + moduleName + ": Invalid module format");
            }
            loaded.add(moduleName);
        }

        @Override
        public void unload(String moduleName) {
            if (moduleName.equals(failing) || !loaded.remove(moduleName)) {
                throw new UpdateException("cannot unload " + moduleName + ": in use");
            }
        }
    }

    private final FakeFramework fw = new FakeFramework();
    private final FakeLoader loader = new FakeLoader();
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final Applier applier = new Applier(new PrintStream(printed, true, StandardCharsets.UTF_8), () -> fw, loader);

    /** Replaces alloc_pid (with a handler and a hook) and schedule, and has an init function. */
    private static UpdateModule update(int allocPidVersion) {
        UpdateDeclaration d = new UpdateDeclaration("upd",
                List.of(new UpdateDeclaration.Replacement(1, allocPidVersion, "alloc_pid", "alloc_pid_v2"),
                        new UpdateDeclaration.Replacement(2, 2, "schedule", "schedule_v2")),
                Map.of(), Map.of(1L, "pick"), List.of(new UpdateDeclaration.Hook(HookKind.POST_REMOVAL, 1, 2, "done")),
                List.of("init"), Map.of());
        return new UpdateModule(KO, null, MODULE, d);
    }

    @Test
    void theOriginalOfANamesakeIsRegisteredWithItsPosition() {
        UpdateDeclaration d = new UpdateDeclaration("elf", List.of(
                new UpdateDeclaration.Replacement(1, 2, "load_elf_binary", "load_elf_binary_v2")),
                Map.of(), Map.of(), List.of(), List.of(), Map.of("load_elf_binary", 2));
        UpdateModule u = new UpdateModule(KO, null, MODULE, d);
        assertThat(Applier.operations(u, List.of(), Map.of(1L, 2)).stream().map(Operation::describe))
                .startsWith("register elf 1 load_elf_binary@2", "register elf 1 dynamos_upd:load_elf_binary_v2");
        applier.install(u, KO, 0, Map.of(1L, 2));
        assertThat(fw.calls()).contains("register elf 1 load_elf_binary@2");
        assertThat(fw.table().activeVersion("elf", 1)).contains(2);
        assertThat(Applier.operations(u).getFirst().describe()).as("without positions: by name")
                .isEqualTo("register elf 1 load_elf_binary");
    }

    private String output() {
        return printed.toString(StandardCharsets.UTF_8);
    }

    @Test
    void applyLoadsThenPerformsEveryOperationInOrder() {
        List<String> steps = applier.install(update(2), KO);
        assertThat(steps).containsExactly("load dynamos_upd", "call dynamos_upd:init", "register upd 1 alloc_pid",
                "register upd 1 dynamos_upd:alloc_pid_v2", "rule upd 1 dynamos_upd:pick", "register upd 2 schedule",
                "register upd 2 dynamos_upd:schedule_v2", "hook post-removal upd 1 2 dynamos_upd:done",
                "activate-group upd 1 2 upd 2 2");
        assertThat(loader.loaded).containsExactly(MODULE);
        VersionTable t = fw.table();
        assertThat(t.activeVersion("upd", 1)).contains(2);
        assertThat(t.activeVersion("upd", 2)).contains(2);
        assertThat(t.handler("upd", 1)).contains("dynamos_upd:pick");
        assertThat(output()).startsWith("loaded dynamos_upd\ncalled dynamos_upd:init: returned 0\n")
                .endsWith("activated as one group: upd 1 version 2, upd 2 version 2\n");
        assertThat(fw.closes()).isEqualTo(1);
    }

    @Test
    void applyFailingAtAnyStepUndoesEveryEarlierStepIncludingTheLoad() {
        List<String> steps = new ArrayList<>();
        steps.add("load " + MODULE);
        Applier.operations(update(2)).forEach(op -> steps.add(op.describe()));
        for (String failing : steps) {
            FakeFramework fake = new FakeFramework();
            FakeLoader modules = new FakeLoader();
            if (failing.startsWith("load ")) {
                modules.failing = MODULE;
            } else {
                fake.failOn(failing, "refused by the test");
            }
            Applier a = new Applier(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                    () -> fake, modules);
            assertThatThrownBy(() -> a.install(update(2), KO)).as(failing)
                    .isInstanceOf(UpdateException.class)
                    .hasMessageStartingWith("applying upd failed at step '" + failing + "': ")
                    .hasMessageEndingWith(failing.startsWith("load ") ? "; nothing had been changed"
                            : "\n    everything done before was undone; the kernel is as it was");
            assertThat(fake.table().rows()).as(failing).isEmpty();
            assertThat(modules.loaded).as(failing).isEmpty();
            assertThat(fake.closes()).as(failing).isEqualTo(1);
        }
    }

    @Test
    void applyNamesTheUndoStepsItCouldNotTakeBack() {
        fw.failOn("activate-group", "pre-activation hook failed").failOn("rule upd 1 --clear", "handler busy");
        assertThatThrownBy(() -> applier.install(update(2), KO))
                .hasMessage("applying upd failed at step 'activate-group upd 1 2 upd 2 2': pre-activation hook failed\n"
                        + "    could not undo everything:\n"
                        + "      rule upd 1 dynamos_upd:pick: handler busy");
        assertThat(output()).contains("undoing 8 step(s), newest first:\n  cleared post-removal hook of upd 1 version 2\n")
                .contains("  could not undo rule upd 1 dynamos_upd:pick: handler busy\n")
                .endsWith("  unloaded dynamos_upd\n");
        assertThat(loader.loaded).isEmpty();
    }

    /** As examples/kswapd: a post-activation hook that moves kernel threads and times out. */
    private static UpdateModule updateWithPostActivationHook(boolean twoFunctions) {
        List<UpdateDeclaration.Replacement> r = new ArrayList<>(List.of(new UpdateDeclaration.Replacement(1, 2, "kswapd", "kswapd_v2")));
        if (twoFunctions) {
            r.add(new UpdateDeclaration.Replacement(2, 2, "kthread_should_stop", "safe_point"));
        }
        UpdateDeclaration d = new UpdateDeclaration("upd", r, Map.of(), Map.of(),
                List.of(new UpdateDeclaration.Hook(HookKind.POST_ACTIVATION, 1, 2, "move")), List.of(), Map.of());
        return new UpdateModule(KO, null, MODULE, d);
    }

    @Test
    void aFailingPostActivationHookFailsTheApplyAndEverythingIsUndone() {
        for (boolean group : List.of(false, true)) {
            FakeFramework fake = new FakeFramework().postActivationReturns(MODULE + ":move", -110);
            FakeLoader modules = new FakeLoader();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Applier a = new Applier(new PrintStream(out, true, StandardCharsets.UTF_8), () -> fake, modules);
            assertThatThrownBy(() -> a.install(updateWithPostActivationHook(group), KO)).as("group " + group)
                    .isInstanceOf(UpdateException.class)
                    .hasMessageContaining(group ? "1 post-activation hook(s) failed" : "post-activation hook returned -110")
                    .hasMessageEndingWith("everything done before was undone; the kernel is as it was");
            assertThat(fake.table().rows()).as("group " + group).isEmpty();
            assertThat(modules.loaded).as("group " + group).isEmpty();
        }
    }

    @Test
    void aVersionThatGetsAnotherNumberThanDeclaredFailsTheApply() {
        assertThatThrownBy(() -> applier.install(update(3), KO))
                .hasMessageStartingWith("applying upd failed at step 'register upd 1 dynamos_upd:alloc_pid_v2': "
                        + "dynamos_upd:alloc_pid_v2 became version 2, not 3");
        assertThat(fw.table().rows()).isEmpty();
    }

    @Test
    void revertRemovesTheUpdateAndUnloadsItsModule() {
        applier.install(update(2), KO);
        printed.reset();
        assertThat(applier.revert(fw, "upd", 2000)).containsExactly("unload " + MODULE);
        assertThat(fw.table().rows()).isEmpty();
        assertThat(loader.loaded).isEmpty();
        assertThat(output()).isEqualTo("""
                activated as one group: upd 1 version 1, upd 2 version 1
                deregistered upd 1 (all versions; redirection removed)
                deregistered upd 2 (all versions; redirection removed)
                """);
        assertThat(fw.calls()).contains("deregister upd 1 0");
    }

    @Test
    void revertOfAnUnknownUpdateChangesNothing() {
        assertThatThrownBy(() -> applier.revert(fw, "nothing", 0))
                .hasMessage("no update nothing is applied; 'dynamos list' shows the applied updates");
    }

    @Test
    void revertThatFindsAVersionBusyPutsTheUpdateBack() {
        applier.install(update(2), KO);
        VersionTable applied = fw.table();
        fw.failOn("deregister upd 2 0", "version 2 of upd/2 is in use by pid 7 (cat)");
        assertThatThrownBy(() -> applier.revert(fw, "upd", 1000))
                .hasMessage("reverting upd failed at step '" + new Operation.Deregister("upd", 2, 0, 1.0).describe()
                        + "': version 2 of upd/2 is in use by pid 7 (cat)\n"
                        + "    the update stays applied as it was; try again later");
        assertThat(fw.table().rows()).containsExactlyInAnyOrderElementsOf(applied.rows());
        assertThat(loader.loaded).containsExactly(MODULE);
    }

    @Test
    void revertLeavesAModuleLoadedWhileAnotherUpdateUsesIt() {
        applier.install(update(2), KO);
        fw.register("other", 1, "schedule_tick");
        fw.register("other", 1, MODULE + ":tick_v2");
        printed.reset();
        assertThat(applier.revert(fw, "upd", 1000)).isEmpty();
        assertThat(output()).endsWith("left dynamos_upd loaded: other updates use it\n");
        assertThat(loader.loaded).containsExactly(MODULE);
    }

    // ---- stacking, cumulative updates (DYNAMOS_REPLACES) and revert's refusals ----

    /** Update {@code name} in module {@code name_mod}: version 2 of each of {@code originals} (ids 1, 2, ...). */
    private static UpdateModule updateOf(String name, List<String> replaces, boolean all, String handlerOfId1,
            String... originals) {
        List<UpdateDeclaration.Replacement> r = new ArrayList<>();
        for (int i = 0; i < originals.length; i++) {
            r.add(new UpdateDeclaration.Replacement(i + 1, 2, originals[i], originals[i].replace(':', '_') + "_" + name));
        }
        UpdateDeclaration d = new UpdateDeclaration(name, r, Map.of(),
                handlerOfId1 == null ? Map.of() : Map.of(1L, handlerOfId1), List.of(), List.of(), Map.of(), replaces, all);
        return new UpdateModule(Path.of("/nonexistent/" + name + "_mod.ko"), null, name + "_mod", d);
    }

    private static UpdateModule plain(String name, String... originals) {
        return updateOf(name, List.of(), false, null, originals);
    }

    /** fix1 (alloc_pid with a handler, schedule) applied. */
    private void fix1Applied() {
        applier.install(updateOf("fix1", List.of(), false, "pick", "alloc_pid", "schedule"), KO);
        printed.reset();
    }

    @Test
    void anUpdateOnAFunctionAnotherUpdateHasIsStackedOnTop() {
        fix1Applied();
        applier.install(plain("extra", "alloc_pid"), KO);
        VersionTable t = fw.table();
        VersionTable.FunctionStack allocPid = t.stackOf("extra", 1).orElseThrow();
        assertThat(allocPid.layers()).extracting(Object::toString).containsExactly("fix1 1", "extra 1");
        assertThat(allocPid.deciding()).map(Object::toString).contains("extra 1");
        assertThat(t.activeVersion("fix1", 1)).contains(2);
        assertThat(loader.loaded).containsExactly("fix1_mod", "extra_mod");
        assertThat(output()).contains("registered alloc_pid as the original (version 1) of extra 1; stacked on 1 other "
                + "update(s) of alloc_pid (layer 2/2)\n");
    }

    @Test
    void aCumulativeUpdateReplacesInOneGroupActivationThenRemovesTheReplacedOnes() {
        fix1Applied();
        Applier.Installed done = applier.install(updateOf("fix2", List.of("fix1"), false, null, "alloc_pid"), KO, 3000);
        assertThat(done.replaced()).containsExactly("fix1");
        assertThat(done.unloaded()).containsExactly("fix1_mod");
        assertThat(done.steps()).containsExactly("load fix2_mod", "register fix2 1 alloc_pid",
                "register fix2 1 fix2_mod:alloc_pid_fix2", "activate-group fix2 1 2 fix1 1 1 fix1 2 1",
                "rule fix1 1 --clear", "deregister fix1 2 0 --timeout 3.0", "deregister fix1 1 0 --timeout 3.0",
                "unload fix1_mod");
        // The switch is one kernel call: no call sees fix2 active while fix1 still runs, or the reverse.
        assertThat(fw.calls().subList(fw.calls().indexOf("register fix2 1 fix2_mod:alloc_pid_fix2") + 1, fw.calls().size()))
                .containsExactly("activate-group fix2 1 2 fix1 1 1 fix1 2 1", "rule fix1 1 --clear",
                        "deregister fix1 2 0", "deregister fix1 1 0");
        VersionTable t = fw.table();
        assertThat(t.updateNames()).containsExactly("fix2");
        assertThat(t.stacks()).singleElement().satisfies(s -> assertThat(s.deciding()).map(Object::toString).contains("fix2 1"));
        assertThat(loader.loaded).containsExactly("fix2_mod");
        assertThat(output()).contains("activated as one group: fix2 1 version 2, fix1 1 version 1, fix1 2 version 1\n")
                .contains("unloaded fix1_mod (replaced)\n").endsWith("replaced fix1 with fix2\n");
    }

    @Test
    void aCumulativeUpdateFailingAtAnyStepLeavesTheReplacedUpdateAsItWas() {
        UpdateModule fix2 = updateOf("fix2", List.of("fix1"), false, null, "alloc_pid");
        List<String> failing = List.of("load", "register fix2 1 alloc_pid", "register fix2 1 fix2_mod:",
                "activate-group", "rule fix1 1 --clear", "deregister fix1 2 0", "deregister fix1 1 0");
        for (String step : failing) {
            FakeFramework fake = new FakeFramework();
            FakeLoader modules = new FakeLoader();
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            Applier a = new Applier(new PrintStream(log, true, StandardCharsets.UTF_8), () -> fake, modules);
            a.install(updateOf("fix1", List.of(), false, "pick", "alloc_pid", "schedule"), KO);
            fake.activate("fix1", 2, 1); // one function back to the original by hand: restored as such
            VersionTable before = fake.table();
            if (step.equals("load")) {
                modules.failing = "fix2_mod";
            } else {
                fake.failOn(step, "refused by the test");
            }
            assertThatThrownBy(() -> a.install(fix2, KO, 0)).as(step).isInstanceOf(UpdateException.class)
                    .hasMessageContaining("applying fix2 failed at step '" + (step.equals("load") ? "load fix2_mod" : step))
                    .hasMessageEndingWith(step.equals("load") ? "; nothing had been changed"
                            : "\n    everything done before was undone; the kernel is as it was");
            assertThat(fake.table().rows()).as(step).containsExactlyElementsOf(before.rows());
            assertThat(fake.table().handler("fix1", 1)).as(step).contains("fix1_mod:pick");
            assertThat(modules.loaded).as(step).containsExactly("fix1_mod");
        }
    }

    @Test
    void theReplacedUpdatesRemovalHooksDoNotRunAndComeBackIfTheReplaceFails() {
        fix1Applied();
        fw.setHook(HookKind.POST_REMOVAL, "fix1", 1, 2, "fix1_mod:free_shadows");
        fw.setHook(HookKind.PRE_REMOVAL, "fix1", 2, 2, "fix1_mod:drain");
        VersionTable before = fw.table();
        fw.failOn("deregister fix1 1 0", "refused by the test");
        assertThatThrownBy(() -> applier.install(updateOf("fix2", List.of("fix1"), false, null, "alloc_pid"), KO, 0))
                .isInstanceOf(UpdateException.class);
        assertThat(fw.table().rows()).containsExactlyElementsOf(before.rows());

        FakeFramework fresh = new FakeFramework();
        Applier a = new Applier(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), () -> fresh, new FakeLoader());
        a.install(updateOf("fix1", List.of(), false, null, "alloc_pid", "schedule"), KO);
        fresh.setHook(HookKind.POST_REMOVAL, "fix1", 1, 2, "fix1_mod:free_shadows");
        a.install(updateOf("fix2", List.of("fix1"), false, null, "alloc_pid"), KO, 0);
        List<String> calls = fresh.calls();
        int cleared = calls.indexOf("hook post-removal fix1 1 2 --clear");
        assertThat(cleared).as("the hook is cleared before fix1 goes").isPositive()
                .isLessThan(calls.indexOf("deregister fix1 1 0"));
        assertThat(calls.indexOf("activate-group fix2 1 2 fix1 1 1 fix1 2 1")).isLessThan(cleared);
    }

    @Test
    void replacingAnUpdateThatIsNotAppliedChangesNothing() {
        fix1Applied();
        List<String> callsBefore = fw.calls();
        assertThatThrownBy(() -> applier.install(updateOf("fix2", List.of("fix1", "fix0"), false, null, "alloc_pid"), KO, 0))
                .hasMessage("fix2 replaces fix0, which is not applied ('dynamos list' shows the applied updates): "
                        + "apply it first, or drop DYNAMOS_REPLACES(\"fix0\") from the update and build it again");
        assertThat(fw.calls()).isEqualTo(callsBefore);
        assertThat(loader.loaded).containsExactly("fix1_mod");
    }

    @Test
    void replacesAllTakesEveryAppliedUpdateAndLeavesUncoveredFunctionsToTheOriginal() {
        fix1Applied();
        applier.install(plain("other", "vfs_read"), KO);
        fw.register("by_hand", 1, "vfs_write"); // registered by a control script, no module of its own
        Applier.Installed done = applier.install(updateOf("all", List.of(), true, null, "schedule"), KO, 0);
        assertThat(done.replaced()).containsExactly("fix1", "other", "by_hand");
        assertThat(done.unloaded()).containsExactly("fix1_mod", "other_mod");
        assertThat(fw.table().updateNames()).containsExactly("all");
        assertThat(done.steps()).contains("activate-group all 1 2 fix1 1 1 fix1 2 1 other 1 1 by_hand 1 1");
        // A cumulative update can be replaced in turn.
        assertThat(applier.install(updateOf("again", List.of("all"), false, null, "schedule"), KO, 0).replaced())
                .containsExactly("all");
        assertThat(fw.table().updateNames()).containsExactly("again");
    }

    @Test
    void replacedUpdatesAreTakenInTheirRegistrationOrderWhateverTheDeclarationsOrder() {
        fix1Applied();
        applier.install(plain("other", "vfs_read"), KO);
        Applier.Installed done = applier.install(updateOf("both", List.of("other", "fix1"), false, null, "vfs_read"), KO, 0);
        assertThat(done.replaced()).containsExactly("fix1", "other");
        assertThat(done.steps()).contains("activate-group both 1 2 fix1 1 1 fix1 2 1 other 1 1",
                "deregister other 1 0 --timeout 0.0");
    }

    @Test
    void aGroupOfMoreThanMaxGroupFunctionsIsRefusedBeforeAnythingChanges() {
        int max = dynamos.device.Limits.MAX_GROUP;
        for (int i = 0; i < max; i++) {
            fw.register("many", i, "fn" + i);
        }
        List<String> callsBefore = fw.calls();
        assertThatThrownBy(() -> applier.install(updateOf("big", List.of("many"), false, null, "alloc_pid"), KO, 0))
                .hasMessageContaining("takes one group activation of " + (max + 1) + " functions (1 of big, " + max
                        + " of the replaced updates)")
                .hasMessageContaining("more than the " + max);
        assertThat(fw.calls()).isEqualTo(callsBefore);
        assertThat(loader.loaded).isEmpty();
    }

    @Test
    void aReplacedModuleThatAnotherModuleUsesIsRefused() {
        fix1Applied();
        loader.holders.put("fix1_mod", List.of("user_mod"));
        assertThatThrownBy(() -> applier.install(updateOf("fix2", List.of("fix1"), false, null, "alloc_pid"), KO, 0))
                .hasMessage("cannot apply fix2, nothing was changed:\n    module fix1_mod (of fix1) is used by [user_mod] "
                        + "(built against its exports): replace those too (DYNAMOS_REPLACES), or revert them first");
        assertThat(loader.loaded).containsExactly("fix1_mod");
    }

    @Test
    void replacingAnUpdateThatAnotherOneIsStackedAboveIsRefused() {
        fix1Applied();
        applier.install(plain("extra", "schedule"), KO);
        List<String> callsBefore = fw.calls();
        assertThatThrownBy(() -> applier.install(updateOf("fix2", List.of("fix1"), false, null, "alloc_pid"), KO, 0))
                .hasMessage("cannot apply fix2, nothing was changed:\n    update extra is stacked above fix1 on schedule: "
                        + "replace it too (DYNAMOS_REPLACES(\"extra\")), or revert it first");
        assertThat(fw.calls()).isEqualTo(callsBefore);
        assertThat(applier.install(updateOf("fix2", List.of("fix1", "extra"), false, null, "alloc_pid"), KO, 0).replaced())
                .containsExactly("fix1", "extra");
    }

    @Test
    void aReplacedModuleThatCannotBeUnloadedIsLeftWithANote() {
        fix1Applied();
        loader.failing = "fix1_mod";
        Applier.Installed done = applier.install(updateOf("fix2", List.of("fix1"), false, null, "alloc_pid"), KO, 0);
        assertThat(done.unloaded()).isEmpty();
        assertThat(fw.table().updateNames()).containsExactly("fix2");
        assertThat(output()).contains("left fix1_mod loaded: cannot unload fix1_mod: in use; its versions are removed, "
                + "unload it later with: rmmod fix1_mod\n");
    }

    @Test
    void revertIsRefusedWhileAnotherUpdateIsStackedAboveIt() {
        fix1Applied();
        applier.install(plain("extra", "schedule"), KO);
        List<String> callsBefore = fw.calls();
        assertThatThrownBy(() -> applier.revert(fw, "fix1", 0))
                .hasMessage("cannot revert fix1, nothing was changed:\n    update extra is stacked above fix1 on schedule: "
                        + "revert extra first, or apply a cumulative update that replaces both "
                        + "(DYNAMOS_REPLACES(\"fix1\") and DYNAMOS_REPLACES(\"extra\"))");
        assertThat(fw.calls()).isEqualTo(callsBefore);
        applier.revert(fw, "extra", 0);
        applier.revert(fw, "fix1", 0);
        assertThat(fw.table().rows()).isEmpty();
        assertThat(loader.loaded).isEmpty();
    }

    @Test
    void revertIsRefusedWhileAnotherModuleUsesTheUpdatesModule() {
        fix1Applied();
        applier.install(plain("user", "vfs_read"), KO);
        loader.holders.put("fix1_mod", List.of("user_mod"));
        assertThatThrownBy(() -> applier.revert(fw, "fix1", 0))
                .hasMessage("cannot revert fix1, nothing was changed:\n    module fix1_mod of fix1 is used by loaded "
                        + "module(s) user_mod (update(s) user, built against its exports): revert user first, or apply "
                        + "a cumulative update that replaces both");
        loader.holders.put("fix1_mod", List.of("some_driver"));
        assertThatThrownBy(() -> applier.revert(fw, "fix1", 0)).hasMessageContaining(
                "used by loaded module(s) some_driver (built against its exports): unload some_driver first");
        assertThat(fw.table().activeVersion("fix1", 1)).contains(2);
    }

    @Test
    void anUpdateOfAFunctionInAModuleThatIsNotLoadedIsRegisteredAndWaits() {
        fw.moduleAbsent("target_mod");
        applier.install(plain("waiter", "target_mod:fn"), KO);
        assertThat(output()).contains("registered target_mod:fn as the original (version 1) of waiter 1; module target_mod "
                + "is not loaded: the redirection waits for it\n");
        VersionTable t = fw.table();
        assertThat(t.activeVersion("waiter", 1)).contains(2);
        assertThat(t.stackOf("waiter", 1)).hasValueSatisfying(s -> {
            assertThat(s.targetAbsent()).isTrue();
            assertThat(s.module()).isEqualTo("target_mod");
        });
    }
}
