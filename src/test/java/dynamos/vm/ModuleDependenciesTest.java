package dynamos.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModuleDependenciesTest {
    // The shape of Debian 6.1's modules.dep for the modules the guest loads.
    static final String DEP = """
            kernel/fs/9p/9p.ko: kernel/net/9p/9pnet.ko kernel/fs/fscache/fscache.ko kernel/fs/netfs/netfs.ko
            kernel/fs/fscache/fscache.ko: kernel/fs/netfs/netfs.ko
            kernel/fs/netfs/netfs.ko:
            kernel/net/9p/9pnet.ko:
            kernel/net/9p/9pnet_virtio.ko: kernel/net/9p/9pnet.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
            kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko
            kernel/drivers/virtio/virtio_ring.ko:
            kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio_pci_legacy_dev.ko kernel/drivers/virtio/virtio_pci_modern_dev.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
            kernel/drivers/virtio/virtio_pci_legacy_dev.ko:
            kernel/drivers/virtio/virtio_pci_modern_dev.ko:
            kernel/drivers/net/some-thing.ko.xz:
            """;

    @Test
    void ordersEveryModuleAfterItsDependencies() {
        List<String> order = ModuleDependencies.parse(DEP).loadOrder(List.of("virtio_pci", "9pnet_virtio", "9p"));
        assertThat(order).hasSize(10).doesNotHaveDuplicates();
        assertBefore(order, "virtio_ring.ko", "virtio.ko");
        assertBefore(order, "virtio.ko", "virtio_pci.ko");
        assertBefore(order, "9pnet.ko", "9pnet_virtio.ko");
        assertBefore(order, "netfs.ko", "fscache.ko");
        assertBefore(order, "fscache.ko", "9p.ko");
    }

    @Test
    void namesNormaliseDashesAndCompression() {
        assertThat(ModuleDependencies.nameOf("kernel/drivers/net/some-thing.ko.xz")).isEqualTo("some_thing");
        assertThat(ModuleDependencies.parse(DEP).loadOrder(List.of("some-thing")))
                .containsExactly("kernel/drivers/net/some-thing.ko.xz");
    }

    @Test
    void unknownModulesAndCyclesAreErrors() {
        assertThatThrownBy(() -> ModuleDependencies.parse(DEP).loadOrder(List.of("nope")))
                .hasMessageContaining("no module nope");
        assertThatThrownBy(() -> ModuleDependencies.parse("a.ko: b.ko\nb.ko: a.ko\n").loadOrder(List.of("a")))
                .hasMessageContaining("cycle");
    }

    private static void assertBefore(List<String> order, String first, String then) {
        int a = indexOfSuffix(order, "/" + first);
        int b = indexOfSuffix(order, "/" + then);
        assertThat(a).as(first + " before " + then + " in " + order).isLessThan(b);
    }

    private static int indexOfSuffix(List<String> order, String suffix) {
        for (int i = 0; i < order.size(); i++) {
            if (order.get(i).endsWith(suffix)) {
                return i;
            }
        }
        throw new AssertionError(suffix + " missing from " + order);
    }
}
