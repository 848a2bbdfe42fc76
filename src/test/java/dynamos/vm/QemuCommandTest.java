package dynamos.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dynamos.kernel.KernelCache;
import dynamos.kernel.KernelRelease;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QemuCommandTest {
    @TempDir
    Path dir;

    private List<String> command(VmOptions o) {
        return new Vm(new KernelCache(dir)).qemuCommand(o, new KernelRelease("6.1.0-1-amd64", dir), dir.resolve("initrd"),
                dir.resolve("run"));
    }

    private static String accel(List<String> q) {
        return q.get(q.indexOf("-accel") + 1);
    }

    @Test
    void tcgRunsAThreadPerVcpuUnlessToldToShareOne() {
        VmOptions o = new VmOptions();
        assertThat(accel(command(o))).isEqualTo("tcg");
        o.tcgThreads = VmOptions.TcgThreads.SINGLE;
        assertThat(accel(command(o))).isEqualTo("tcg,thread=single");
        // icount runs one thread anyway; KVM has no TCG threads.
        o.icount = true;
        assertThat(accel(command(o))).isEqualTo("tcg");
        o.icount = false;
        o.accel = VmOptions.Accel.KVM;
        assertThat(accel(command(o))).isEqualTo("kvm");
    }
}
