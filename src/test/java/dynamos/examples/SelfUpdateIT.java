package dynamos.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dynamos.testing.FrameworkGuest;
import dynamos.testing.Guest;
import dynamos.update.UpdateBuilder;
import dynamos.vm.VmResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * examples/self_update: a function of the framework itself (dynamos:dyn_status_show) updated live,
 * with another update (get_pid) applied before and still working after the revert; functions on the
 * framework's redirection and removal paths refused.
 */
class SelfUpdateIT {
    @Test
    void theFrameworksStatusTextIsUpdatedLiveAndRevertedWhileAnotherUpdateStaysApplied() {
        Path getPid = ExamplesIT.build("get_pid");
        Path kernelDir = Guest.REPO.resolve("target/kmod").resolve(Guest.kernel().version()).resolve("examples");
        UpdateBuilder.Build self = UpdateBuilder.buildAndCheck(Guest.REPO.resolve("examples/self_update"),
                kernelDir.resolve("self_update"), Guest.kernel(), List.of(), false);
        assertThat(self.failures()).isEmpty();
        VmResult r = FrameworkGuest.runScenario("self-update",
                Map.of("GET_PID", getPid.toString(), "SELF_UPDATE", self.modules().getFirst().toString()));
        Map<String, String> v = FrameworkGuest.values(r);
        assertThat(v).containsEntry("line_before", "0")
                .containsEntry("line_applied", "1")
                .containsEntry("line_reverted", "0")
                .containsEntry("getpid_working", "yes")
                .containsEntry("rows_get_pid", "2");
        // The version runs on every read: the scenario read the text three times after the apply.
        assertThat(Integer.parseInt(v.get("second_read"))).isGreaterThanOrEqualTo(3);
        assertThat(v.get("list")).contains("\"name\": \"self_update\"").contains("\"name\": \"get_pid\"")
                .contains("\"function\": \"dyn_status_show_v2\"");
        for (String fn : List.of("dyn_quiesce", "dyn_handler_dispatch")) {
            assertThat(v.get("refused_" + fn)).as(fn).contains(fn)
                    .contains("is on the framework's redirection, removal or command path (built without ftrace sites)");
            assertThat(v).containsEntry("rows_changed_" + fn, "no");
        }
        assertThat(r.output()).contains("resolved dyn_status_show -> 0x").contains("framework stopped");
    }
}
