package dynamos.btf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dynamos.elf.ElfObject;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The target kernel (Debian 6.1) from the dynamos cache: its vmlinux BTF, extracted from the bzImage, and
 * a module's {@code .BTF} section, which is split BTF against it.
 */
class TargetKernelBtfTest {
    static Btf vmlinux;
    static ElfObject module;

    @BeforeAll
    static void read() throws Exception {
        assumeTrue(TargetKernel.present(), "the target kernel is not in the cache (dynamos kernel fetch), or xz is missing");
        Path ko = TargetKernel.anyModule().orElse(null);
        assumeTrue(ko != null, "the cached kernel has no vsock_loopback.ko");
        vmlinux = TargetKernel.vmlinuxBtf();
        module = ElfObject.read(ko);
    }

    @Test
    void theVmlinuxBtfHasTheTargetsPrototypes() {
        assertThat(vmlinux.prototype("alloc_pid").orElseThrow().toString())
                .isEqualTo("struct pid *alloc_pid(struct pid_namespace *ns, pid_t *set_tid, size_t set_tid_size)");
        assertThat(vmlinux.prototype("schedule").orElseThrow().toString()).isEqualTo("void schedule(void)");
        assertThat(vmlinux.prototype("pipe_write").orElseThrow().toString())
                .isEqualTo("ssize_t pipe_write(struct kiocb *iocb, struct iov_iter *from)");
    }

    @Test
    void aModulesBtfSectionIsSplitAgainstVmlinux() {
        Btf split = Btf.fromElf(module, vmlinux);

        assertThat(split.firstTypeId()).isEqualTo(vmlinux.lastTypeId() + 1);
        assertThat(split.lastTypeId()).isGreaterThan(split.firstTypeId());
        assertThat(split.origin()).endsWith("vsock_loopback.ko .BTF");
        assertThat(split.prototype("vsock_loopback_send_pkt").orElseThrow().toString())
                .isEqualTo("int vsock_loopback_send_pkt(struct sk_buff *skb)");
        assertThat(split.prototype("vsock_loopback_work").orElseThrow().toString())
                .isEqualTo("void vsock_loopback_work(struct work_struct *work)");
        // Lookups reach the base's functions too.
        assertThat(split.prototype("schedule")).isEqualTo(vmlinux.prototype("schedule"));
    }

    @Test
    void withoutItsBaseAModulesBtfIsRefusedWithAHint() {
        assertThatThrownBy(() -> Btf.fromElf(module)).isInstanceOf(BtfException.class)
                .hasMessageContaining("this looks like split BTF (a module's), so parse it with its base");
        BtfHeader header = BtfHeader.parse(Btf.btfSection(module), "vsock_loopback.ko");
        assertThat(header.version()).isEqualTo(1);
        assertThat(header.typeLength()).isPositive();
    }
}
