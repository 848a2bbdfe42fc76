package dynamos.cli;

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
            MonitorCommand.class,
            BuildCommand.class,
            AnalyzeCommand.class,
            GenerateCommand.class,
            UpdateCommands.Apply.class,
            UpdateCommands.Revert.class,
            UpdateCommands.ListUpdates.class,
            InstallCommands.Install.class,
            InstallCommands.Uninstall.class,
            InstallCommands.Boot.class,
            TopCommand.class,
            VmCommand.class,
            KernelCommand.class,
            SetupCommand.class,
            UiCommand.class,
            CommandLine.HelpCommand.class},
        // The footer itself is ExitStatus's table, set in commandLine().
        footerHeading = "%nExit status:%n")
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line on this process's stdout and stderr and returns the exit status (for {@link #main}). */
    public static int execute(String... args) {
        // Made now, not once: a test command server swaps System.out and System.err between commands.
        return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs the command line with output to {@code out} and {@code err}; returns the exit status. */
    static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        try {
            return cl.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** The command tree with the exit status table and the one-line error report of expected failures. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.getCommandSpec().usageMessage().footer(ExitStatus.helpFooter());
        cl.setExitCodeExceptionMapper(ExitStatus.MAPPER);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (!ExitStatus.expected(ex)) {
                throw ex;
            }
            commandLine.getErr().println("dynamos: " + ex.getMessage());
            return ExitStatus.of(ex);
        });
        return cl;
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
