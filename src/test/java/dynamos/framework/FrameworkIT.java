package dynamos.framework;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dynamos.testing.FrameworkGuest;
import dynamos.testing.ScenarioBatch;
import dynamos.vm.VmResult;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * End to end, on Debian's stock kernel in the VM (2 vCPUs): the framework driven by the dynamos
 * command - versions, activation, per-call adaptation, hooks, safe removal, stopping, access control.
 */
class FrameworkIT {
    /** The scenarios do not depend on one another: one boot runs them all. */
    private static final ScenarioBatch BOOT = new ScenarioBatch("framework-control-commands",
            "framework-per-call-adaptation", "framework-hook-order", "framework-script-rollback",
            "framework-removal-while-sleeping", "framework-stop-reverses-updates", "framework-nonroot-and-fuzz");

    @Test
    void controlCommandsRegisterActivateCallAndDeregister() {
        VmResult r = BOOT.runClean("framework-control-commands");
        Map<String, String> v = FrameworkGuest.values(r);
        assertThat(r.output()).contains("framework: stopped").contains("framework started: dynamos")
                .contains("registered dynamos_target_fn as the original (version 1) of t 2; redirection installed")
                .contains("registered dynamos_test_update:dynamos_target_fn_v2 as version 2 of t 2")
                .contains("\"message\": \"registered dynamos_target_fn_v3 as version 3 of t 2\"")
                .contains("called dynamos_test_init: returned 42")
                .contains("framework stopped");
        assertThat(v).containsEntry("original", "3").containsEntry("v2", "1003").containsEntry("v3", "2003")
                .containsEntry("after", "3");
        assertThat(v.get("json")).contains("\"framework\": \"started\"").contains("\"update\": \"t\"")
                .contains("\"version\": 3, \"active\": true");
        assertThat(v.get("unknown")).contains("no_such_function_anywhere").contains("ENOENT");
        assertThat(v.get("notrace")).contains("__schedule").contains("EOPNOTSUPP");
        assertThat(v.get("livepatched")).contains("dynamos_target_fn is already claimed by livepatch").contains("EBUSY");
        assertThat(v).containsEntry("lp_rows", "0");
        assertThat(v.get("noversion")).contains("has no version 9").contains("ENOENT").doesNotContain("Exception");
        assertThat(v.get("twice")).contains("EEXIST");
    }

    @Test
    void perCallAdaptationSendsEachCallToItsVersionAndTheCountersAddUp() {
        VmResult r = BOOT.runClean("framework-per-call-adaptation");
        Map<String, String> v = FrameworkGuest.values(r);
        // handler by argument: a=2 -> v2 (+1000), a=3 -> v3 (+2000), a=1 -> active v1, a=4 -> wrapper (+3000)
        assertThat(v).containsEntry("a2", Long.toString(100 * 1002))
                .containsEntry("a3", Long.toString(50 * 2003))
                .containsEntry("a1", Long.toString(30 * 1))
                .containsEntry("a4", Long.toString(20 * 3004))
                .containsEntry("handler_calls", "200");
        assertThat(calls(v.get("json1"), 1)).isEqualTo(30);
        assertThat(calls(v.get("json1"), 2)).isEqualTo(100);
        assertThat(calls(v.get("json1"), 3)).isEqualTo(50);
        assertThat(calls(v.get("json1"), 4)).isEqualTo(20);
        // handler by pid: this shell -> v3, another process -> the active version
        assertThat(v).containsEntry("mine", Long.toString(40 * 2001)).containsEntry("other", "60")
                .containsEntry("other_active", "1001");
        assertThat(calls(v.get("json2"), 1) + calls(v.get("json2"), 2) + calls(v.get("json2"), 3)
                + calls(v.get("json2"), 4)).isEqualTo(200 + 40 + 60 + 5);
        assertThat(calls(v.get("json2"), 3)).isEqualTo(50 + 40);
        assertThat(v).containsEntry("set_active_call", "1099").containsEntry("set_active_next", "1001");
    }

    @Test
    void hooksFireInOrderAndAFailingPreActivationHookAbortsTheActivation() {
        VmResult r = BOOT.runClean("framework-hook-order");
        String log = r.output();
        int pre = log.indexOf("dynamos_test_update: hook pre_activation\n");
        int post = log.indexOf("dynamos_test_update: hook post_activation\n");
        int preRemoval = log.indexOf("dynamos_test_update: hook pre_removal\n");
        int postRemoval = log.indexOf("dynamos_test_update: hook post_removal\n");
        assertThat(pre).isPositive();
        assertThat(post).isGreaterThan(pre);
        assertThat(preRemoval).isGreaterThan(post);
        assertThat(postRemoval).isGreaterThan(preRemoval);
        Map<String, String> v = FrameworkGuest.values(r);
        assertThat(v.get("failed")).contains("EINVAL");
        assertThat(v).containsEntry("still_original", "2");
        assertThat(v.get("json")).contains("\"version\": 1, \"active\": true").contains("\"version\": 3, \"active\": false");
    }

    @Test
    void aScriptFailingHalfWayLeavesTheVersionTableAsBefore() {
        VmResult r = BOOT.runClean("framework-script-rollback");
        Map<String, String> v = FrameworkGuest.values(r);
        assertThat(v.get("err")).contains("line 7").contains("no_such_function_anywhere").contains("rolled back 5 of 5");
        assertThat(withoutCalls(v.get("after"))).isEqualTo(withoutCalls(v.get("before")));
        assertThat(v).containsEntry("result", "1002");
        assertThat(v.get("norollback")).contains("\"version\": 3, \"active\": true").contains("\"update\": \"u\"");
        assertThat(r.output()).contains("rolling back 5 step(s), newest first:");
    }

    @Test
    void removalIsRefusedWhileAKernelThreadSleepsInTheVersionAndSucceedsAfterItLeaves() {
        VmResult r = BOOT.runClean("framework-removal-while-sleeping");
        Map<String, String> v = FrameworkGuest.values(r);
        assertThat(v).containsEntry("sleepers", "1");
        assertThat(v.get("busy")).contains("EBUSY").contains("dynamos_target").contains("dynamos_target_fn_sleep");
        assertThat(v.get("still")).contains("\"function\": \"dynamos_target_fn_sleep\"");
        assertThat(v.get("rmmod_update")).containsIgnoringCase("in use");
        assertThat(v.get("rmmod_framework")).containsIgnoringCase("in use");
        assertThat(v).containsEntry("thread_result", "5002");
        assertThat(v.get("removed")).doesNotContain("dynamos_target_fn_sleep");
    }

    @Test
    void stoppingTheFrameworkReversesActiveUpdates() {
        VmResult r = BOOT.runClean("framework-stop-reverses-updates");
        Map<String, String> v = FrameworkGuest.values(r);
        assertThat(v).containsEntry("updated", "2002").containsEntry("restored", "2");
        assertThat(v.get("modules")).contains("dynamos_target").doesNotContain("dynamos_test_update").doesNotContain("dynamos ");
        assertThat(r.output()).contains("Reversed 2 update(s)").contains("framework: stopped");
    }

    @Test
    void nonRootIsRefusedAndMalformedIoctlsLeaveTheKernelClean() {
        VmResult r = BOOT.runClean("framework-nonroot-and-fuzz");
        Map<String, String> v = FrameworkGuest.values(r);
        assertThat(v.get("nonroot_open")).containsAnyOf("Permission denied", "EACCES", "EPERM", "not permitted");
        assertThat(v.get("nonroot_ioctl")).containsAnyOf("EPERM", "not permitted");
        assertThat(v.get("nonroot_read")).containsAnyOf("EPERM", "not permitted", "Permission denied");
        assertThat(r.output()).contains("fuzz: 10000 ioctls");
        assertThat(v.get("json")).contains("\"framework\": \"started\"");
        // The fuzz sets hooks (and the scenario clears them so that stop's deactivations run).
        assertThat(Integer.parseInt(v.get("hooks_cleared").trim())).isPositive();
    }

    /** Calls of version {@code version} in a status --json text (first update listed). */
    static long calls(String json, int version) {
        JsonNode row = null;
        for (JsonNode r : readJson(json).path("versions")) {
            if (r.path("version").asInt() == version) {
                row = r;
                break;
            }
        }
        assertThat(row).as("version %d in %s", version, json).isNotNull();
        return row.get("calls").asLong();
    }

    /** A status --json document with every call counter set to 0, to compare tables. */
    static JsonNode withoutCalls(String json) {
        JsonNode status = readJson(json);
        status.path("versions").forEach(r -> ((ObjectNode) r).put("calls", 0));
        return status;
    }

    private static JsonNode readJson(String json) {
        try {
            return new ObjectMapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }
}
