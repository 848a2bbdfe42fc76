package dynamos.framework;

import dynamos.host.Exec;
import dynamos.host.HostException;
import dynamos.host.Installation;
import dynamos.host.Progress;
import dynamos.kbuild.ModuleBuild;
import dynamos.kernel.KernelRelease;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Building, loading and unloading dynamos.ko, the in-kernel framework. */
public final class FrameworkModule {
    public static final String NAME = "dynamos";

    private FrameworkModule() {}

    /**
     * Where the framework built by this dynamos for {@code kernelVersion} lives:
     * {@code target/kmod/VERSION/dynamos/dynamos.ko} (the cache's {@code kmod/} when packaged).
     */
    public static Path builtModule(String kernelVersion) {
        return buildDir(kernelVersion).resolve("dynamos.ko");
    }

    static Path buildDir(String kernelVersion) {
        return Installation.buildRoot().resolve(kernelVersion).resolve("dynamos");
    }

    /**
     * The dynamos.ko DKMS built and installed for {@code kernelVersion} under {@code modulesRoot}
     * (normally {@code /lib/modules}): DKMS puts it in {@code updates/dkms/}, older ones in {@code extra/}.
     */
    public static Optional<Path> installedModule(Path modulesRoot, String kernelVersion) {
        Path dir = modulesRoot.resolve(kernelVersion);
        for (String place : List.of("updates/dkms", "extra", "updates")) {
            Path ko = dir.resolve(place).resolve("dynamos.ko");
            if (Files.isRegularFile(ko)) {
                return Optional.of(ko);
            }
        }
        return Optional.empty();
    }

    /** Builds dynamos.ko for {@code kernel} from {@code kernel/} unless an up-to-date build exists. */
    public static Path ensureBuilt(KernelRelease kernel) {
        Path ko = builtModule(kernel.version());
        if (Files.isRegularFile(ko) && !sourcesNewerThan(ko)) {
            return ko;
        }
        ModuleBuild.build(Installation.frameworkSource(), buildDir(kernel.version()), kernel);
        return ko;
    }

    static boolean sourcesNewerThan(Path ko) {
        try (Stream<Path> s = Files.walk(Installation.frameworkSource())) {
            long built = Files.getLastModifiedTime(ko).toMillis();
            return s.filter(Files::isRegularFile).anyMatch(p -> {
                try {
                    return Files.getLastModifiedTime(p).toMillis() > built;
                } catch (IOException e) {
                    return true;
                }
            });
        } catch (IOException e) {
            return true;
        }
    }

    /** Loads the framework module; /dev/dynamos appears. */
    public static void load(Path ko) {
        if (!Files.isRegularFile(ko)) {
            throw new HostException(ko + " does not exist; build the framework for this kernel on the host with:"
                    + " ./dynamos setup" + (Installation.inVm() ? "" : " (or pass --module PATH)"));
        }
        Exec.Result r = Exec.capture(List.of("insmod", ko.toString()));
        if (!r.ok()) {
            throw new HostException("cannot load " + ko + ": " + r.output().strip()
                    + "\n    see the kernel log (dmesg) for the reason; a module built for another kernel, "
                    + "Secure Boot lockdown or a missing CAP_SYS_MODULE are the usual ones");
        }
        for (int i = 0; i < 50 && !Files.exists(dynamos.device.Device.PATH); i++) {
            sleep(20);
        }
        if (!Files.exists(dynamos.device.Device.PATH)) {
            throw new HostException("dynamos.ko loaded but " + dynamos.device.Device.PATH + " did not appear"
                    + " (is devtmpfs mounted on /dev?)");
        }
    }

    /** The modules that use the framework's exports (update modules), from sysfs. */
    public static List<String> holders() {
        Path dir = Path.of("/sys/module", NAME, "holders");
        List<String> out = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.map(p -> p.getFileName().toString()).sorted().forEach(out::add);
            } catch (IOException ignored) {
                // No holders readable: rmmod will say what holds the module.
            }
        }
        return out;
    }

    /** Unloads a module with rmmod, with its message on failure. */
    public static void unload(String module) {
        Exec.Result r = Exec.capture(List.of("rmmod", module));
        if (!r.ok()) {
            throw new HostException("cannot unload " + module + ": " + r.output().strip());
        }
        Progress.detail("unloaded " + module);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
