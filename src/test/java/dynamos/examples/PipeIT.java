package dynamos.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dynamos.testing.FrameworkGuest;
import dynamos.vm.VmResult;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The synchronized update of a non-quiescent subsystem (paper §3, §5.5): adaptive pipe buffers,
 * applied while 1 GiB flows through a pipe whose reader is blocked in pipe_read at the moment of
 * the update; then phase 2 and revert, each with data checked by SHA-256.
 */
class PipeIT {
    static final long GIB = 1L << 30;

    @Test
    void oneGibThroughAnAdaptingPipeArrivesIntactAndSmallPipesKeepTheirSize() {
        Path ko = ExamplesIT.build("pipe_adaptive");
        VmResult r = FrameworkGuest.runScenario("pipe-adaptive", Map.of("PIPE_ADAPTIVE", ko.toString(), "BIG", Long.toString(GIB)));
        Map<String, String> v = FrameworkGuest.values(r);
        assertThat(v).containsEntry("phase1", "1").containsEntry("phase2", "2")
                .containsEntry("small_pipe_size", "65536").containsEntry("small_bytes", "6")
                .containsEntry("smallfinal_pipe_size", "65536");
        // The update happened while the reader was blocked, and the reader woke into the new logic.
        assertThat(v).containsEntry("must_before", "0").containsEntry("crossed_before", "0")
                .containsEntry("must_after", "1").containsEntry("failures", "0");
        assertThat(Long.parseLong(v.get("crossed_after"))).isPositive();
        assertThat(Long.parseLong(v.get("adapted"))).isPositive();
        // 1 GiB, not a byte lost or duplicated, through a pipe that grew to 1 MiB.
        assertThat(v).containsEntry("big_bytes", String.valueOf(GIB)).containsEntry("big_pipe_size", "1048576");
        assertThat(v.get("big_out_sha")).hasSize(64).isEqualTo(v.get("big_in_sha"));
        assertThat(v.get("final_out_sha")).isEqualTo(v.get("final_in_sha"));
        assertThat(v).containsEntry("final_pipe_size", "1048576");
        // Adapted pipes take their pages from the pool their reader filled; a closed pipe's pool is freed.
        assertThat(Long.parseLong(v.get("recycled"))).isPositive();
        assertThat(v).containsEntry("pooled_closed", "0");
        // A pipe open at revert: its pooled pages are freed by the module's exit, and it goes on working.
        assertThat(Long.parseLong(v.get("pooled_open"))).isPositive();
        assertThat(r.output()).containsPattern("pipe_adaptive: exit: .* 1 pool\\(s\\) of open pipes freed with "
                + v.get("pooled_open") + " page\\(s\\)");
        assertThat(v).containsEntry("fifo_after", "after-revert");
        // After revert: the stock code, data intact, default size for new pipes.
        assertThat(v.get("reverted_out_sha")).isEqualTo(v.get("reverted_in_sha"));
        assertThat(v).containsEntry("reverted_pipe_size", "65536").containsEntry("reverted_bytes", "67108864");
        assertThat(r.output()).contains("reverted pipe_adaptive").containsPattern("pipe_adaptive: exit: \\d+ pipe\\(s\\) adapted");
    }
}
