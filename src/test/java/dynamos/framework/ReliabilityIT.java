package dynamos.framework;

import static org.assertj.core.api.Assertions.assertThat;

import dynamos.testing.FrameworkGuest;
import dynamos.testing.Guest;
import dynamos.update.UpdateBuilder;
import dynamos.vm.VmOptions;
import dynamos.vm.VmResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * End to end, in the VM with 3 vCPUs: the reliability campaign of bench/reliability
 * ({@code bench/guest/reliability.sh}) with counts that fit in a few minutes of guest time -
 * fuzzing from 4 processes mixed with status reads, module insertion/removal and rmmod attempts;
 * versions switched, registered and removed while two CPUs call the stress target; removal of
 * versions with a task asleep in them (in the version, a tail-called helper, a .cold part); and
 * leak accounting. Every invariant the script measures is asserted here.
 */
class ReliabilityIT {
    static final int FUZZ = 12000;
    static final int SWITCH = 800;
    static final int FIRE = 12;
    static final List<String> SLEEPERS = List.of("dynamos_target_fn_sleep", "dynamos_target_fn_tail", "dynamos_target_fn_cold");

    @Test
    void fuzzingSwitchingUnderLoadRemovalUnderFireAndNoLeaks() {
        Map<String, Path> m = FrameworkGuest.modules();
        Path stress = FrameworkGuest.buildFrameworkTestModule("stress");
        VmOptions o = Guest.options();
        o.smp = 3;
        Guest.SIMULTANEOUS_VCPUS.accept(o);
        o.timeout = Duration.ofMinutes(15);
        // The framework logs every command: keep all of it for the kernel-log check.
        o.kernelArgs = "log_buf_len=64M";
        String script = String.join(" ", "sh", Guest.q(Guest.REPO.resolve("bench/guest/reliability.sh")),
                Integer.toString(FUZZ), Integer.toString(SWITCH), Integer.toString(FIRE),
                Guest.q(m.get("framework")), Guest.q(m.get("target")), Guest.q(m.get("update")), Guest.q(stress),
                Guest.q(m.get("dynctl")), "7");
        VmResult r = Guest.runClean(o, script);
        Map<String, String> v = FrameworkGuest.values(r);

        // a) fuzzing: every errno as documented, every table read consistent, dynamos pinned
        assertThat(v).containsEntry("fuzz_ioctls", Integer.toString(FUZZ)).containsEntry("fuzz_procs", "4")
                .containsEntry("fuzz_unexpected", "0").containsEntry("fuzz_dead", "0")
                .containsEntry("fuzz_status_inconsistent", "0").containsEntry("fuzz_rmmod_succeeded", "0")
                .containsEntry("fuzz_table_after", "ok").containsEntry("fuzz_stop", "0");
        assertThat(num(v, "fuzz_ok")).isPositive();
        assertThat(num(v, "fuzz_status_reads")).isPositive();
        assertThat(num(v, "fuzz_rmmod_attempts")).isPositive();
        assertThat(num(v, "fuzz_modules_inserted") + num(v, "fuzz_modules_removed")).isPositive();

        // b) switching under load: every call accounted for, exactly, in a version that was live
        assertThat(v).containsEntry("switch_ops", Integer.toString(SWITCH)).containsEntry("switch_unexpected", "0")
                .containsEntry("switch_ghost", "0").containsEntry("switch_bad", "0").containsEntry("switch_stop", "0");
        assertThat(num(v, "switch_calls")).isPositive().isEqualTo(num(v, "switch_hits_sum"));
        assertThat(num(v, "switch_activate")).isPositive();
        assertThat(num(v, "switch_register")).isPositive();
        assertThat(num(v, "switch_deregister")).isPositive();
        assertThat(num(v, "switch_handler_set") + num(v, "switch_handler_clear")).isPositive();
        // removing the active version is refused (activate another first), never carried out
        assertThat(num(v, "switch_refused_active")).isPositive();
        assertThat(v).containsEntry("switch_deregister_active", "0");
        assertThat(num(v, "switch_versions_checked")).isPositive();
        v.forEach((key, calls) -> {
            if (key.startsWith("switch_framework_calls_")) {
                String f = key.substring("switch_framework_calls_".length());
                assertThat(calls).as("framework CALLS of %s == its hits since registration", f)
                        .isEqualTo(v.get("switch_since_" + f));
            }
        });

        // c) removal under fire: refused while a task sleeps inside, allowed after release
        assertThat(v.get("fire_versions")).as("sleeping versions found").isEqualTo(String.join(",", SLEEPERS));
        assertThat(v).containsEntry("fire_iterations", Integer.toString(FIRE))
                .containsEntry("fire_allowed_while_busy", "0").containsEntry("fire_failed_iterations", "0");
        // per iteration: each sleeping version (the tail-calling one as its module's last version),
        // and the whole update; after release each of them goes
        assertThat(num(v, "fire_refused")).isEqualTo((long) FIRE * (SLEEPERS.size() + 1));
        assertThat(num(v, "fire_removed_after_release")).isEqualTo((long) FIRE * (SLEEPERS.size() + 1));
        // IN_USE of an original sees a task asleep in the original's .cold part
        assertThat(v).containsEntry("fire_inuse_cold_seen", Integer.toString(FIRE)).containsEntry("fire_inuse_cold_missed", "0");

        // d) leaks: allocations back to their start, every refcount 0 before unloading
        for (String part : List.of("a", "b", "c")) {
            assertThat(v.get(part + "_alloc_start")).as("allocations at the start of part %s", part)
                    .matches("[0-9]+");
            assertThat(v.get(part + "_alloc_end")).as("allocations at the end of part %s", part)
                    .isEqualTo(v.get(part + "_alloc_start"));
        }
        assertThat(v.keySet().stream().filter(k -> k.contains("_refcnt_"))).hasSizeGreaterThanOrEqualTo(7);
        v.forEach((key, count) -> {
            if (key.contains("_refcnt_")) {
                assertThat(count).as(key).isEqualTo("0");
            }
        });

        assertThat(v).containsEntry("kernel_problems", "0").containsEntry("failures", "0");
    }

    private static long num(Map<String, String> v, String key) {
        assertThat(v).containsKey(key);
        return Long.parseLong(v.get(key));
    }
}
