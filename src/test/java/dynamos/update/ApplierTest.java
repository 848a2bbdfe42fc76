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
        String failing;

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
}
