package dynamos.framework;

import static org.assertj.core.api.Assertions.assertThat;

import dynamos.testing.FrameworkGuest;
import dynamos.testing.Guest;
import dynamos.vm.VmResult;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * End to end, on the stock kernel in the VM: the framework's safety guarantees where real compiler
 * output, module lifetimes, nesting and concurrency try to break them (issue 10). Each test first
 * failed on the code before its fix.
 */
class SafetyIT {
    private static Map<String, String> run(String script) {
        VmResult r = Guest.run(FrameworkGuest.prelude() + "set -e\n" + script);
        assertThat(r.exitCode()).as("guest exit status; output:%n%s", r.output()).isZero();
        Guest.assertCleanKernelLog(r);
        return FrameworkGuest.values(r);
    }

    /** Waits (up to 10 s) until field $1 of file $2 reads $3. */
    private static final String WAIT_FIELD = """
            wait_field() { i=0; while [ "$(field $1 $2)" != "$3" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; [ "$(field $1 $2)" = "$3" ]; }
            """;

    /**
     * GCC tail-calls helpers ({@code jmp}) and moves unlikely paths into {@code fn.cold}: a task
     * sleeping there has no PC or return address inside the version's symbol, yet the code goes
     * when the module goes. Removal must wait for it; IN_USE of an original must see its .cold part.
     */
    @Test
    void removalWaitsForTasksInTailCalledHelpersAndColdParts() {
        Map<String, String> v = run(WAIT_FIELD + """
                start
                d register t 2 dynamos_target_fn
                d register t 2 dynamos_target_fn_tail
                d activate t 2 2
                echo "thread 1 1" > /proc/dynamos_target
                wait_field sleepers /proc/dynamos_test_update 1
                d activate t 2 1
                expect_fail d deregister t 2 2 --timeout 1; val tail_busy "$ERR"
                echo release > /proc/dynamos_test_update
                wait_field threads /proc/dynamos_target 0
                val tail_result "$(field thread_last /proc/dynamos_target)"
                d deregister t 2 2
                # Another version of the module stays: only the version and its pieces are checked.
                d register t 2 dynamos_target_fn_cold
                d register t 2 dynamos_target_fn_v3
                d activate t 2 2
                echo "thread 777 1" > /proc/dynamos_target
                wait_field sleepers /proc/dynamos_test_update 1
                d activate t 2 3
                expect_fail d deregister t 2 2 --timeout 1; val cold_busy "$ERR"
                echo release > /proc/dynamos_test_update
                wait_field threads /proc/dynamos_target 0
                val cold_result "$(field thread_last /proc/dynamos_target)"
                d deregister t 2 2
                d activate t 2 1
                d deregister t 2 3
                val removed "$(d status --json)"
                rmmod dynamos_test_update
                d register c 1 dynamos_target_sleepy
                echo "sleepy 777 1" > /proc/dynamos_target
                wait_field sleepy /proc/dynamos_target 1
                set +e; d in-use c 1 1 > /tmp/inuse 2>&1; val inuse_rc $?; set -e
                val inuse "$(cat /tmp/inuse)"
                echo release > /proc/dynamos_target
                wait_field threads /proc/dynamos_target 0
                d in-use c 1 1 --timeout 5; val idle_rc $?
                d stop
                """);
        assertThat(v.get("tail_busy")).contains("EBUSY").contains("dynamos_test_sleep_helper");
        assertThat(v).containsEntry("tail_result", Long.toString(2 + 1 + 5000));
        assertThat(v.get("cold_busy")).contains("EBUSY").contains("dynamos_target_fn_cold.cold");
        assertThat(v).containsEntry("cold_result", Long.toString(777 + 1 + 6000));
        assertThat(v.get("removed")).doesNotContain("dynamos_target_fn_cold");
        assertThat(v).containsEntry("inuse_rc", "3").containsEntry("idle_rc", "0");
        assertThat(v.get("inuse")).contains("dynamos_target_sleepy.cold");
    }

    /**
     * A module still in MODULE_STATE_COMING can be referenced but is freed if its init fails: its
     * code is refused. A forced unload (rmmod -f) of an update module or of a target module detaches
     * everything of it first, so no call runs freed text.
     */
    @Test
    void modulesStillInitialisingAreRefusedAndForcedUnloadsDetachTheirCode() {
        Map<String, String> v = run(WAIT_FIELD + """
                start
                d register t 1 dynamos_target_fn
                insmod "$COMING" init_result=-22 & ipid=$!
                i=0; while [ ! -e /sys/module/dynamos_test_coming/parameters/proceed ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
                expect_fail d register t 1 dynamos_test_coming:dynamos_coming_fn; val coming "$ERR"
                expect_fail d hook post-activation t 1 1 dynamos_test_coming:dynamos_coming_fn; val coming_hook "$ERR"
                echo 1 > /sys/module/dynamos_test_coming/parameters/proceed
                wait $ipid || true
                val after_coming "$(tail -n +3 /dev/dynamos | wc -l)"
                d register t 1 dynamos_target_fn_v2
                d hook post-removal t 1 2 dynamos_test_post_removal
                d activate t 1 2
                target 1 1 1; val updated "$(field last /proc/dynamos_target)"
                rmmod -f dynamos_test_update
                target 1 1 1; val after_forced "$(field last /proc/dynamos_target)"
                val rows_forced "$(tail -n +3 /dev/dynamos | wc -l)"
                rmmod -f dynamos_target
                val rows_target "$(tail -n +3 /dev/dynamos | wc -l)"
                val refcnt "$(cat /sys/module/dynamos/refcnt)"
                d stop
                """);
        assertThat(v.get("coming")).contains("dynamos_test_coming").contains("initialising").contains("EAGAIN");
        assertThat(v.get("coming_hook")).contains("initialising");
        assertThat(v).containsEntry("after_coming", "1").containsEntry("updated", "1002")
                .containsEntry("after_forced", "2").containsEntry("rows_forced", "1")
                .containsEntry("rows_target", "0").containsEntry("refcnt", "0");
    }

    /**
     * Calls of updated functions made inside an adaptation handler - from a softirq that
     * local_bh_enable() runs there, or directly - run the active version (only the nested
     * handler is skipped in the same context).
     */
    @Test
    void callsNestedInAHandlerRunTheActiveVersion() {
        Map<String, String> v = run("""
                start
                d register t 2 dynamos_target_fn
                d register t 2 dynamos_target_fn_v2
                d activate t 2 2
                d rule t 2 dynamos_test_handler_nested
                target 1 55 0; val softirq "$(cat /sys/module/dynamos_test_update/parameters/nested_last)"
                target 1 56 0; val direct "$(cat /sys/module/dynamos_test_update/parameters/nested_last)"
                val outer "$(field last /proc/dynamos_target)"
                d stop
                """);
        assertThat(v).containsEntry("softirq", "1002").containsEntry("direct", "1003").containsEntry("outer", "1056");
    }

    /**
     * A removal attempt never changes what calls run: the active version cannot be removed (activate
     * another first), and while a removal waits for quiescence, status reads go on.
     */
    @Test
    void theActiveVersionIsNotRemovedAndStatusReadsProceedDuringARemoval() {
        Map<String, String> v = run(WAIT_FIELD + """
                start
                d register t 2 dynamos_target_fn
                d register t 2 dynamos_target_fn_v2
                d register t 2 dynamos_target_fn_sleep
                d activate t 2 2
                expect_fail d deregister t 2 2; val active_removal "$ERR"
                expect_fail d deregister t 2 0; val whole_removal "$ERR"
                target 1 1 1; val still "$(field last /proc/dynamos_target)"
                d activate t 2 3
                echo "thread 1 1" > /proc/dynamos_target
                wait_field sleepers /proc/dynamos_test_update 1
                d activate t 2 2
                ( "$DYNCTL" deregister t 2 3 6000 > /tmp/dereg 2>&1; echo $? > /tmp/dereg.rc ) &
                sleep 2
                cat /dev/dynamos > /tmp/status
                if [ -e /tmp/dereg.rc ]; then val status_read after; else val status_read during; fi
                val removing "$(grep -c ' removing ' /tmp/status || true)"
                target 1 1 1; val during_removal "$(field last /proc/dynamos_target)"
                wait
                val dereg "$(cat /tmp/dereg)"
                echo release > /proc/dynamos_test_update
                wait_field threads /proc/dynamos_target 0
                d activate t 2 1
                d deregister t 2 0
                d stop
                """);
        assertThat(v.get("active_removal")).contains("EBUSY").contains("active");
        assertThat(v.get("whole_removal")).contains("EBUSY").contains("active");
        assertThat(v).containsEntry("still", "1002").containsEntry("status_read", "during")
                .containsEntry("removing", "1").containsEntry("during_removal", "1002");
        assertThat(v.get("dereg")).contains("busy").contains("dynamos_target_fn_sleep");
    }

    /**
     * Commands that make the kernel run code (REGISTER, handlers, hooks, CALL) need CAP_SYS_MODULE
     * as well, as loading a module does; hook errors that are kernel-internal (-ERESTARTSYS) reach
     * userspace as EINTR, not as errno 512.
     */
    @Test
    void codeCommandsNeedCapSysModuleAndInternalHookErrorsAreMapped() {
        Map<String, String> v = run("""
                start
                d register t 2 dynamos_target_fn
                nomod() { setpriv --bounding-set=-sys_module "$DYNCTL" "$@"; }
                expect_fail nomod register t 2 dynamos_target_fn_v2; val register "$ERR"
                expect_fail nomod call dynamos_test_init; val call "$ERR"
                expect_fail nomod rule t 2 dynamos_test_handler_arg; val rule "$ERR"
                nomod status > /dev/null; val status $?
                val rows "$(tail -n +3 /dev/dynamos | wc -l)"
                val inits "$(field init_calls /proc/dynamos_test_update)"
                d register t 2 dynamos_target_fn_v2
                echo 512 > /sys/module/dynamos_test_update/parameters/fail_pre_activation
                d hook pre-activation t 2 2 dynamos_test_pre_activation_fail
                expect_fail d activate t 2 2; val restart "$ERR"
                d stop
                """);
        assertThat(v.get("register")).contains("Operation not permitted").contains("CAP_SYS_MODULE");
        assertThat(v.get("call")).contains("CAP_SYS_MODULE");
        assertThat(v.get("rule")).contains("CAP_SYS_MODULE");
        assertThat(v).containsEntry("status", "0").containsEntry("rows", "1").containsEntry("inits", "0");
        assertThat(v.get("restart")).contains("EINTR").doesNotContain("errno 512");
    }

    /**
     * A handler that keeps making version 2 active while version 2 (core-kernel code: nothing to
     * wait for) is removed: the active version must always be a live one, and a version registered
     * later under the same number must not become active by itself.
     */
    @Test
    void aHandlerSwitchingVersionsNeverLeavesARemovedVersionActive() {
        Map<String, String> v = run("""
                start
                d register t 3 dynamos_target_fn
                d rule t 3 dynamos_test_handler_set_active
                ( target 3000000 1 1 ) & hammer=$!
                bad=0; refused=0; removed=0
                for i in $(seq 150); do
                    "$DYNCTL" register t 3 gcd > /dev/null || true
                    if "$DYNCTL" deregister t 3 2 > /dev/null; then removed=$((removed+1)); else refused=$((refused+1)); fi
                    active=$(tail -n +3 /dev/dynamos | awk '$1 == "t" && $4 == "yes" {print $3}')
                    [ -n "$active" ] || bad=$((bad+1))
                done
                val bad "$bad"; val attempts "$((removed+refused))"
                d rule t 3 --clear
                "$DYNCTL" activate t 3 1 > /dev/null
                "$DYNCTL" deregister t 3 2 > /dev/null || true
                "$DYNCTL" register t 3 gcd > /dev/null
                val active_after "$(tail -n +3 /dev/dynamos | awk '$1 == "t" && $4 == "yes" {print $3}')"
                kill $hammer 2>/dev/null || true; wait || true
                d stop
                """);
        assertThat(v).containsEntry("bad", "0").containsEntry("attempts", "150").containsEntry("active_after", "1");
    }
}
