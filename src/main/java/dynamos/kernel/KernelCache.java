package dynamos.kernel;

import dynamos.host.Exec;
import dynamos.host.HostException;
import dynamos.host.HostPackages;
import dynamos.host.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The cache of Debian kernels to boot in the VM. A kernel is fetched with {@code apt-get download} and
 * unpacked with {@code dpkg-deb -x}, so nothing is installed on the host except its headers package,
 * which out-of-tree module builds need.
 */
public final class KernelCache {
    private static final String COMPLETE = ".complete";
    private final Path root;

    public KernelCache(Path root) {
        this.root = root;
    }

    /** {@code $DYNAMOS_CACHE}, else {@code ~/.cache/dynamos}. */
    public static Path defaultRoot() {
        return dynamos.host.Installation.cacheDir();
    }

    public static KernelCache atDefault() {
        return new KernelCache(defaultRoot());
    }

    public Path root() {
        return root;
    }

    public Path kernelsDir() {
        return root.resolve("kernels");
    }

    /** The cached release, if it was fetched completely. */
    public Optional<KernelRelease> cached(String version) {
        Path dir = kernelsDir().resolve(version);
        if (Files.isRegularFile(dir.resolve(COMPLETE))) {
            return Optional.of(new KernelRelease(version, dir));
        }
        return Optional.empty();
    }

    /** Every completely fetched release, newest name last. */
    public List<KernelRelease> list() {
        List<KernelRelease> out = new ArrayList<>();
        if (!Files.isDirectory(kernelsDir())) {
            return out;
        }
        try (Stream<Path> s = Files.list(kernelsDir())) {
            s.sorted().forEach(d -> cached(d.getFileName().toString()).ifPresent(out::add));
        } catch (IOException e) {
            throw new HostException("cannot list " + kernelsDir() + ": " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * The release to use: {@code version} if given, else Debian's current default. Fetches it and
     * installs its headers when they are missing.
     */
    public KernelRelease ensure(String version) {
        String v = version == null ? DebianKernels.currentDefault() : DebianKernels.normalise(version);
        KernelRelease k = cached(v).orElseGet(() -> fetch(v));
        ensureHeaders(k);
        return k;
    }

    /** Downloads and unpacks {@code linux-image-VERSION} into the cache (replacing a partial copy). */
    public KernelRelease fetch(String version) {
        if (!DebianKernels.served(version)) {
            List<String> served = DebianKernels.servedReleases();
            throw new HostException("Debian serves no package linux-image-" + version
                    + (served.isEmpty() ? "" : "\n    available: " + String.join(", ", served)));
        }
        HostPackages.ensure(List.of("kmod"));
        Path dir = kernelsDir().resolve(version);
        Path work = kernelsDir().resolve("." + version + ".partial");
        try {
            deleteTree(work);
            Files.createDirectories(work);
            Progress.step("Downloading Debian kernel linux-image-" + version);
            Path tree = work.resolve("tree");
            dynamos.host.AptInstaller.onHost().downloadAndUnpack("linux-image-" + version, work, tree, Progress::step);
            if (!Files.isRegularFile(tree.resolve("boot/vmlinuz-" + version))) {
                throw new HostException("package linux-image-" + version + " holds no boot/vmlinuz-" + version);
            }
            // Debian ships no modules.dep: the initramfs and modprobe in the guest need one.
            Exec.capture(List.of("depmod", "-b", tree.toString(), version)).orThrow("depmod");
            Files.writeString(tree.resolve(COMPLETE), version + "\n");
            deleteTree(dir);
            Files.move(tree, dir, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(work);
        } catch (IOException e) {
            throw new HostException("cannot fetch kernel " + version + " into " + dir + ": " + e.getMessage(), e);
        }
        Progress.detail("cached in " + dir);
        return new KernelRelease(version, dir);
    }

    /** Installs {@code linux-headers-VERSION} with apt when its kbuild tree is missing. */
    public static void ensureHeaders(KernelRelease k) {
        if (!k.headersInstalled()) {
            HostPackages.ensure(List.of(k.headersPackage()));
            if (!k.headersInstalled()) {
                throw new HostException(k.headersPackage() + " is installed but " + k.headers()
                        + " has no Makefile; reinstall it: apt-get install --reinstall " + k.headersPackage());
            }
        }
    }

    /** Size on disk, for listings. */
    public static long size(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            return -1;
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
