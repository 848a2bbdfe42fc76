package dynamos.framework;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VersionTableTest {
    static final String TEXT = """
            dynamos 0.1.0 abi 1 updates 2 versions 3
            UPDATE ID VERSION ACTIVE STATE CALLS FUNCTION MODULE HANDLER HOOKS
            get_pid 1 1 no live 10 alloc_pid vmlinux - -
            get_pid 1 2 yes live 25 alloc_pid_v2 dynamos_example_get_pid pick pre_activation=pre,post_removal=done
            target 2 1 yes removing 0 dynamos_target_fn dynamos_target - -
            """;

    @Test
    void parsesRowsHooksHandlersAndActiveVersions() {
        VersionTable t = VersionTable.parse(TEXT);
        assertThat(t.frameworkVersion()).isEqualTo("0.1.0");
        assertThat(t.abi()).isEqualTo(1);
        assertThat(t.rows()).hasSize(3);
        assertThat(t.activeVersion("get_pid", 1)).contains(2);
        assertThat(t.handler("get_pid", 1)).contains("pick");
        assertThat(t.handler("target", 2)).isEmpty();
        VersionTable.Row v2 = t.row("get_pid", 1, 2).orElseThrow();
        assertThat(v2.calls()).isEqualTo(25);
        assertThat(v2.module()).isEqualTo("dynamos_example_get_pid");
        assertThat(v2.hooks()).containsEntry(HookKind.PRE_ACTIVATION, "pre").containsEntry(HookKind.POST_REMOVAL, "done");
        assertThat(t.row("target", 2, 1).orElseThrow().state()).isEqualTo("removing");
        assertThat(t.updates()).containsExactly("get_pid 1", "target 2");
    }

    @Test
    void abi2RowsCarryTheUpdateNamesPhaseAndMustUpdate() {
        VersionTable t = VersionTable.parse("""
                dynamos 0.1.0 abi 2 updates 1 versions 2
                UPDATE ID VERSION ACTIVE STATE CALLS FUNCTION MODULE HANDLER HOOKS PHASE MUST_UPDATE
                pipe 1 1 no live 7 pipe_write vmlinux adapt - 1 yes
                pipe 1 2 yes live 9 pipe_write_v2 dynamos_pipe adapt - 1 yes
                """);
        assertThat(t.abi()).isEqualTo(2);
        assertThat(t.rows()).allSatisfy(r -> {
            assertThat(r.phase()).isEqualTo(1);
            assertThat(r.mustUpdate()).isTrue();
        });
        assertThat(VersionTable.parse(TEXT).rows()).allSatisfy(r -> assertThat(r.mustUpdate()).isFalse());
    }

    @Test
    void anEmptyTableHasNoRows() {
        assertThat(VersionTable.parse("dynamos 0.1.0 abi 1 updates 0 versions 0\nUPDATE ID VERSION ACTIVE STATE CALLS FUNCTION MODULE HANDLER HOOKS\n").rows()).isEmpty();
    }

    @Test
    void refusesWhatIsNotATable() {
        assertThatThrownBy(() -> VersionTable.parse("hello")).hasMessageContaining("not a DynAMOS version table");
        assertThatThrownBy(() -> VersionTable.parse("dynamos 1 abi 1\nx 1 2\n")).hasMessageContaining("malformed");
    }
}
