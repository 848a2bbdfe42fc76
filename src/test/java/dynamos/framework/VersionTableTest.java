package dynamos.framework;

import static org.assertj.core.api.Assertions.assertThat;

import dynamos.device.RecordBytes;
import dynamos.device.Records;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The version table built from LIST's records (bytes as the kernel writes them). */
class VersionTableTest {
    private static final List<String> NO_HOOKS = List.of("", "", "", "", "", "");

    /** get_pid 1 (versions 1 and 2, 2 active, with handler and hooks) and target 2 (version 1, removing). */
    static final byte[] RECORDS = new RecordBytes().framework("0.1.0", 3, 2, 3)
            .update("get_pid", 1, 2, 2, 0, false, "pick")
            .version(1, true, 10, "alloc_pid", "vmlinux", NO_HOOKS)
            .version(2, true, 25, "alloc_pid_v2", "dynamos_example_get_pid", List.of("pre", "", "", "done", "coming", ""))
            .update("target", 2, 1, 1, 0, false, "")
            .version(1, false, 0, "dynamos_target_fn", "dynamos_target", NO_HOOKS)
            .bytes();

    private static VersionTable table(byte[] records) {
        return VersionTable.of(Records.listing(records));
    }

    @Test
    void buildsRowsHooksHandlersAndActiveVersions() {
        VersionTable t = table(RECORDS);
        assertThat(t.frameworkVersion()).isEqualTo("0.1.0");
        assertThat(t.abi()).isEqualTo(3);
        assertThat(t.rows()).hasSize(3);
        assertThat(t.activeVersion("get_pid", 1)).contains(2);
        assertThat(t.handler("get_pid", 1)).contains("pick");
        assertThat(t.handler("target", 2)).isEmpty();
        VersionTable.Row v2 = t.row("get_pid", 1, 2).orElseThrow();
        assertThat(v2.calls()).isEqualTo(25);
        assertThat(v2.module()).isEqualTo("dynamos_example_get_pid");
        assertThat(v2.hooks()).containsEntry(HookKind.PRE_ACTIVATION, "pre").containsEntry(HookKind.POST_REMOVAL, "done")
                .containsEntry(HookKind.TARGET_COMING, "coming").hasSize(3);
        assertThat(v2.hooks().keySet()).containsExactly(HookKind.PRE_ACTIVATION, HookKind.POST_REMOVAL, HookKind.TARGET_COMING);
        assertThat(t.row("get_pid", 1, 1).orElseThrow().hooks()).isEmpty();
        assertThat(t.row("target", 2, 1).orElseThrow().state()).isEqualTo("removing");
        assertThat(t.row("get_pid", 1, 1).orElseThrow().state()).isEqualTo("live");
        assertThat(t.updates()).containsExactly("get_pid 1", "target 2");
    }

    @Test
    void rowsCarryTheUpdateNamesPhaseAndMustUpdate() {
        VersionTable t = table(new RecordBytes().framework("0.1.0", 3, 1, 2)
                .update("pipe", 1, 2, 2, 1, true, "adapt")
                .version(1, true, 7, "pipe_write", "vmlinux", NO_HOOKS)
                .version(2, true, 9, "pipe_write_v2", "dynamos_pipe", NO_HOOKS)
                .bytes());
        assertThat(t.rows()).hasSize(2).allSatisfy(r -> {
            assertThat(r.phase()).isEqualTo(1);
            assertThat(r.mustUpdate()).isTrue();
            assertThat(r.handler()).isEqualTo("adapt");
        });
        assertThat(table(RECORDS).rows()).allSatisfy(r -> assertThat(r.mustUpdate()).isFalse());
    }

    @Test
    void anEmptyTableHasNoRows() {
        assertThat(table(new RecordBytes().framework("0.1.0", 3, 0, 0).bytes()).rows()).isEmpty();
    }

    /**
     * may_open: fix (bottom, v2 active), extra (v1, handler-less: passes calls down), top (v1); schedule:
     * extra 2 alone; mod:fn (module absent): waiting 1, v3 active.
     */
    static final byte[] STACKED = new RecordBytes().framework("0.2.0", 3, 5, 10)
            .update("fix", 1, 2, 2, 0, false, "").stacked(0, 3, false)
            .version(1, true, 0, "may_open", "vmlinux", NO_HOOKS)
            .version(2, true, 0, "may_open_v2", "fix_mod", NO_HOOKS)
            .update("extra", 1, 1, 2, 0, false, "").stacked(1, 3, false)
            .version(1, true, 0, "may_open", "vmlinux", NO_HOOKS)
            .version(2, true, 0, "may_open_v3", "extra_mod", NO_HOOKS)
            .update("extra", 2, 2, 2, 0, false, "").stacked(0, 1, false)
            .version(1, true, 0, "schedule", "vmlinux", NO_HOOKS)
            .version(2, true, 0, "schedule_v2", "extra_mod", NO_HOOKS)
            .update("waiting", 1, 3, 3, 0, false, "").stacked(0, 1, true)
            .version(1, true, 0, "fn", "target_mod", NO_HOOKS)
            .version(2, true, 0, "fn_v2", "waiting_mod", NO_HOOKS)
            .version(3, true, 0, "fn_v3", "waiting_mod", NO_HOOKS)
            .update("top", 9, 1, 1, 0, false, "").stacked(2, 3, false)
            .version(1, true, 0, "may_open", "vmlinux", NO_HOOKS)
            .bytes();

    @Test
    void groupsTheUpdatesOfEachFunctionIntoItsStackBottomFirst() {
        VersionTable t = table(STACKED);
        assertThat(t.stacks()).extracting(VersionTable.FunctionStack::qualifiedFunction)
                .containsExactly("may_open", "schedule", "target_mod:fn");
        VersionTable.FunctionStack mayOpen = t.stacks().getFirst();
        assertThat(mayOpen.layers()).extracting(Object::toString).containsExactly("fix 1", "extra 1", "top 9");
        assertThat(mayOpen.layers()).extracting(VersionTable.Layer::active).containsExactly(2, 1, 1);
        assertThat(mayOpen.top().update()).isEqualTo("top");
        // Both above fix pass calls down (version 1, no handler): fix decides, with may_open_v2.
        assertThat(mayOpen.deciding()).map(VersionTable.Layer::activeFunction).contains("may_open_v2");
        assertThat(mayOpen.deciding()).map(VersionTable.Layer::activeModule).contains("fix_mod");
        assertThat(mayOpen.above("fix")).extracting(Object::toString).containsExactly("extra 1", "top 9");
        assertThat(mayOpen.above("top")).isEmpty();
        assertThat(mayOpen.targetAbsent()).isFalse();
        VersionTable.FunctionStack fn = t.stacks().get(2);
        assertThat(fn.targetAbsent()).isTrue();
        assertThat(fn.module()).isEqualTo("target_mod");
        assertThat(fn.deciding()).map(VersionTable.Layer::activeFunction).contains("fn_v3");
        assertThat(t.stackOf("extra", 2)).map(VersionTable.FunctionStack::function).contains("schedule");
        assertThat(t.updateNames()).containsExactly("fix", "extra", "waiting", "top");
        assertThat(t.ids("extra")).containsExactly(1L, 2L);
    }

    @Test
    void aHandlerDecidesEvenWithTheOriginalActiveAndWithoutOneTheOriginalRuns() {
        VersionTable t = table(new RecordBytes().framework("0.2.0", 3, 2, 2)
                .update("low", 1, 1, 1, 0, false, "").stacked(0, 2, false)
                .version(1, true, 0, "f", "vmlinux", NO_HOOKS)
                .update("high", 1, 1, 1, 0, false, "pick").stacked(1, 2, false)
                .version(1, true, 0, "f", "vmlinux", NO_HOOKS)
                .bytes());
        assertThat(t.stacks().getFirst().deciding()).map(Object::toString).contains("high 1");
        VersionTable plain = table(new RecordBytes().framework("0.2.0", 3, 1, 1)
                .update("low", 1, 1, 1, 0, false, "")
                .version(1, true, 0, "f", "vmlinux", NO_HOOKS).bytes());
        assertThat(plain.stacks().getFirst().deciding()).isEmpty();
    }

    @Test
    void aFormatOneTableIsOneUpdatePerFunction() {
        VersionTable t = table(new RecordBytes().framework("0.1.0", 3, 1, 1, 2)
                .update("old", 1, 2, 2, 0, false, "").formatOne()
                .version(1, true, 0, "f", "vmlinux", NO_HOOKS).formatOne()
                .version(2, true, 0, "f_v2", "m", NO_HOOKS).formatOne()
                .bytes());
        assertThat(t.rows()).allSatisfy(r -> {
            assertThat(r.level()).isZero();
            assertThat(r.depth()).isEqualTo(1);
            assertThat(r.targetAbsent()).isFalse();
        });
        assertThat(t.stacks()).singleElement().satisfies(s -> assertThat(s.layers()).hasSize(1));
    }
}
