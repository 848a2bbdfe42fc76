package dynamos.cli;

import dynamos.host.HostPackages;
import dynamos.host.Progress;
import dynamos.kernel.KernelCache;
import dynamos.kernel.KernelRelease;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "setup",
        mixinStandardHelpOptions = true,
        description = {
            "Install everything DynAMOS needs on this host, idempotently.",
            "",
            "Debian packages for the VM (qemu-system-x86, busybox-static, cpio, kmod) and for module builds "
                    + "(make, gcc, libelf-dev, bc), then the target kernel and its headers (see 'dynamos kernel "
                    + "fetch'), then dynamos.ko built for that kernel (target/kmod/RELEASE/dynamos/). Every other command installs what it needs on first use too; this does it all at "
                    + "once, e.g. before a test run."})
final class SetupCommand implements Callable<Integer> {
    @Option(names = "--kernel-version", paramLabel = "V", description = "Kernel release (default: Debian's current stock kernel).")
    String version;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "Cache directory (default: $DYNAMOS_CACHE or ~/.cache/dynamos).")
    Path cacheDir;

    @Override
    public Integer call() {
        List<String> pkgs = new ArrayList<>(HostPackages.VM);
        pkgs.addAll(HostPackages.BUILD);
        Progress.step("Checking host packages: " + String.join(" ", pkgs));
        HostPackages.ensure(pkgs);
        KernelRelease k = KernelCommand.cache(cacheDir).ensure(version);
        Path framework = dynamos.framework.FrameworkModule.ensureBuilt(k);
        Progress.step("Ready: kernel " + k.version() + " in " + k.dir() + ", headers in " + k.headers()
                + ", framework " + framework);
        return 0;
    }
}
