package dynamos.examples;

import static dynamos.testing.Guest.q;
import static org.assertj.core.api.Assertions.assertThat;

import dynamos.testing.FrameworkGuest;
import dynamos.testing.Guest;
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
        String stats = "/proc/dynamos_pipe_adaptive";
        VmResult r = Guest.run(FrameworkGuest.prelude() + "set -e\n"
                + "pstat() { tr ' ' '\\n' < " + stats + " | sed -n \"/^$1$/{n;p;}\"; }\n"
                + "d start --module \"$FRAMEWORK\"\n"
                + "d apply " + q(ko) + "\n"
                + "val phase1 \"$(pstat phase)\"\n"
                // A pipe that carries little keeps the default size.
                + "echo small | \"$PIPETOOL\" sink --no-hash | sed 's/^@@ /@@ small_/'\n"
                // The writer pauses after 16 KiB: the reader drains it and blocks in pipe_read.
                + "rm -f /tmp/go\n"
                + "\"$PIPETOOL\" gen " + GIB + " 16384 /tmp/go 2>/tmp/gen.out | \"$PIPETOOL\" sink > /tmp/sink.out &\n"
                + "sleep 3\n"
                + "val must_before \"$(pstat must_update)\"; val crossed_before \"$(pstat readers_crossed)\"\n"
                + "touch /tmp/go\n"
                + "wait\n"
                + "sed 's/^@@ /@@ big_/' /tmp/gen.out /tmp/sink.out\n"
                + "val must_after \"$(pstat must_update)\"; val crossed_after \"$(pstat readers_crossed)\"\n"
                + "val adapted \"$(pstat adapted_pipes)\"; val failures \"$(pstat resize_failures)\"\n"
                // Phase 2: no task in the originals any more, the final versions take new calls.
                + "DYNAMOS=\"$DYNAMOS\" sh examples/pipe_adaptive/finish 60\n"
                + "val phase2 \"$(pstat phase)\"\n"
                + "\"$PIPETOOL\" gen 67108864 2>/tmp/gen.out | \"$PIPETOOL\" sink > /tmp/sink.out\n"
                + "sed 's/^@@ /@@ final_/' /tmp/gen.out /tmp/sink.out\n"
                + "echo small | \"$PIPETOOL\" sink --no-hash | sed 's/^@@ /@@ smallfinal_/'\n"
                + "d list\n"
                + "d revert pipe_adaptive --timeout 30\n"
                + "\"$PIPETOOL\" gen 67108864 2>/tmp/gen.out | \"$PIPETOOL\" sink > /tmp/sink.out\n"
                + "sed 's/^@@ /@@ reverted_/' /tmp/gen.out /tmp/sink.out\n"
                + "d stop\n"
                + "dmesg | grep 'pipe_adaptive' | sed 's/^\\[[^]]*\\] //'\n");
        assertThat(r.exitCode()).as("guest exit status; output:%n%s", r.output()).isZero();
        Guest.assertCleanKernelLog(r);
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
        // After revert: the stock code, data intact, default size for new pipes.
        assertThat(v.get("reverted_out_sha")).isEqualTo(v.get("reverted_in_sha"));
        assertThat(v).containsEntry("reverted_pipe_size", "65536").containsEntry("reverted_bytes", "67108864");
        assertThat(r.output()).contains("reverted pipe_adaptive").containsPattern("pipe_adaptive: exit: \\d+ pipe\\(s\\) adapted");
    }
}
