package dynamos.examples;

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
        VmResult r = FrameworkGuest.runScenario("examples-get-pid-and-schedule",
                Map.of("GET_PID", getPid.toString(), "SCHEDULE", schedule.toString()));
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
