package dynamos.framework;

import static org.assertj.core.api.Assertions.assertThat;

import dynamos.device.RecordBytes;
import dynamos.device.Records;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The version table built from LIST's records (bytes as the kernel writes them). */
class VersionTableTest {
    private static final List<String> NO_HOOKS = List.of("", "", "", "");

    /** get_pid 1 (versions 1 and 2, 2 active, with handler and hooks) and target 2 (version 1, removing). */
    static final byte[] RECORDS = new RecordBytes().framework("0.1.0", 3, 2, 3)
            .update("get_pid", 1, 2, 2, 0, false, "pick")
            .version(1, true, 10, "alloc_pid", "vmlinux", NO_HOOKS)
            .version(2, true, 25, "alloc_pid_v2", "dynamos_example_get_pid", List.of("pre", "", "", "done"))
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
                .hasSize(2);
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
}
