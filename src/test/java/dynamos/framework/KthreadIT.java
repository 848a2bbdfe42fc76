package dynamos.framework;

import static org.assertj.core.api.Assertions.assertThat;

import dynamos.testing.FrameworkGuest;
import dynamos.vm.VmResult;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Kernel threads that never exit (kernel/kthread.c): the test thread of src/test/kmod/kthread moved
 * onto version 2 of its main function and back with the control scripts, its local round counter
 * surviving both moves exactly; removal refused while it runs version 2.
 */
class KthreadIT {
    @Test
    void aThreadMovesForwardAndBackWithItsCounterAndVersionTwoStaysWhileItRunsIt() {
        Map<String, Path> kos = FrameworkGuest.buildFrameworkTestModules("kthread");
        VmResult r = FrameworkGuest.runScenario("kthread-move", Map.of(
                "KT_TARGET", kos.get("dynamos_kt_target").toString(),
                "KT_UPDATE", kos.get("dynamos_kt_update").toString()));
        Map<String, String> v = FrameworkGuest.values(r);
        assertThat(v.get("main0")).isEqualTo("dynamos_kt_main");
        // Without the safe point the thread never moves: the hook gives up, the successor is stopped.
        assertThat(v.get("nosafe_pid")).isEqualTo(v.get("pid0"));
        assertThat(v.get("nosafe_main")).isEqualTo("dynamos_kt_main");
        assertThat(v.get("nosafe_leak")).as("allocations left by the failed move").isEqualTo("0");
        assertThat(v.get("nosafe_threads")).isEqualTo("1");
        assertThat(r.output()).contains("did not reach its safe point in 10000 ms; not moved");
        // Forward: a new thread (same name) runs version 2; the counter went on without a jump.
        assertThat(v.get("main1")).isEqualTo("dynamos_kt_main_v2");
        assertThat(v.get("pid1")).isNotEqualTo(v.get("pid0"));
        assertThat(v.get("comm1")).isEqualTo("dynamos_kt");
        assertThat(v.get("v2_starts1")).isEqualTo("1");
        assertThat(v.get("jumps1")).as("the counter survived the move forward").isEqualTo("0");
        // Removal refused while the thread runs version 2, naming it.
        assertThat(Integer.parseInt(v.get("refused_names"))).isPositive();
        assertThat(v.get("still_v2")).isEqualTo("dynamos_kt_main_v2");
        assertThat(v.get("v2_starts_again")).as("activating 2 again moved nothing").isEqualTo("1");
        // Back: the original main function (its body past the redirection), counter exact again.
        assertThat(v.get("main2")).isEqualTo("dynamos_kt_main");
        assertThat(v.get("pid2")).isNotEqualTo(v.get("pid1")).isNotEqualTo(v.get("pid0"));
        assertThat(v.get("jumps2")).as("the counter survived the move back").isEqualTo("0");
        assertThat(v.get("bad_data")).as("every incarnation got the thread's data").isEqualTo("0");
        assertThat(v.get("stack1")).contains("dynamos_kt_main_v2");
        assertThat(v.get("stack2")).contains("dynamos_kt_main").doesNotContain("_v2");
        assertThat(v.get("threads")).as("one thread, the old ones exited").isEqualTo("1");
        // Three more round trips.
        assertThat(v).containsEntry("jumps3", "0").containsEntry("main3", "dynamos_kt_main")
                .containsEntry("threads3", "1");
        assertThat(v.get("target_unloaded")).isEqualTo("yes");
        assertThat(r.output()).contains("dynamos_kt: moved 1 thread(s) to dynamos_kt_main_v2")
                .doesNotContain("did not take").doesNotContain("has not exited");
    }
}
