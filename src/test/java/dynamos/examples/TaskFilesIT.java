package dynamos.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dynamos.testing.FrameworkGuest;
import dynamos.vm.VmResult;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The datatype update (manual's checkpointing example, ported): a per-process count of opened files
 * kept as shadow data of task_struct, applied live, checked for new and old processes, for 10,000
 * forks and exits, and reverted with no shadow left.
 */
class TaskFilesIT {
    @Test
    void newProcessesCountTheirOpensOldOnesHaveNoShadowAndNoShadowOutlivesItsTask() {
        Path ko = ExamplesIT.build("task_files");
        VmResult r = FrameworkGuest.runScenario("task-files", Map.of("TASK_FILES", ko.toString()));
        Map<String, String> v = FrameworkGuest.values(r);
        int baseline = Integer.parseInt(v.get("baseline"));
        assertThat(v).containsEntry("own", "4").containsEntry("none_opened", "1")
                .containsEntry("old", "0").containsEntry("new_listed", "1")
                .containsEntry("proc_after_revert", "gone");
        assertThat(Integer.parseInt(v.get("after_forks"))).as("every forked task's shadow was freed").isEqualTo(baseline);
        assertThat(Integer.parseInt(v.get("with_new"))).isEqualTo(baseline + 1);
        // After revert the module's exit frees the shadows of tasks still alive: the one sleep, and
        // whatever the baseline held; none is left in the table.
        assertThat(r.output()).containsPattern("task_files: exit: freed \\d+ shadow\\(s\\) of tasks still alive; 0 task\\(s\\) went uncounted");
    }
}
