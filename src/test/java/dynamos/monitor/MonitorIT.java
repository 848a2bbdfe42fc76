package dynamos.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dynamos.testing.FrameworkGuest;
import dynamos.vm.VmResult;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code dynamos monitor} in the guest (src/test/resources/guest/monitor.sh says what each step does). */
class MonitorIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static long sum(JsonNode array) {
        long s = 0;
        for (JsonNode n : array) {
            s += n.asLong();
        }
        return s;
    }

    private static JsonNode only(String json) throws Exception {
        JsonNode monitors = JSON.readTree(json).get("monitors");
        assertThat(monitors).as(json).hasSize(1);
        return monitors.get(0);
    }

    @Test
    void countsTimesAndSplitsCallsAndNeverLeavesAProbeBehind() throws Exception {
        VmResult r = FrameworkGuest.runScenario("monitor", Map.of(), o -> o.smp = 2);
        Map<String, String> v = FrameworkGuest.values(r);
        System.out.println(v);

        // 1. Exactly the calls made, in the histogram and over the CPUs; the caller named.
        assertThat(v.get("probes_while")).isEqualTo("1");
        assertThat(v.get("list_while")).contains("\"function\": \"dynamos_target:dynamos_target_fn\"");
        assertThat(v.get("m1_status")).isIn("0", "130");
        JsonNode m1 = only(v.get("m1"));
        assertThat(m1.get("calls").asLong()).isEqualTo(1000);
        assertThat(sum(m1.get("calls_per_cpu"))).isEqualTo(1000);
        assertThat(m1.get("calls_per_cpu")).hasSize(2);
        assertThat(sum(m1.get("latency"))).isEqualTo(1000);
        assertThat(m1.get("latency")).hasSize(MonitorStats.BUCKETS);
        assertThat(m1.get("missed").asLong()).isZero();
        assertThat(m1.get("callers").get(0).get("caller").asText()).startsWith("target_write+0x")
                .endsWith("[dynamos_target]");
        assertThat(m1.get("callers").get(0).get("calls").asLong()).isEqualTo(1000);
        assertThat(v.get("probes_after")).isEqualTo("0");
        assertThat(v.get("list_after")).isEqualTo("{\"monitors\": []}");

        // 2. The split by version; the calls ran the right versions; a removal while monitored.
        assertThat(v.get("v1_last")).isEqualTo("3");
        assertThat(v.get("v2_last")).isNotEqualTo("3");
        assertThat(v).containsEntry("deregister_while_monitored", "ok");
        JsonNode m2 = only(v.get("m2"));
        assertThat(m2.get("calls").asLong()).isEqualTo(300);
        assertThat(sum(m2.get("latency"))).isEqualTo(300);
        Map<Integer, Long> byVersion = new java.util.TreeMap<>();
        for (JsonNode ver : m2.get("versions")) {
            assertThat(ver.get("update").asText()).isEqualTo("t");
            byVersion.put(ver.get("version").asInt(), ver.get("calls").asLong());
        }
        assertThat(byVersion).containsEntry(1, 100L).containsEntry(2, 200L);

        // 2b. A version busy under a monitor: found through the kernel's return trampoline, before and
        // after the monitor stopped with the call in flight; removable once the thread left.
        assertThat(v.get("busy_monitored")).contains("dynamos_target_fn_sleep").contains("(EBUSY)");
        assertThat(v.get("busy_after_stop")).contains("dynamos_target_fn_sleep").contains("(EBUSY)");
        JsonNode m2b = only(v.get("m2b"));
        assertThat(m2b.get("calls").asLong()).isEqualTo(1);
        assertThat(sum(m2b.get("latency"))).isZero();
        assertThat(v.get("sleep_thread_last")).isNotEmpty();
        assertThat(v).containsEntry("deregister_after_leave", "ok");

        // 3. --duration ends by itself, with the text report.
        assertThat(v.get("m3_status")).isEqualTo("0");
        assertThat(v.get("m3")).contains("dynamos_target:dynamos_target_fn: 0 calls in").contains("per CPU:");
        assertThat(v.get("probes_after_duration")).isEqualTo("0");
        assertThat(v.get("list_after_duration")).isEqualTo("{\"monitors\": []}");

        // 4. SIGKILL: the monitor went with the process's file; rmmod refused meanwhile.
        assertThat(v.get("rmmod_with_monitor")).isEqualTo("refused");
        assertThat(v.get("list_after_kill")).isEqualTo("{\"monitors\": []}");
        assertThat(v.get("probes_after_kill")).isEqualTo("0");

        // 5. Stopped with a call asleep inside: the call still returns its value.
        JsonNode m5 = only(v.get("m5"));
        assertThat(m5.get("calls").asLong()).isEqualTo(1);
        assertThat(sum(m5.get("latency"))).isZero();
        assertThat(v.get("list_after_sleep")).isEqualTo("{\"monitors\": []}");
        assertThat(Long.parseLong(v.get("sleepy_thread_last"))).isGreaterThanOrEqualTo(778);
        assertThat(v.get("after_all_last")).isEqualTo("3");

        // 6. Bad input: clear errors, nothing left running.
        assertThat(v.get("bad_unknown")).contains("unknown symbol 'no_such_function_anywhere'");
        assertThat(v.get("bad_notrace")).contains("__schedule has no ftrace site");
        assertThat(v.get("bl_fn")).isNotEmpty();
        assertThat(v.get("bad_blacklisted")).contains("cannot monitor " + v.get("bl_fn"))
                .contains("kprobe blacklist").contains("(EINVAL)");
        // All or none: the first monitor of the two went when the second was refused.
        assertThat(v.get("bad_twice")).contains("is monitored already").contains("(EEXIST)");
        assertThat(v.get("list_after_twice")).isEqualTo("{\"monitors\": []}");
        assertThat(v.get("nr_fns")).isEqualTo("32");
        assertThat(v.get("nr_running")).isEqualTo("32");
        assertThat(v.get("bad_33rd")).contains("32 monitors run already").contains("(ENOSPC)");
        assertThat(v.get("m6_reports")).isEqualTo("32");
        assertThat(v.get("bad_max_active")).contains("--max-active must be 1..4096");
        assertThat(v.get("list_after_bad")).isEqualTo("{\"monitors\": []}");
        assertThat(v.get("probes_after_bad")).isEqualTo("0");
        assertThat(v.get("allocs_end")).isEqualTo(v.get("allocs_start"));
        assertThat(v).containsEntry("stopped", "yes");
    }
}
