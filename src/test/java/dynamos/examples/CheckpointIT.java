package dynamos.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dynamos.host.Exec;
import dynamos.testing.FrameworkGuest;
import dynamos.testing.Guest;
import dynamos.testing.StaticTool;
import dynamos.update.UpdateBuilder;
import dynamos.vm.VmResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * New system calls added by a live update (EPCKPT's collect and checkpoint, examples/checkpoint): applied
 * with {@code dynamos apply} and by its control scripts, a checkpoint checked against /proc/PID/maps and
 * /proc/PID/fd, clean errors for bad input, no shadow outliving its process or file, -ENOSYS after
 * revert, and a module whose numbers the kernel uses refused at load.
 */
class CheckpointIT {
    @Test
    void addedSystemCallsCheckpointAProcessAndGoAwayWithTheUpdate() throws IOException {
        Path ko = ExamplesIT.build("checkpoint");
        Path ckpt = ko.getParent().resolve("ckpt");
        StaticTool.build(Guest.REPO.resolve("examples/checkpoint/ckpt.c"), ckpt, "-Werror");
        Path more = UpdateBuilder.compile(Guest.REPO.resolve("src/test/updates/syscall_more"),
                Guest.REPO.resolve("target/kmod").resolve(Guest.kernel().version()).resolve("test/syscall_more"),
                Guest.kernel()).getFirst();
        VmResult r = FrameworkGuest.runScenario("checkpoint", Map.of("CHECKPOINT", ko.toString(),
                "CKPT", ckpt.toString(), "CHECKPOINT_DIR", Guest.REPO.resolve("examples/checkpoint").toString(),
                "SYSCALL_MORE", more.toString()));
        Map<String, String> v = FrameworkGuest.values(r);

        // Before the update the numbers are unused; applied, collect works once per process.
        assertThat(v).containsEntry("before_apply", "error ENOSYS").containsEntry("collect", "ok 0")
                .containsEntry("collect_again", "error EALREADY").containsEntry("checkpoint", "ok");
        // The checkpoint lists exactly the process's areas and open files, as /proc shows them.
        assertThat(v).containsEntry("areas_match", "yes").containsEntry("mapped_files_match", "yes")
                .containsEntry("files_match", "yes");
        assertThat(Integer.parseInt(v.get("areas"))).isGreaterThan(5);
        // What was collected: three areas mapped, five installations (data, two pipe ends, its dup, ready),
        // the areas marked new, the file opened before collect old, the others with the call that made them.
        assertThat(v.get("collected_line")).isEqualTo("areas_mapped 3 files_installed 5");
        assertThat(Integer.parseInt(v.get("new_areas"))).isBetween(2, 3);
        assertThat(v).containsEntry("old_file", "old")
                .containsEntry("data_files", "2 new syscall=257")   // openat, and the dup of it
                .containsEntry("pipe_files", "2 new syscall=293");  // pipe2
        // One process collected; its five installations minus "ready" (closed) keep shadows: data, 2 pipes.
        assertThat(v).containsEntry("shadows_running", "1 3");
        // Bad input.
        assertThat(v).containsEntry("unknown_pid", "error ESRCH").containsEntry("bad_pid", "error EINVAL")
                .containsEntry("bad_fd", "error EBADF").containsEntry("readonly_fd", "error EBADF")
                .containsEntry("other_user_collect", "error EPERM")
                .containsEntry("other_user_checkpoint", "error EPERM")
                .containsEntry("kernel_thread", "error EINVAL");
        // A second syscall-adding update stacks: its number and the ones below work; it must go first.
        assertThat(v).containsEntry("stacked_more", "ok 41").containsEntry("stacked_collect", "error ESRCH")
                .containsEntry("unstacked_more", "error ENOSYS").containsEntry("unstacked_collect", "error ESRCH");
        assertThat(v.get("revert_below")).contains("syscall_more");
        // Shadows go with the process and its files; revert gives the numbers back.
        assertThat(v).containsEntry("shadows_after_exit", "0 0")
                .containsEntry("after_revert_collect", "error ENOSYS")
                .containsEntry("after_revert_checkpoint", "error ENOSYS")
                .containsEntry("proc_after_revert", "gone");
        assertThat(r.output()).contains("checkpoint: exit: 0 task shadow(s) and 0 file shadow(s) were left");

        // The control scripts do the same; deactivated while the process lives, exit frees its shadows.
        assertThat(v).containsEntry("script_collect", "ok 0").containsEntry("script_areas_match", "yes")
                .containsEntry("script_files_match", "yes").containsEntry("script_shadows_before", "1 3")
                .containsEntry("script_after_deactivate", "error ENOSYS");
        assertThat(r.output()).contains("checkpoint: exit: 1 task shadow(s) and 3 file shadow(s) were left");

        // Numbers the kernel uses, or beyond NR_syscalls, or twice: the module does not load.
        assertThat(r.output()).containsPattern("system call 39 is taken by the running kernel \\(__(x64|do)_sys_getpid")
                .contains("system call 460: only numbers below 451 reach x64_sys_call")
                .contains("system call 400 is listed twice");
        assertThat(v).containsEntry("refused_loaded", "0");
    }
}
