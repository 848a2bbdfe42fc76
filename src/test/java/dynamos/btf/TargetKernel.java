package dynamos.btf;

import dynamos.elf.NativeTools;
import dynamos.kernel.KernelCache;
import dynamos.kernel.KernelRelease;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;

/**
 * The fetched target kernel (Debian's 6.1) in the dynamos cache, for tests of split BTF: its modules'
 * {@code .BTF} sections extend the vmlinux BTF, which {@link KernelBtf} extracts from the bzImage.
 */
final class TargetKernel {
    private static Btf vmlinuxBtf;

    private TargetKernel() {}

    /** The newest cached kernel, if any (tests that need it are skipped otherwise). */
    static Optional<KernelRelease> release() {
        return KernelCache.atDefault().list().stream().filter(k -> Files.isRegularFile(k.image()))
                .max(Comparator.comparing(KernelRelease::version));
    }

    static boolean present() {
        return release().isPresent() && NativeTools.available("xz");
    }

    static Path module(String relativePath) {
        return release().orElseThrow().modules().resolve("kernel").resolve(relativePath);
    }

    /** The vmlinux BTF (extracted into the cache once). */
    static synchronized Btf vmlinuxBtf() {
        if (vmlinuxBtf == null) {
            vmlinuxBtf = KernelBtf.read(release().orElseThrow());
        }
        return vmlinuxBtf;
    }

    static Optional<Path> anyModule() {
        Path p = module("net/vmw_vsock/vsock_loopback.ko");
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }
}
