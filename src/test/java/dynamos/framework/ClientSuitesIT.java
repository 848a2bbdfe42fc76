package dynamos.framework;

import static dynamos.testing.Guest.q;
import static org.assertj.core.api.Assertions.assertThat;

import dynamos.testing.FrameworkGuest;
import dynamos.testing.Guest;
import dynamos.vm.VmOptions;
import dynamos.vm.VmResult;
import org.junit.jupiter.api.Test;

/**
 * End to end, in the VM: the two bash suites that drive the kernel with the C client dynctl, no Java in
 * between. {@code src/test/kmod/ctl/vmtest.sh} checks the ioctl ABI at the errno level (each refusal's
 * exact errno, version-number reuse, exact counters with two processes on two versions at once, a
 * pre-removal hook that releases a sleeper, STOP halting at a busy update, an fd passed to a non-root
 * process); {@code src/test/kmod/shadow/vmtest.sh} the shadow data API of {@code <dynamos.h>} (every
 * call, hardirq and softirq contexts, racing kthreads, lookups in an adaptation handler, cleanup at
 * unload). Each prints PASS/FAIL lines and exits with its number of failures.
 */
class ClientSuitesIT {
    @Test
    void theIoctlSuitePasses() {
        VmResult r = Guest.runClean(FrameworkGuest.options(), "exec bash " + q(Guest.REPO.resolve("src/test/kmod/ctl/vmtest.sh")));
        assertThat(r.output()).contains("PASS: ").doesNotContain("FAIL: ").contains("failures: 0");
    }

    @Test
    void theShadowDataSuitePasses() {
        VmOptions o = FrameworkGuest.options();
        o.env.put("SHADOW", FrameworkGuest.buildFrameworkTestModule("shadow").toString());
        VmResult r = Guest.runClean(o, "exec bash " + q(Guest.REPO.resolve("src/test/kmod/shadow/vmtest.sh")));
        assertThat(r.output()).contains("PASS: ").doesNotContain("FAIL: ").doesNotContain("SKIP: ")
                .contains("failures: 0");
    }
}
