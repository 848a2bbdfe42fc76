package dynamos.examples;

import static dynamos.testing.Guest.q;
import static org.assertj.core.api.Assertions.assertThat;

import dynamos.testing.FrameworkGuest;
import dynamos.testing.Guest;
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
        VmResult r = Guest.run(FrameworkGuest.prelude() + "set -e\n"
                + "d start --module \"$FRAMEWORK\"\n"
                + "sleep 600 & OLD=$!\n"
                + "d apply " + q(ko) + "\n"
                + "shadows() { sed -n 's/^shadows //p' /proc/dynamos_task_files; }\n"
                + "val baseline \"$(shadows)\"\n"
                // A static busybox shell opens nothing by itself: three redirections, then the /proc file.
                + "busybox sh -c 'exec 3</etc/hostname; exec 4</etc/hostname; exec 5</etc/hostname;"
                + " while read pid comm n; do [ \"$pid\" = $$ ] && echo \"@@ own=$n\"; done < /proc/dynamos_task_files'\n"
                + "busybox sh -c 'while read pid comm n; do [ \"$pid\" = $$ ] && echo \"@@ none_opened=$n\"; done < /proc/dynamos_task_files'\n"
                + "val old \"$(grep -c \"^$OLD \" /proc/dynamos_task_files || true)\"\n"
                + "kill $OLD; wait $OLD || true\n"
                + "val old_alive_ok yes\n"
                + "i=0; while [ $i -lt 10000 ]; do (:); i=$((i+1)); done\n"
                + "val after_forks \"$(shadows)\"\n"
                + "sleep 300 & NEW=$!\n"
                + "val with_new \"$(shadows)\"\n"
                + "val new_listed \"$(grep -c \"^$NEW sleep \" /proc/dynamos_task_files || true)\"\n"
                + "d list\n"
                + "d revert task_files\n"
                + "val proc_after_revert \"$(test -e /proc/dynamos_task_files && echo present || echo gone)\"\n"
                + "kill $NEW; wait $NEW || true\n"
                + "d stop\n"
                + "dmesg | grep 'task_files:' | sed 's/^\\[[^]]*\\] //'\n");
        assertThat(r.exitCode()).as("guest exit status; output:%n%s", r.output()).isZero();
        Guest.assertCleanKernelLog(r);
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
