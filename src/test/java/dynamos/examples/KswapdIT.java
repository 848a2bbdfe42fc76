package dynamos.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dynamos.testing.FrameworkGuest;
import dynamos.vm.VmResult;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The paper's kernel-thread update on today's kernel (examples/kswapd): kswapd moved live onto a
 * version that counts its reclaim rounds, reclaiming under memory pressure in a small VM, and moved
 * back onto the stock kswapd by revert; then the same with insmod and the control scripts.
 */
class KswapdIT {
    @Test
    void kswapdV2ReclaimsUnderPressureAndRevertRestoresTheStockThread() {
        Path ko = ExamplesIT.build("kswapd");
        VmResult r = FrameworkGuest.runScenario("kswapd", Map.of("KSWAPD", ko.toString()),
                o -> o.memoryMiB = 384);
        Map<String, String> v = FrameworkGuest.values(r);
        // apply: a new kswapd0 runs version 2; the old thread exited.
        assertThat(v.get("pid1")).isNotEmpty().isNotEqualTo(v.get("pid0"));
        assertThat(v).containsEntry("version1", "2").containsEntry("main1", "kswapd_v2")
                .containsEntry("proc_pid1", v.get("pid1")).containsEntry("old_gone", "yes");
        assertThat(v.get("stack1")).contains("kswapd_v2");
        // Under pressure version 2 reclaimed, and the pressure process completed.
        assertThat(v).containsEntry("v2_completed", "yes");
        assertThat(Long.parseLong(v.get("rounds"))).as("reclaim rounds of kswapd_v2").isPositive();
        assertThat(Long.parseLong(v.get("steal_v2"))).as("pages kswapd_v2 reclaimed").isPositive();
        assertThat(v.get("pid_after_pressure")).isEqualTo(v.get("pid1"));
        // revert: the stock kswapd again (its body on the stack), /proc file gone, one kswapd0.
        assertThat(v.get("pid2")).isNotEmpty().isNotEqualTo(v.get("pid1"));
        assertThat(v).containsEntry("proc_after_revert", "gone").containsEntry("kswapd_threads", "1");
        assertThat(v.get("stack2")).contains("kswapd+").doesNotContain("kswapd_v2");
        assertThat(v).containsEntry("stock_completed", "yes");
        assertThat(Long.parseLong(v.get("steal_stock"))).as("pages the stock kswapd reclaimed").isPositive();
        assertThat(v.get("pid_stock_after_pressure")).isEqualTo(v.get("pid2"));
        // Control scripts: forward and back again.
        assertThat(v.get("pid3")).isNotEqualTo(v.get("pid2"));
        assertThat(v.get("version3")).isEqualTo("2");
        assertThat(v.get("stack3")).contains("kswapd_v2");
        assertThat(v.get("pid4")).isNotEqualTo(v.get("pid3"));
        assertThat(v.get("stack4")).contains("kswapd+").doesNotContain("kswapd_v2");
        assertThat(v.get("uninterruptible")).as("no task stuck in D state").isEqualTo("0");
        assertThat(r.output()).contains("dynamos: kswapd: moved 1 thread(s) to kswapd_v2")
                .contains("dynamos: kswapd: moved 1 thread(s) to kswapd, ")
                .doesNotContain("did not reach").doesNotContain("has not exited");
    }
}
