package dynamos.cli;

import dynamos.host.HostPackages;
import dynamos.host.Progress;
import dynamos.kernel.KernelRelease;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "setup",
        mixinStandardHelpOptions = true,
        description = {
            "Install everything DynAMOS needs on this host, idempotently.",
            "",
            "Debian packages for the VM (qemu-system-x86, busybox-static, cpio, kmod) and for module builds "
                    + "(make, gcc, libelf-dev, bc), then the target kernel and its headers (see 'dynamos kernel "
                    + "fetch'), then dynamos.ko built for that kernel (target/kmod/RELEASE/dynamos/). Every other command installs what it needs on first use too; this does it all at "
                    + "once, e.g. before a test run."})
final class SetupCommand extends CliCommand {
    @Mixin
    SharedOptions.TargetKernel target;

    @Override
    public Integer call() {
        List<String> pkgs = new ArrayList<>(HostPackages.VM);
        pkgs.addAll(HostPackages.BUILD);
        Progress.step("Checking host packages: " + String.join(" ", pkgs));
        HostPackages.ensure(pkgs);
        KernelRelease k = target.ensure();
        Path framework = dynamos.framework.FrameworkModule.ensureBuilt(k);
        Progress.step("Ready: kernel " + k.version() + " in " + k.dir() + ", headers in " + k.headers()
                + ", framework " + framework);
        return ExitStatus.SUCCESS.code;
    }
}
