package dynamos.examples;

import static dynamos.testing.Guest.q;
import static org.assertj.core.api.Assertions.assertThat;

import dynamos.testing.FrameworkGuest;
import dynamos.testing.Guest;
import dynamos.update.UpdateBuilder;
import dynamos.vm.VmResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The manual's chapter 5 examples, ported, applied live to the stock kernel and reverted. */
class ExamplesIT {
    static Path build(String name) {
        return UpdateBuilder.compile(Guest.REPO.resolve("examples").resolve(name),
                Guest.REPO.resolve("target/kmod").resolve(Guest.kernel().version()).resolve("examples").resolve(name),
                Guest.kernel()).getFirst();
    }

    @Test
    void getPidLogsEveryPidAllocationAndScheduleCountsSchedulerCalls() {
        Path getPid = build("get_pid");
        Path schedule = build("schedule");
        VmResult r = Guest.run(FrameworkGuest.prelude() + "set -e\n"
                + "d start --module \"$FRAMEWORK\"\n"
                + "insmod " + q(getPid) + "\n"
                + "d run examples/get_pid/activate.dynamos\n"
                + "for i in 1 2 3 4 5; do /bin/true; done\n"
                + "sh -c 'echo $$ > /tmp/child.pid'; val child \"$(cat /tmp/child.pid)\"; val parent $$\n"
                + "d run examples/get_pid/deactivate.dynamos\n"
                + "val getpid_lines \"$(dmesg | grep -c 'alloc_pid_v2: called from pid')\"\n"
                + "/bin/true; val getpid_after \"$(dmesg | grep -c 'alloc_pid_v2: called from pid')\"\n"
                + "rmmod dynamos_example_get_pid\n"
                + "insmod " + q(schedule) + "\n"
                + "d run examples/schedule/activate.dynamos\n"
                + "i=0; while ! dmesg | grep -q 'schedule_v2 called for 5000 times' && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done\n"
                + "for i in 1 2 3; do ls / >/dev/null; sleep 0.1; done; val healthy yes\n"
                + "d run examples/schedule/deactivate.dynamos\n"
                + "rmmod dynamos_example_schedule\n"
                + "d stop\n"
                + "dmesg | grep -E 'alloc_pid_v2|schedule_v2' | sed 's/^\\[[^]]*\\] //'\n");
        assertThat(r.exitCode()).as("guest exit status; output:%n%s", r.output()).isZero();
        Guest.assertCleanKernelLog(r);
        Map<String, String> v = FrameworkGuest.values(r);
        // Figure 5-2's report, for the subshell the guest's shell forked while the update was active.
        assertThat(r.output()).containsPattern(
                "alloc_pid_v2: called from pid " + v.get("parent") + ", allocated pid " + v.get("child") + "\n");
        assertThat(Integer.parseInt(v.get("getpid_lines"))).isGreaterThanOrEqualTo(6);
        assertThat(v.get("getpid_after")).as("no reports after revert").isEqualTo(v.get("getpid_lines"));
        // Figure 5-3's report: every 5000 calls, with the running total and the current pid.
        Matcher m = Pattern.compile("schedule_v2 called for 5000 times \\((\\d+) times total\\), this time from (\\d+)")
                .matcher(r.output());
        assertThat(m.find()).as("a schedule_v2 report in%n%s", r.output()).isTrue();
        assertThat(Long.parseLong(m.group(1)) % 5000).isZero();
        assertThat(v).containsEntry("healthy", "yes");
        assertThat(r.output()).contains("deregistered schedule 0 (all versions; redirection removed)")
                .contains("framework stopped");
    }

    @Test
    void theDemoUpdatesTheKernelLiveAndRevertsIt() {
        // The README's main job, as a user runs it (it boots its own VM).
        var result = dynamos.host.Exec.capture(List.of(Guest.REPO.resolve("dynamos").toString(), "demo"), Guest.REPO,
                Map.of());
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("alloc_pid_v2: called from pid")
                .contains("schedule_v2 called for 5000 times")
                .contains("framework stopped")
                .contains("updated live, reverted, framework stopped");
    }
}
