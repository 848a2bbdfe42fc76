package dynamos.cli;

import dynamos.framework.Framework;
import dynamos.framework.FrameworkModule;
import dynamos.host.HostException;
import dynamos.host.Installation;
import dynamos.host.Progress;
import dynamos.kernel.KernelRelease;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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
    static final class Start implements Callable<Integer> {
        @Option(names = "--module", paramLabel = "PATH", description = "The dynamos.ko to load.")
        Path module;

        @Override
        public Integer call() {
            if (Framework.started()) {
                System.out.println("framework already started");
                return 0;
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
            System.out.println("framework started: dynamos " + table.frameworkVersion() + ", ABI " + table.abi()
                    + ", control device /dev/dynamos");
            return 0;
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
    static final class Stop implements Callable<Integer> {
        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "5",
                description = "Quiescence timeout per removal (default: ${DEFAULT-VALUE}).")
        double timeout;

        @Override
        public Integer call() {
            if (!Framework.started()) {
                System.out.println("framework already stopped");
                return 0;
            }
            if (!(timeout > 0 && timeout <= 600)) {
                throw new IllegalArgumentException("--timeout takes 0 to 600 seconds");
            }
            if (Files.exists(dynamos.device.Device.PATH)) {
                try (Framework fw = Framework.connect()) {
                    long n = fw.stopAll((int) Math.round(timeout * 1000));
                    Progress.step("Reversed " + n + " update(s)");
                }
            }
            for (String holder : FrameworkModule.holders()) {
                FrameworkModule.unload(holder);
            }
            FrameworkModule.unload(FrameworkModule.NAME);
            System.out.println("framework stopped");
            return 0;
        }
    }
}
