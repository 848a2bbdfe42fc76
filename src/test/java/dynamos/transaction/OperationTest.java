package dynamos.transaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dynamos.framework.Framework;
import dynamos.framework.HookKind;
import dynamos.framework.VersionTable;
import dynamos.testing.FakeFramework;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each operation's message, and that its undo puts the version table back as it was. */
class OperationTest {
    private final FakeFramework fw = new FakeFramework();

    /** get_pid 1: the original and versions 2 and 3 (3 active, with hooks and a handler); sched 2: original and version 2. */
    @BeforeEach
    void applied() {
        fw.register("get_pid", 1, "alloc_pid");
        fw.register("get_pid", 1, "upd:alloc_pid_v2");
        fw.register("get_pid", 1, "upd:alloc_pid_v3");
        fw.setHook(HookKind.POST_REMOVAL, "get_pid", 1, 3, "upd:done");
        fw.setHook(HookKind.PRE_ACTIVATION, "get_pid", 1, 2, "upd:pre");
        fw.setHandler("get_pid", 1, "upd:pick");
        fw.activate("get_pid", 1, 3);
        fw.register("sched", 2, "schedule");
        fw.register("sched", 2, "upd:schedule_v2");
    }

    /**
     * Applies {@code op}, checks that it changed the table, undoes it and checks the table is back (a
     * whole update registered again comes last in the table, as in the kernel).
     */
    private Applied applyAndUndo(Operation op, String undoNote) {
        VersionTable before = fw.table();
        Applied a = op.apply(fw);
        assertThat(fw.table()).as("after " + op.describe()).isNotEqualTo(before);
        assertThat(a.undo().run(fw)).isEqualTo(undoNote);
        assertThat(fw.table().rows()).as("after undoing " + op.describe()).containsExactlyInAnyOrderElementsOf(before.rows());
        return a;
    }

    @Test
    void registerOfAnOriginalIsUndoneByRemovingTheWholeUpdate() {
        Applied a = applyAndUndo(new Operation.Register("pipe", 4, "pipe_read"), "deregistered pipe 4 (all versions)");
        assertThat(a.message()).isEqualTo("registered pipe_read as the original (version 1) of pipe 4; redirection installed");
        assertThat(a.result()).isEqualTo(1);
    }

    @Test
    void registerOfAVersionIsUndoneByRemovingThatVersion() {
        Applied a = applyAndUndo(new Operation.Register("sched", 2, "upd:schedule_v3"), "deregistered sched 2 version 3");
        assertThat(a.message()).isEqualTo("registered upd:schedule_v3 as version 3 of sched 2");
        assertThat(a.result()).isEqualTo(3);
    }

    @Test
    void deregisterOfAWholeUpdateRegistersItsVersionsHooksHandlerAgain() {
        fw.activate("get_pid", 1, 1);
        Applied a = applyAndUndo(new Operation.Deregister("get_pid", 1, 0, 2.5), "registered get_pid 1 (all versions) again");
        assertThat(a.message()).isEqualTo("deregistered get_pid 1 (all versions; redirection removed)");
    }

    @Test
    void deregisterOfTheNewestVersionBringsItBackUnderItsNumber() {
        fw.activate("get_pid", 1, 2);
        Applied a = applyAndUndo(new Operation.Deregister("get_pid", 1, 3, null), "registered get_pid 1 version 3 again");
        assertThat(a.message()).isEqualTo("deregistered get_pid 1 version 3");
    }

    @Test
    void deregisterOfAnOlderVersionSaysItCameBackUnderAnotherNumber() {
        VersionTable before = fw.table();
        Applied a = new Operation.Deregister("get_pid", 1, 2, null).apply(fw);
        assertThat(a.undo().run(fw)).isEqualTo("registered get_pid 1 version 2 again; note: upd:alloc_pid_v2 came back "
                + "as version 4, not 2");
        VersionTable.Row back = fw.table().row("get_pid", 1, 4).orElseThrow();
        assertThat(back.function()).isEqualTo("alloc_pid_v2");
        assertThat(back.hooks()).isEqualTo(before.row("get_pid", 1, 2).orElseThrow().hooks());
        assertThat(fw.table().activeVersion("get_pid", 1)).contains(3);
    }

    @Test
    void activateIsUndoneByActivatingThePreviousVersion() {
        Applied a = applyAndUndo(new Operation.Activate("get_pid", 1, 2), "activated get_pid 1 version 3 again");
        assertThat(a.message()).isEqualTo("activated get_pid 1 version 2");
    }

    @Test
    void setHookIsUndoneByClearingOrRestoringTheHook() {
        Applied set = applyAndUndo(new Operation.SetHook(HookKind.POST_ACTIVATION, "get_pid", 1, 2, "upd:post"),
                "cleared post-activation hook of get_pid 1 version 2");
        assertThat(set.message()).isEqualTo("set post-activation hook of get_pid 1 version 2 to upd:post");
        Applied replaced = applyAndUndo(new Operation.SetHook(HookKind.PRE_ACTIVATION, "get_pid", 1, 2, "upd:other"),
                "restored pre-activation hook of get_pid 1 version 2");
        assertThat(replaced.message()).isEqualTo("set pre-activation hook of get_pid 1 version 2 to upd:other");
        Applied cleared = applyAndUndo(new Operation.SetHook(HookKind.POST_REMOVAL, "get_pid", 1, 3, null),
                "restored post-removal hook of get_pid 1 version 3");
        assertThat(cleared.message()).isEqualTo("cleared post-removal hook of get_pid 1 version 3");
    }

    @Test
    void setRuleIsUndoneByRestoringOrClearingTheHandler() {
        Applied byName = applyAndUndo(new Operation.SetRule("get_pid", 1, "upd:pick2", null),
                "restored the adaptation handler of get_pid 1");
        assertThat(byName.message()).isEqualTo("set the adaptation handler of get_pid 1 to upd:pick2");
        Applied byAddress = applyAndUndo(new Operation.SetRule("sched", 2, null, 0xffffffffc0001000L),
                "cleared the adaptation handler of sched 2");
        assertThat(byAddress.message()).isEqualTo("set the adaptation handler of sched 2");
        Applied clear = applyAndUndo(new Operation.SetRule("get_pid", 1, null, null),
                "restored the adaptation handler of get_pid 1");
        assertThat(clear.message()).isEqualTo("cleared the adaptation handler of get_pid 1");
    }

    @Test
    void activateGroupIsUndoneByActivatingThePreviousVersionsAsAGroup() {
        Applied a = applyAndUndo(new Operation.ActivateGroup(List.of(new Framework.Member("get_pid", 1, 2),
                new Framework.Member("sched", 2, 2))),
                "activated the group's previous versions again: get_pid 1 version 3, sched 2 version 1");
        assertThat(a.message()).isEqualTo("activated as one group: get_pid 1 version 2, sched 2 version 2");
        assertThat(a.result()).as("failed post-activation hooks").isZero();
        assertThat(fw.calls().getLast()).isEqualTo("activate-group get_pid 1 3 sched 2 1");
    }

    @Test
    void setStateIsUndoneBySettingBackOnlyWhatItSet() {
        fw.state("sched", 3, null);
        Applied a = applyAndUndo(new Operation.SetState("sched", null, true),
                "state of sched restored: phase 3, must_update false");
        assertThat(a.message()).isEqualTo("state of sched: phase 3, must_update true");
        assertThat(fw.calls().getLast()).isEqualTo("state sched --must-update false");
    }

    @Test
    void callCannotBeUndoneAndItsUndoSaysSo() {
        VersionTable before = fw.table();
        Applied a = new Operation.Call("upd:init").apply(fw);
        assertThat(a.message()).isEqualTo("called upd:init: returned 0");
        assertThat(a.undo().run(fw)).isEqualTo("cannot undo 'call upd:init': the function has run");
        assertThat(fw.table()).isEqualTo(before);
    }

    @Test
    void aRefusedOperationThrowsAndChangesNothing() {
        VersionTable before = fw.table();
        assertThatThrownBy(() -> new Operation.Deregister("get_pid", 1, 3, null).apply(fw))
                .hasMessageContaining("version 3 of get_pid/1 is active");
        assertThatThrownBy(() -> new Operation.ActivateGroup(List.of(new Framework.Member("get_pid", 1, 2),
                new Framework.Member("sched", 2, 7))).apply(fw)).hasMessageContaining("no version 7");
        assertThat(fw.table()).isEqualTo(before);
    }
}
