package dynamos.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import dynamos.device.Device;
import dynamos.framework.Framework;
import dynamos.host.Installation;
import dynamos.installed.BootApply;
import dynamos.installed.InstallException;
import dynamos.installed.InstalledUpdate;
import dynamos.installed.InstalledUpdates;
import dynamos.update.Applier;
import dynamos.update.UpdateModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Updates kept across reboots: install, uninstall, and the boot-time apply the systemd unit runs. */
final class InstallCommands {
    private InstallCommands() {}

    /** The names of the updates applied now; none while the framework is stopped. */
    static Set<String> appliedUpdates() {
        if (!Framework.started() || !Files.exists(Device.PATH)) {
            return Set.of();
        }
        return Framework.currentTable().rows().stream().map(r -> r.update()).collect(Collectors.toSet());
    }

    static InstalledUpdates store() {
        return new InstalledUpdates(Installation.stateDir());
    }

    @Command(name = "install", mixinStandardHelpOptions = true,
            description = {
                "Keep an update so that it is applied at every boot (by the dynamos systemd unit).",
                "",
                "UPDATE is a built update module (.ko) or an update directory (its module built for the kernel "
                        + "is taken from DIR/build/RELEASE/). It is checked first: a kernel module with a DYNAMOS "
                        + "declaration whose functions it defines, built for the kernel it is installed for. A "
                        + "copy goes to /var/lib/dynamos/updates/ORDER-NAME/ with its SHA-256; the boot applies "
                        + "exactly that copy, in install order, and skips it on any other kernel. Installing does "
                        + "not apply it now: 'dynamos apply UPDATE' does (or 'systemctl restart dynamos').",
                "",
                "One update name may be installed once per kernel release (uninstall it first to replace it)."})
    static final class Install extends CliCommand {
        @Parameters(index = "0", paramLabel = "UPDATE", description = "Update module (.ko) or update directory.")
        Path update;

        @Option(names = "--kernel-version", paramLabel = "V",
                description = "The kernel release the update is for (default: the running kernel's).")
        String kernelVersion;

        @Mixin
        SharedOptions.Json json;

        @Override
        public Integer call() {
            String release = kernelVersion != null ? kernelVersion : System.getProperty("os.version");
            Path ko = UpdateCommands.Apply.module(update, release).toAbsolutePath();
            UpdateModule m = UpdateModule.read(ko);
            List<String> missing = m.missingFunctions();
            if (!missing.isEmpty()) {
                throw new InstallException(ko + " declares functions it does not define: "
                        + String.join(", ", missing) + "; rebuild it with: dynamos build DIR");
            }
            if (!m.builtFor().equals(release)) {
                throw new InstallException(ko + " is built for kernel " + m.builtFor() + ", not " + release
                        + "; build it for that kernel: dynamos build DIR --kernel-version " + release);
            }
            InstalledUpdate u = store().install(m.declaration().name(), m.moduleName(), ko, release, ko.toString());
            if (json.requested) {
                json.print(u);
                return ExitStatus.SUCCESS.code;
            }
            out().println("installed " + u.name() + " for kernel " + release + " as #" + u.order() + " ("
                    + u.modulePath(store().updatesDir()) + ")");
            out().println("the dynamos unit applies it at boot; to apply it now: dynamos apply " + ko);
            return ExitStatus.SUCCESS.code;
        }
    }

    @Command(name = "uninstall", mixinStandardHelpOptions = true,
            description = {
                "Stop applying an installed update at boot: remove its copy from /var/lib/dynamos/updates/.",
                "",
                "Removes NAME for every kernel it is installed for, or for --kernel-version only. An applied "
                        + "update stays applied until 'dynamos revert NAME' or the next boot."})
    static final class Uninstall extends CliCommand {
        @Parameters(index = "0", paramLabel = "NAME", converter = Converters.UpdateName.class,
                description = "The update's name (see 'dynamos list --installed').")
        String name;

        @Option(names = "--kernel-version", paramLabel = "V", description = "Only the copy for this kernel release.")
        String kernelVersion;

        @Override
        public Integer call() {
            for (InstalledUpdate u : store().uninstall(name, kernelVersion)) {
                out().println("uninstalled " + u.name() + " (#" + u.order() + ", kernel " + u.kernel() + ")");
            }
            if (appliedUpdates().contains(name)) {
                out().println(name + " is still applied; to revert it now: dynamos revert " + name);
            }
            return ExitStatus.SUCCESS.code;
        }
    }

    @Command(name = "boot", mixinStandardHelpOptions = true,
            description = {
                "Apply the installed updates built for the running kernel, in install order.",
                "",
                "What the dynamos systemd unit runs at boot (see 'systemctl status dynamos' and "
                        + "'journalctl -u dynamos'). Starts the framework when there is an update to apply. Each "
                        + "update is applied as 'dynamos apply' does; one built for another kernel, one whose "
                        + "file changed since it was installed, or one already applied is skipped, saying why. "
                        + "A failure does not stop the others. Exit status 1 when an update for this kernel "
                        + "failed or changed, so that the unit shows failed."})
    static final class Boot extends CliCommand {
        @Mixin
        SharedOptions.RemovalTimeout timeout;

        @Override
        public Integer call() {
            BootApply.Kernel kernel = new BootApply.Kernel() {
                @Override
                public String release() {
                    return System.getProperty("os.version");
                }

                @Override
                public Set<String> appliedUpdates() {
                    return InstallCommands.appliedUpdates();
                }

                @Override
                public void startFramework() {
                    if (FrameworkCommands.start(null)) {
                        out().println("framework started");
                    }
                }

                @Override
                public void apply(Path module) {
                    new Applier(outStream()).apply(UpdateModule.read(module), timeout.millis());
                }
            };
            List<BootApply.Outcome> outcomes = BootApply.run(store(), kernel, out()::println);
            return BootApply.succeeded(outcomes) ? ExitStatus.SUCCESS.code : ExitStatus.FAILURE.code;
        }
    }

    /** One installed update as {@code list --installed} shows it. */
    record ShownInstalled(int order, String name, String module, String kernel, @JsonProperty("installed_at")
            String installedAt, String path, String sha256, @JsonProperty("this_kernel") boolean thisKernel,
            boolean applied) {}

    static List<ShownInstalled> installed() {
        InstalledUpdates store = store();
        String release = System.getProperty("os.version");
        Set<String> applied = appliedUpdates();
        return store.list().stream().map(u -> new ShownInstalled(u.order(), u.name(), u.module(), u.kernel(),
                u.installedAt(), u.modulePath(store.updatesDir()).toString(), u.sha256(), u.kernel().equals(release),
                u.kernel().equals(release) && applied.contains(u.name()))).toList();
    }
}
