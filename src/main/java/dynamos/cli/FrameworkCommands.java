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
                "Without --module, loads the framework built for the running kernel under target/kmod/RELEASE/; "
                        + "on the host it is built first when missing or older than kernel/ (this needs the "
                        + "kernel's headers). Inside the VM, build it on the host first with 'dynamos setup'. "
                        + "Starting a started framework does nothing."})
    static final class Start extends CliCommand {
        @Option(names = "--module", paramLabel = "PATH", description = "The dynamos.ko to load.")
        Path module;

        @Override
        public Integer call() {
            if (Framework.started()) {
                out().println("framework already started");
                return ExitStatus.SUCCESS.code;
            }
            String release = System.getProperty("os.version");
            Path ko = module;
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
            var table = Framework.currentTable();
            out().println("framework started: dynamos " + table.frameworkVersion() + ", ABI " + table.abi()
                    + ", control device /dev/dynamos");
            return ExitStatus.SUCCESS.code;
        }
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
