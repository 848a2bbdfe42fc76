package dynamos.framework;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dynamos.testing.FrameworkGuest;
import dynamos.testing.Guest;
import dynamos.vm.VmResult;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * End to end, on Debian's stock kernel in the VM (2 vCPUs): the framework driven by the dynamos
 * command - versions, activation, per-call adaptation, hooks, safe removal, stopping, access control.
 */
class FrameworkIT {
    private static VmResult run(String script) {
        VmResult r = Guest.run(FrameworkGuest.prelude() + "set -e\n" + script);
        assertThat(r.exitCode()).as("guest exit status; output:%n%s", r.output()).isZero();
        Guest.assertCleanKernelLog(r);
        return r;
    }

    @Test
    void controlCommandsRegisterActivateCallAndDeregister() {
        VmResult r = run("""
                $DYNAMOS_JVM status
                start
                insmod "$LIVEPATCH"
                i=0; while [ "$(cat /sys/kernel/livepatch/dynamos_bench_livepatch/transition)" != 0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
                expect_fail d register lp 1 dynamos_target_fn; val livepatched "$ERR"
                val lp_rows "$(tail -n +3 /dev/dynamos | wc -l)"
                echo 0 > /sys/kernel/livepatch/dynamos_bench_livepatch/enabled
                i=0; while [ -e /sys/kernel/livepatch/dynamos_bench_livepatch ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
                rmmod dynamos_bench_livepatch
                d register t 2 dynamos_target_fn
                d register t 2 dynamos_test_update:dynamos_target_fn_v2
                d register --json t 2 dynamos_target_fn_v3
                target 10 1 2; val original "$(field last /proc/dynamos_target)"
                d activate t 2 2
                target 10 1 2; val v2 "$(field last /proc/dynamos_target)"
                d activate t 2 3
                target 10 1 2; val v3 "$(field last /proc/dynamos_target)"
                d call dynamos_test_init
                d status
                val json "$(d status --json)"
                expect_fail d register t 2 no_such_function_anywhere; val unknown "$ERR"
                expect_fail d register s 1 __schedule; val notrace "$ERR"
                expect_fail $DYNAMOS_JVM activate t 2 9; val noversion "$ERR"
                expect_fail d register t 2 dynamos_target_fn_v2; val twice "$ERR"
                d activate t 2 1
                d deregister t 2 3
                d deregister t 2 0
                target 10 1 2; val after "$(field last /proc/dynamos_target)"
                d status
                d stop
                d status
                """);
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
        VmResult r = run("""
                start
                d register t 2 dynamos_target_fn
                d register t 2 dynamos_target_fn_v2
                d register t 2 dynamos_target_fn_v3
                d register t 2 dynamos_target_fn_wrap
                d rule t 2 dynamos_test_handler_arg
                target 100 2 0; val a2 "$(field sum /proc/dynamos_target)"
                target 50 3 0;  val a3 "$(field sum /proc/dynamos_target)"
                target 30 1 0;  val a1 "$(field sum /proc/dynamos_target)"
                target 20 4 0;  val a4 "$(field sum /proc/dynamos_target)"
                val handler_calls "$(field handler_calls /proc/dynamos_test_update)"
                val json1 "$(d status --json)"
                # Now by pid: this shell's calls go to version 3, another process's to the active one.
                d rule t 2 --clear
                echo $$ > /sys/module/dynamos_test_update/parameters/handler_pid
                echo 3 > /sys/module/dynamos_test_update/parameters/handler_pid_version
                ADDR=$(awk '$3 == "dynamos_test_handler_pid" {print "0x" $1}' /proc/kallsyms)
                d rule t 2 --address "$ADDR"
                target 40 1 0; val mine "$(field sum /proc/dynamos_target)"
                sh -c 'echo "60 1 0" > /proc/dynamos_target'; val other "$(field sum /proc/dynamos_target)"
                d activate t 2 2
                sh -c 'echo "5 1 0" > /proc/dynamos_target'; val other_active "$(field last /proc/dynamos_target)"
                val json2 "$(d status --json)"
                # A handler may also change the active version (a == 99: version 2), for this call too.
                d activate t 2 1
                d rule t 2 dynamos_test_handler_arg
                target 1 99 0; val set_active_call "$(field last /proc/dynamos_target)"
                target 1 1 0;  val set_active_next "$(field last /proc/dynamos_target)"
                d rule t 2 --address 0
                d stop
                """);
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
        VmResult r = run("""
                start
                d register t 2 dynamos_target_fn
                d register t 2 dynamos_target_fn_v2
                d register t 2 dynamos_target_fn_v3
                d hook pre-activation t 2 2 dynamos_test_pre_activation
                d hook post-activation t 2 2 dynamos_test_post_activation
                d hook pre-removal t 2 2 dynamos_test_pre_removal
                d hook post-removal t 2 2 dynamos_test_post_removal
                d activate t 2 2
                d activate t 2 1
                d deregister t 2 2
                echo 22 > /sys/module/dynamos_test_update/parameters/fail_pre_activation
                d hook pre-activation t 2 3 dynamos_test_pre_activation_fail
                expect_fail d activate t 2 3; val failed "$ERR"
                target 1 1 1; val still_original "$(field last /proc/dynamos_target)"
                val json "$(d status --json)"
                d stop
                dmesg | grep 'dynamos_test_update: hook' | sed 's/^\\[[^]]*\\] //'
                """);
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
        VmResult r = run("""
                start
                d register t 2 dynamos_target_fn
                d register t 2 dynamos_target_fn_v2
                d activate t 2 2
                d hook post-activation t 2 2 dynamos_test_post_activation
                val before "$(d status --json)"
                cat > /tmp/update.dynamos <<'SCRIPT'
                # a new version, made active, with a handler and a hook - then a line that fails
                DYNREPLACE_REGISTER_INTUITIVELY("t", 2, dynamos_target_fn_v3)
                DYNREPLACE_ACTIVATE_FUNCTION("t", 2, 3)
                DYNREPLACE_SET_RULE_EVALUATION_FUNCTION_BY_NAME("t", 2, dynamos_test_handler_arg)
                hook post-activation t 2 2 dynamos_test_pre_activation
                register u 1 dynamos_target_fn_wrap
                DYNREPLACE_REGISTER_INTUITIVELY("t", 2, no_such_function_anywhere)
                DYNREPLACE_ACTIVATE_FUNCTION("t", 2, 1)
                SCRIPT
                if d run /tmp/update.dynamos 2>/tmp/err; then echo UNEXPECTED SUCCESS; exit 1; fi
                val err "$(cat /tmp/err)"
                val after "$(d status --json)"
                target 3 1 1; val result "$(field last /proc/dynamos_target)"
                d run /tmp/update.dynamos --no-rollback 2>/dev/null || true
                val norollback "$(d status --json)"
                d stop
                """);
        Map<String, String> v = FrameworkGuest.values(r);
        assertThat(v.get("err")).contains("line 7").contains("no_such_function_anywhere").contains("rolled back 5 of 5");
        assertThat(withoutCalls(v.get("after"))).isEqualTo(withoutCalls(v.get("before")));
        assertThat(v).containsEntry("result", "1002");
        assertThat(v.get("norollback")).contains("\"version\": 3, \"active\": true").contains("\"update\": \"u\"");
        assertThat(r.output()).contains("rolling back 5 step(s), newest first:");
    }

    @Test
    void removalIsRefusedWhileAKernelThreadSleepsInTheVersionAndSucceedsAfterItLeaves() {
        VmResult r = run("""
                start
                d register t 2 dynamos_target_fn
                d register t 2 dynamos_target_fn_sleep
                d activate t 2 2
                echo "thread 1 1" > /proc/dynamos_target
                i=0; while [ "$(field sleepers /proc/dynamos_test_update)" != 1 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
                val sleepers "$(field sleepers /proc/dynamos_test_update)"
                d activate t 2 1
                expect_fail d deregister t 2 2 --timeout 1; val busy "$ERR"
                val still "$(d status --json)"
                expect_fail rmmod dynamos_test_update; val rmmod_update "$ERR"
                expect_fail rmmod dynamos; val rmmod_framework "$ERR"
                echo release > /proc/dynamos_test_update
                i=0; while [ "$(field threads /proc/dynamos_target)" != 0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
                val thread_result "$(field thread_last /proc/dynamos_target)"
                d deregister t 2 2
                val removed "$(d status --json)"
                rmmod dynamos_test_update
                d stop
                """);
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
        VmResult r = run("""
                start
                d register t 2 dynamos_target_fn
                d register t 2 dynamos_target_fn_v2
                d register t 2 dynamos_target_fn_v3
                d activate t 2 3
                d rule t 2 dynamos_test_handler_arg
                d register s 0 schedule
                d register s 0 dynamos_test_schedule
                d activate s 0 2
                sleep 1
                target 1 1 1; val updated "$(field last /proc/dynamos_target)"
                d stop
                val modules "$(cut -d' ' -f1 /proc/modules | tr '\\n' ' ')"
                target 1 1 1; val restored "$(field last /proc/dynamos_target)"
                d status
                """);
        Map<String, String> v = FrameworkGuest.values(r);
        assertThat(v).containsEntry("updated", "2002").containsEntry("restored", "2");
        assertThat(v.get("modules")).contains("dynamos_target").doesNotContain("dynamos_test_update").doesNotContain("dynamos ");
        assertThat(r.output()).contains("Reversed 2 update(s)").contains("framework: stopped");
    }

    @Test
    void nonRootIsRefusedAndMalformedIoctlsLeaveTheKernelClean() {
        VmResult r = run("""
                start
                d register t 2 dynamos_target_fn
                expect_fail setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$DYNCTL" status; val nonroot_open "$ERR"
                chmod 0666 /dev/dynamos
                expect_fail setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$DYNCTL" register x 1 schedule; val nonroot_ioctl "$ERR"
                expect_fail setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all cat /dev/dynamos; val nonroot_read "$ERR"
                chmod 0600 /dev/dynamos
                "$DYNCTL" fuzz 10000 1
                "$DYNCTL" fuzz 2000 7
                d status
                val json "$(d status --json)"
                d stop
                """);
        Map<String, String> v = FrameworkGuest.values(r);
        assertThat(v.get("nonroot_open")).containsAnyOf("Permission denied", "EACCES", "EPERM", "not permitted");
        assertThat(v.get("nonroot_ioctl")).containsAnyOf("EPERM", "not permitted");
        assertThat(v.get("nonroot_read")).containsAnyOf("EPERM", "not permitted", "Permission denied");
        assertThat(r.output()).contains("fuzz: 10000 ioctls");
        assertThat(v.get("json")).contains("\"framework\": \"started\"");
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
