package dynamos.framework;

import static org.assertj.core.api.Assertions.assertThat;

import dynamos.testing.FrameworkGuest;
import dynamos.vm.VmResult;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * End to end, in the VM: what synchronized updates of non-quiescent subsystems need from the
 * framework - an update name's phase and must_update flag (from userspace and from a handler), group
 * activation that switches all members or none, and the query whether any task runs a version.
 */
class SynchronizationIT {
    @Test
    void phaseMustUpdateGroupActivationAndInUse() {
        VmResult r = FrameworkGuest.runScenario("synchronization");
        Map<String, String> v = FrameworkGuest.values(r);
        assertThat(v.get("state0")).isEqualTo("{\"name\": \"t\", \"phase\": 0, \"must_update\": false}");
        assertThat(v.get("state1")).isEqualTo("{\"name\": \"t\", \"phase\": 2, \"must_update\": true}");
        assertThat(v.get("state2")).isEqualTo("{\"name\": \"t\", \"phase\": 5, \"must_update\": true}");
        assertThat(v.get("row")).endsWith(" 5 yes 1/1 loaded handler");
        assertThat(v.get("nostate")).contains("no update named nobody").contains("ENOENT");

        assertThat(v.get("group_fail")).contains("member 2").contains("no member activated");
        assertThat(v.get("active_after_fail")).isEqualTo("t 2 1;s 1 1;");
        assertThat(v.get("group_dup")).contains("are both t/2");
        assertThat(v.get("group_missing")).contains("ENOENT");
        assertThat(v.get("active_after_group")).isEqualTo("t 2 2;s 1 2;");
        assertThat(v).containsEntry("v2", "1003");
        assertThat(v.get("group64")).as("a group of DYNAMOS_MAX_GROUP (64) members is refused for its members only")
                .contains("ENOENT").doesNotContain("out of range");

        assertThat(v).containsEntry("busy_rc", "3").containsEntry("idle_rc", "0").containsEntry("released_rc", "0");
        assertThat(v.get("busy_json")).contains("\"in_use\": true").contains("\"busy_tasks\": 1")
                .contains("dynamos_target_fn_sleep")
                .containsPattern("\"tasks\": \\[\\{\"pid\": \\d+, .*\"version\": 3, \"unreliable_stack\": false, "
                        + "\"where\": \"dynamos_target_fn_sleep\\+0x[0-9a-f]+/0x[0-9a-f]+\", \"module\": \"dynamos_test_update\"\\}\\]");
        assertThat(r.output()).contains("/tmp/group.dynamos line 3: update t/2 has no version 9");
        assertThat(r.output()).contains("activated the group's previous versions again");
        assertThat(v.get("active_after_script")).isEqualTo("t 2 1;s 1 1;");
    }
}
