package dynamos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dynamos.device.DeviceException;
import dynamos.update.UpdateException;
import dynamos.vm.VmException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class HelpAndExitStatusTest {
    /** Every command's name as typed, e.g. "kernel fetch". */
    private static List<String> commands(CommandLine cl, String prefix) {
        List<String> out = new ArrayList<>();
        cl.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help")) {
                out.add(prefix + name);
                out.addAll(commands(sub, prefix + name + " "));
            }
        });
        return out;
    }

    @Test
    void everyCommandHasHelp() {
        List<String> all = commands(Main.commandLine(), "");
        assertThat(all).contains("register", "activate-group", "in-use", "kernel fetch", "kernel list", "vm", "build");
        for (String command : all) {
            List<String> args = new ArrayList<>(List.of(command.split(" ")));
            args.add("--help");
            CliRun r = CliRun.of(args.toArray(String[]::new));
            assertThat(r.status()).as(command).isZero();
            assertThat(r.out()).as(command).startsWith("Usage: dynamos " + command).contains("-h, --help");
            assertThat(r.err()).as(command).isEmpty();
        }
    }

    @Test
    void sharedOptionsAreOfferedWhereTheyWere() {
        for (String command : List.of("status", "list", "register", "state", "in-use", "activate-group")) {
            assertThat(CliRun.of(command, "--help").out()).as(command).contains("--json");
        }
        for (String command : List.of("build", "demo", "setup", "vm")) {
            assertThat(CliRun.of(command, "--help").out()).as(command).contains("--kernel-version=V").contains("--cache-dir=DIR");
        }
        assertThat(CliRun.of("kernel", "list", "--help").out()).contains("--cache-dir=DIR").contains("--json");
        assertThat(CliRun.of("stop", "--help").out()).contains("Quiescence timeout per removal (default: 5)");
        assertThat(CliRun.of("revert", "--help").out()).contains("Quiescence timeout per removal (default: 5)");
    }

    @Test
    void topLevelHelpListsTheExitStatuses() {
        CliRun r = CliRun.of("--help");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("Exit status:", "  0    success", "  2    bad usage",
                "  3    dynamos in-use: the version is in use", "  124  the VM was killed after its timeout",
                "  125  the VM failed to boot or died", "'dynamos vm' otherwise exits with the guest command's status.");
        assertThat(CliRun.of().out()).as("no command: the usage").startsWith("Usage: dynamos");
    }

    @Test
    void exceptionsMapToTheirStatus() {
        assertThat(ExitStatus.of(new VmException("hung", Path.of("/tmp"), 124))).isEqualTo(124);
        assertThat(ExitStatus.of(new VmException("died", Path.of("/tmp"), 125))).isEqualTo(125);
        assertThat(ExitStatus.of(new DeviceException(16, "busy"))).isEqualTo(1);
        assertThat(ExitStatus.of(new UpdateException("bad"))).isEqualTo(1);
        assertThat(ExitStatus.of(new IllegalArgumentException("bad"))).isEqualTo(1);
        assertThat(ExitStatus.of(new CommandLine.ParameterException(Main.commandLine(), "bad"))).isEqualTo(2);
        assertThat(ExitStatus.expected(new DeviceException(16, "busy"))).isTrue();
        assertThat(ExitStatus.expected(new NullPointerException())).as("a bug").isFalse();
        assertThat(ExitStatus.of(new NullPointerException())).isEqualTo(1);
    }

    @Test
    void anExpectedFailureIsOneLineOnStderr() {
        CliRun r = CliRun.of("apply", "/nonexistent/update");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("dynamos: /nonexistent/update: no such update module or directory" + System.lineSeparator());
        assertThat(r.out()).isEmpty();
    }

    @Test
    void usageErrorsExitWith2() {
        CliRun r = CliRun.of("no-such-command");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("Unmatched argument");
        assertThat(CliRun.of("register", "t", "1").status()).isEqualTo(2);
    }
}
