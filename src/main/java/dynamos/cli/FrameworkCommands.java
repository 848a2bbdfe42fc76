package dynamos.cli;

import dynamos.framework.Framework;
import dynamos.framework.FrameworkModule;
import dynamos.host.HostException;
import dynamos.host.Installation;
import dynamos.host.Progress;
import dynamos.kernel.KernelRelease;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Starting and stopping the in-kernel framework. */
final class FrameworkCommands {
    private FrameworkCommands() {}

    @Command(name = "start",
            mixinStandardHelpOptions = true,
            description = {
                "Start the framework: load dynamos.ko into the running kernel.",
                "",
                "Without --module: installed from the Debian package, loads the dynamos.ko DKMS built for the "
                        + "running kernel (/lib/modules/RELEASE/updates/dkms/); from a source tree, loads the "
                        + "framework built under target/kmod/RELEASE/, built first on the host when missing or "
                        + "older than kernel/ (this needs the kernel's headers). Inside the VM, build it on the "
                        + "host first with 'dynamos setup'. "
                        + "Starting a started framework does nothing."})
    static final class Start extends CliCommand {
        @Option(names = "--module", paramLabel = "PATH", description = "The dynamos.ko to load.")
        Path module;

        @Override
        public Integer call() {
            if (!start(module)) {
                out().println("framework already started");
                return ExitStatus.SUCCESS.code;
            }
            var table = Framework.currentTable();
            out().println("framework started: dynamos " + table.frameworkVersion() + ", ABI " + table.abi()
                    + ", control device /dev/dynamos");
            return ExitStatus.SUCCESS.code;
        }
    }

    /**
     * Loads {@code module}, or when null the framework for the running kernel as {@link Start} says; returns
     * false when it was started already.
     */
    static boolean start(Path module) {
        if (Framework.started()) {
            return false;
        }
        String release = System.getProperty("os.version");
        Path ko = module;
        if (ko == null && Installation.packaged() != null) {
            // The package's DKMS builds dynamos.ko for every kernel with headers; else build it as below.
            ko = FrameworkModule.installedModule(Path.of("/lib/modules"), release).orElse(null);
        }
        if (ko == null) {
            ko = FrameworkModule.builtModule(release);
            if (!Installation.inVm()) {
                KernelRelease running = new KernelRelease(release, Path.of("/"));
                if (!running.headersInstalled() && !Files.isRegularFile(ko)) {
                    throw new HostException("no dynamos.ko for kernel " + release + " and no headers to build one ("
                            + running.headers() + "); install them: apt-get install " + running.headersPackage());
                }
                if (running.headersInstalled()) {
                    ko = FrameworkModule.ensureBuilt(running);
                }
            }
        }
        Progress.step("Loading " + ko);
        FrameworkModule.load(ko);
        try (Framework fw = Framework.connect()) {
            fw.frameworkVersion();
        }
        return true;
    }

    @Command(name = "stop",
            mixinStandardHelpOptions = true,
            description = {
                "Stop the framework: reverse every update, unload the update modules and dynamos.ko.",
                "",
                "Every update is deactivated and its versions are removed newest first, each after a "
                        + "quiescence check. If a version is still in use when the timeout runs out, stopping "
                        + "fails with the busy tasks named, and the framework stays loaded with what is left, "
                        + "safe; try again later. Stopping a stopped framework does nothing."})
    static final class Stop extends CliCommand {
        @Mixin
        SharedOptions.RemovalTimeout timeout;

        @Override
        public Integer call() {
            if (!Framework.started()) {
                out().println("framework already stopped");
                return ExitStatus.SUCCESS.code;
            }
            if (Files.exists(dynamos.device.Device.PATH)) {
                try (Framework fw = Framework.connect()) {
                    long n = fw.stopAll(timeout.millis());
                    Progress.step("Reversed " + n + " update(s)");
                }
            }
            for (String holder : FrameworkModule.holders()) {
                FrameworkModule.unload(holder);
            }
            FrameworkModule.unload(FrameworkModule.NAME);
            out().println("framework stopped");
            return ExitStatus.SUCCESS.code;
        }
    }
}
