package dynamos.cli;

import dynamos.host.HostException;
import dynamos.vm.VmException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code dynamos} command: entry point and subcommand table. */
@Command(name = "dynamos",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
            "Dynamic and adaptive updates of a running Linux kernel.",
            "",
            "DynAMOS replaces, adapts and reverses kernel functions on the fly, with no reboot and no "
                    + "specially built kernel. By default it works against Debian's stock kernel booted "
                    + "under QEMU (see 'dynamos vm'); on a real machine the same commands act on the "
                    + "running kernel."},
        subcommands = {
            DemoCommand.class,
            FrameworkCommands.Start.class,
            FrameworkCommands.Stop.class,
            StatusCommand.class,
            ControlCommands.Register.class,
            ControlCommands.Deregister.class,
            ControlCommands.Activate.class,
            ControlCommands.Hook.class,
            ControlCommands.Rule.class,
            ControlCommands.Call.class,
            ControlCommands.Run.class,
            SynchronizationCommands.ActivateGroup.class,
            SynchronizationCommands.State.class,
            SynchronizationCommands.InUse.class,
            BuildCommand.class,
            UpdateCommands.Apply.class,
            UpdateCommands.Revert.class,
            UpdateCommands.ListUpdates.class,
            VmCommand.class,
            KernelCommand.class,
            SetupCommand.class,
            CommandLine.HelpCommand.class},
        footerHeading = "%nExit status:%n",
        footer = {
            "  0    success",
            "  1    the operation failed; stderr says why and what to do",
            "  2    bad usage",
            "  3    dynamos in-use: the version is in use",
            "  124  the VM was killed after its timeout",
            "  125  the VM failed to boot or died",
            "  'dynamos vm' otherwise exits with the guest command's status."})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit status (for tests and for {@link #main}). */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (ex instanceof VmException vm) {
                err.println("dynamos: " + vm.getMessage());
                err.flush();
                return vm.exitCode();
            }
            if (ex instanceof HostException || ex instanceof IllegalArgumentException
                    || ex instanceof java.io.UncheckedIOException || ex instanceof dynamos.update.UpdateException
                    || ex instanceof dynamos.elf.ElfException || ex instanceof dynamos.btf.BtfException) {
                err.println("dynamos: " + ex.getMessage());
                err.flush();
                return 1;
            }
            throw ex;
        });
        return cl.execute(args);
    }

    /** Version from the jar manifest, when built. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"dynamos " + (v == null ? "(development build)" : v)};
        }
    }
}
