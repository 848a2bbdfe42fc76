package dynamos.kbuild;

import dynamos.host.Exec;
import dynamos.host.HostException;
import dynamos.host.HostPackages;
import dynamos.host.Progress;
import dynamos.kernel.KernelCache;
import dynamos.kernel.KernelRelease;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Builds an out-of-tree kernel module against a kernel's headers with kbuild. Sources are copied to a
 * build directory first, so a source tree (possibly read-only) is never written to.
 */
public final class ModuleBuild {
    private ModuleBuild() {}

    /**
     * Copies the regular files of {@code source} into {@code buildDir}, runs
     * {@code make -C <headers> M=<buildDir> modules}, and returns the built modules.
     *
     * @throws HostException with the compiler's output when the build fails
     */
    public static List<Path> build(Path source, Path buildDir, KernelRelease kernel) {
        HostPackages.ensure(HostPackages.BUILD);
        KernelCache.ensureHeaders(kernel);
        try {
            Files.createDirectories(buildDir);
            if (!source.toAbsolutePath().normalize().equals(buildDir.toAbsolutePath().normalize())) {
                try (Stream<Path> s = Files.list(source)) {
                    for (Path f : s.filter(Files::isRegularFile).toList()) {
                        Files.copy(f, buildDir.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        } catch (IOException e) {
            throw new HostException("cannot prepare build directory " + buildDir + ": " + e.getMessage(), e);
        }
        Progress.step("Building kernel module in " + source + " against " + kernel.version() + " headers");
        int jobs = Math.max(1, Runtime.getRuntime().availableProcessors());
        Exec.Result r = Exec.stream(List.of("make", "-j" + jobs, "-C", kernel.headers().toString(),
                "M=" + buildDir.toAbsolutePath(), "modules"), buildDir, Map.of(), Progress.sink());
        if (!r.ok()) {
            throw new HostException("building the module in " + source + " failed (make exit " + r.exitCode()
                    + "); the compiler said:" + Exec.tail(r.output(), 30));
        }
        try (Stream<Path> s = Files.list(buildDir)) {
            List<Path> kos = s.filter(p -> p.getFileName().toString().endsWith(".ko")).sorted().toList();
            if (kos.isEmpty()) {
                throw new HostException("make succeeded but produced no .ko in " + buildDir
                        + " (does the Kbuild file list obj-m?)");
            }
            return kos;
        } catch (IOException e) {
            throw new HostException("cannot list " + buildDir + ": " + e.getMessage(), e);
        }
    }
}
