package dynamos.cli;

import dynamos.vm.Vm;
import dynamos.vm.VmOptions;
import dynamos.vm.VmResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "vm",
        mixinStandardHelpOptions = true,
        showEndOfOptionsDelimiterInUsageHelp = true,
        description = {
            "Boot Debian's stock kernel under QEMU and run COMMAND inside as root.",
            "",
            "The host's root filesystem is the guest's root, read-only over 9p under a tmpfs overlay, so "
                    + "the same JDK, jars and built modules work inside and the guest's writes stay in guest "
                    + "memory (--share DIR writes through to the host). The command runs in the current "
                    + "directory. Its output is streamed; the exit status is the command's.",
            "",
            "The whole console log and the kernel log (dmesg) are saved in a run directory under the cache "
                    + "(printed at boot). The kernel is fetched on first use (see 'dynamos kernel fetch').",
            "",
            "Examples:",
            "  dynamos vm -- uname -r",
            "  dynamos vm --smp 2 -- sh -c 'insmod kernel/dynamos.ko && cat /dev/dynamos'",
            "  dynamos vm --icount -- ./bench/run.sh        # instruction-counted, one vCPU"})
final class VmCommand extends CliCommand {
    @Mixin
    SharedOptions.TargetKernel target;

    @Option(names = "--accel", paramLabel = "tcg|kvm", defaultValue = "tcg",
            description = "QEMU accelerator (default: ${DEFAULT-VALUE}; KVM hangs on some hosts).")
    String accel;

    @Option(names = "--tcg-threads", paramLabel = "multi|single", defaultValue = "multi",
            description = "TCG: a host thread per vCPU (multi, default: fastest with a free core each) or one for "
                    + "all (single: wastes no CPU when guests side by side want more cores than the host has).")
    String tcgThreads;

    @Option(names = "--smp", paramLabel = "N", defaultValue = "2", description = "Virtual CPUs (default: ${DEFAULT-VALUE}).")
    int smp;

    @Option(names = "--memory", paramLabel = "MIB", defaultValue = "2048", description = "Guest memory in MiB (default: ${DEFAULT-VALUE}).")
    int memory;

    @Option(names = "--icount",
            description = "Count guest time in instructions (-icount shift=0) for repeatable benchmarks; forces one vCPU.")
    boolean icount;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "600",
            description = "Kill the guest after this long (default: ${DEFAULT-VALUE}); exit status 124.")
    long timeout;

    @Option(names = "--boot-timeout", paramLabel = "SECONDS", defaultValue = "180",
            description = "A kernel that has not started init after this long hung while booting (default: "
                    + "${DEFAULT-VALUE}): it is killed and booted once more; a second hang exits 125.")
    long bootTimeout;

    @Option(names = "--share", paramLabel = "DIR",
            description = "A host directory the guest may write, at the same path (for results).")
    Path share;

    @Option(names = "--console-log", paramLabel = "FILE", description = "Also copy the console log to FILE.")
    Path consoleLog;

    @Option(names = "--env", paramLabel = "NAME=VALUE", description = "Set an environment variable for COMMAND (repeatable).")
    Map<String, String> env = Map.of();

    @Option(names = "--forward", paramLabel = "HOST:GUEST", converter = Converters.PortForward.class,
            description = "Forward TCP port HOST of the host's 127.0.0.1 to port GUEST of the guest (repeatable; PORT "
                    + "alone: the same on both). The guest then has a network card, address 10.0.2.15, and no route out.")
    List<VmOptions.Forward> forwards = List.of();

    @Option(names = "--systemd",
            description = "Boot the host's systemd as the guest's init; COMMAND runs as a service after basic.target "
                    + "(units such as dynamos.service run first, systemctl and journalctl work).")
    boolean systemd;

    @Option(names = "--before-systemd", paramLabel = "SHELL",
            description = "With --systemd: shell commands run as root before systemd starts (state a real machine "
                    + "has from before its boot, e.g. a package installed).")
    String beforeSystemd;

    @Option(names = "--append", paramLabel = "ARGS", description = "Extra kernel command line parameters.")
    String kernelArgs = "";

    @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "The command to run in the guest, after --.")
    List<String> command;

    @Override
    public Integer call() {
        VmOptions o = new VmOptions();
        o.kernelVersion = target.version;
        o.accel = switch (accel.toLowerCase()) {
            case "tcg" -> VmOptions.Accel.TCG;
            case "kvm" -> VmOptions.Accel.KVM;
            default -> throw new IllegalArgumentException("--accel takes tcg or kvm, not '" + accel + "'");
        };
        o.tcgThreads = switch (tcgThreads.toLowerCase()) {
            case "multi" -> VmOptions.TcgThreads.MULTI;
            case "single" -> VmOptions.TcgThreads.SINGLE;
            default -> throw new IllegalArgumentException("--tcg-threads takes multi or single, not '" + tcgThreads + "'");
        };
        if (smp < 1 || smp > 64) {
            throw new IllegalArgumentException("--smp takes 1 to 64, not " + smp);
        }
        if (memory < 256) {
            throw new IllegalArgumentException("--memory needs at least 256 MiB, not " + memory);
        }
        if (timeout < 1) {
            throw new IllegalArgumentException("--timeout takes a positive number of seconds");
        }
        if (bootTimeout < 1) {
            throw new IllegalArgumentException("--boot-timeout takes a positive number of seconds");
        }
        o.smp = smp;
        o.memoryMiB = memory;
        o.icount = icount;
        o.timeout = Duration.ofSeconds(timeout);
        o.bootTimeout = Duration.ofSeconds(bootTimeout);
        o.share = share;
        o.systemd = systemd;
        if (beforeSystemd != null) {
            if (!systemd) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--before-systemd needs --systemd");
            }
            o.beforeSystemd = beforeSystemd;
        }
        o.consoleLog = consoleLog;
        o.env.putAll(env);
        o.kernelArgs = kernelArgs;
        o.forwards.addAll(forwards);
        VmResult r = new Vm(target.cache()).run(o, command, outStream());
        List<String> problems = r.kernelProblems();
        if (!problems.isEmpty()) {
            error("the guest kernel reported problems (see " + r.kernelLogPath() + "):");
            problems.stream().limit(10).forEach(l -> err().println("    " + l));
        }
        return r.exitCode();
    }
}
