package dynamos.framework;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dynamos.testing.FrameworkGuest;
import dynamos.testing.Guest;
import dynamos.vm.VmResult;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * End to end, in the VM with two CPUs (issue 13, "Rules"): calls reach the version they must, each
 * exactly once, while functions move between the fast path (no adaptation handler) and the handler
 * path, and versions are switched, activated as a group and removed, under one kernel thread per CPU
 * calling flat out. The target module {@code src/test/kmod/fastpath} has two functions whose every
 * version records that it ran and whether it was allowed to (the handler gives a call the version
 * its argument asks for; with no handler a call must run the version active before or after the
 * switch in progress); the workers count the calls they made; at every quiescent point (all workers
 * parked) the module checks that the runs add up to the calls. The scenario is
 * {@code src/test/resources/guest/fastpath.sh}. It relies only on the {@code dynamos} command, so it
 * checks any redirection the kernel module implements.
 */
class FastPathIT {
    static final int SECONDS = 30;
    /** The framework's status rows of the test's update are named "fp". */
    static final String UPDATE = "fp";

    @Test
    void switchingFastAndHandlerPathUnderLoadLosesAndMisdirectsNoCallAndRemovalIsSafe() {
        Map<String, Path> kos = FrameworkGuest.buildFrameworkTestModules("fastpath");
        VmResult r = FrameworkGuest.runScenario("fastpath", Map.of(
                "FASTPATH", kos.get("dynamos_fastpath").toString(),
                "FASTPATH_UPDATE", kos.get("dynamos_fastpath_update").toString(),
                "FASTPATH_SECONDS", Integer.toString(SECONDS)), Guest.SIMULTANEOUS_VCPUS);
        Map<String, String> v = FrameworkGuest.values(r);

        // 1. 30 s of switching under two CPUs calling flat out
        assertThat(v).containsEntry("workers", "2");
        assertThat(num(v, "loop_seconds")).isGreaterThanOrEqualTo(SECONDS);
        // switching operations (each followed by a checkpoint): a few hundred on an idle machine
        assertThat(num(v, "loop_ops")).as("switching operations").isGreaterThanOrEqualTo(20);
        assertThat(num(v, "loop_activations")).as("activations of versions 1/2/3").isGreaterThanOrEqualTo(10);
        assertThat(num(v, "loop_groups")).as("group activations of fn and other").isGreaterThanOrEqualTo(5);
        assertThat(num(v, "loop_handler_set")).as("handler set").isGreaterThanOrEqualTo(3);
        assertThat(num(v, "loop_handler_cleared")).as("handler cleared").isGreaterThanOrEqualTo(2);
        Map<String, Long> loop = counts(v.get("loop_counts"));
        // a checkpoint after every operation, and every one balanced
        assertThat(loop.get("points")).isEqualTo(num(v, "loop_ops") + 1);
        assertThat(loop).containsEntry("unbalanced", 0L).containsEntry("lost", 0L)
                .containsEntry("misdirected", 0L).containsEntry("ghost", 0L).containsEntry("torn", 0L);
        assertThat(loop.get("calls_fn")).as("calls made").isPositive().isEqualTo(loop.get("calls_other"));
        assertThat(loop.get("fast")).as("runs with no handler (fast path)").isPositive();
        assertThat(loop.get("handled")).as("runs with the handler set").isPositive();
        assertThat(loop.get("handler_calls")).as("handler calls").isPositive();
        for (int ver = 1; ver <= 3; ver++) {
            assertThat(loop.get("fn_" + ver)).as("runs of fn version %d", ver).isPositive();
        }
        assertThat(loop.get("other_1")).isPositive();
        assertThat(loop.get("other_2")).isPositive();
        assertThat(loop.get("fn_1") + loop.get("fn_2") + loop.get("fn_3") + loop.get("fn_4") + loop.get("fn_5"))
                .as("runs of fn == calls of fn").isEqualTo(loop.get("calls_fn"));
        // exact counts: the framework's per-version counters == the versions' own, workers parked
        Map<String, Long> framework = frameworkCalls(v.get("loop_status"));
        Map<String, Long> own = new LinkedHashMap<>();
        for (int ver = 1; ver <= 5; ver++) {
            own.put("1/" + ver, loop.get("fn_" + ver));
        }
        own.put("2/1", loop.get("other_1"));
        own.put("2/2", loop.get("other_2"));
        assertThat(framework).as("status --json calls per <id/version> of %s", UPDATE).isEqualTo(own);

        // 2. removal refused while a task sleeps in version 4, on the fast path
        assertThat(v).as("deregister of a busy version: exit status").containsEntry("busy_rc", "1");
        assertThat(v.get("busy")).contains("EBUSY").contains("dynamos_fastpath_fn_sleep");
        assertThat(v).as("in-use: exit status 3").containsEntry("inuse_rc", "3");
        assertThat(v.get("inuse")).contains("dynamos_fastpath_fn_sleep");
        assertThat(frameworkCalls(v.get("busy_status"))).as("version 4 stays registered").containsKey("1/4");
        assertThat(v).containsEntry("park_result", Long.toString(4000 + 8 + 4 * 1_000_000L));

        // 3. removal under fire, the versions' module unloaded; the workers called throughout
        Map<String, Long> before = counts(v.get("before_removal"));
        Map<String, Long> end = counts(v.get("end_counts"));
        assertThat(end).containsEntry("unbalanced", 0L).containsEntry("misdirected", 0L)
                .containsEntry("ghost", 0L).containsEntry("torn", 0L);
        assertThat(end.get("points")).isGreaterThan(loop.get("points"));
        assertThat(end.get("calls_fn")).as("calls made during the removals").isGreaterThan(before.get("calls_fn"));
        assertThat(end.get("fn_1")).as("calls of the original after the removals").isGreaterThan(before.get("fn_1"));
        assertThat(end.get("fn_5")).as("version 5 ran before its removal").isPositive();
        assertThat(v).containsEntry("update_unloaded", "0");
        assertThat(frameworkCalls(v.get("end_status"))).as("no version of %s left", UPDATE).isEmpty();
    }

    /** A line of /proc/dynamos_fastpath as numbers by key. */
    static Map<String, Long> counts(String line) {
        assertThat(line).as("/proc/dynamos_fastpath").isNotNull();
        Map<String, Long> out = new LinkedHashMap<>();
        Arrays.stream(line.trim().split(" ")).map(p -> p.split("=", 2))
                .forEach(kv -> out.put(kv[0], Long.parseLong(kv[1])));
        return out;
    }

    /** The calls counters of the update's versions in a status --json document, by "id/version". */
    static Map<String, Long> frameworkCalls(String json) {
        assertThat(json).as("status --json").isNotNull();
        JsonNode status;
        try {
            status = new ObjectMapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
        Map<String, Long> out = new LinkedHashMap<>();
        for (JsonNode row : status.path("versions")) {
            if (row.path("update").asText().equals(UPDATE)) {
                out.put(row.path("id").asLong() + "/" + row.path("version").asInt(), row.path("calls").asLong());
            }
        }
        return out;
    }

    private static long num(Map<String, String> v, String key) {
        assertThat(v).containsKey(key);
        return Long.parseLong(v.get(key));
    }
}
