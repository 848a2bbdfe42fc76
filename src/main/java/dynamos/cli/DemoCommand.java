package dynamos.cli;

import dynamos.framework.FrameworkModule;
import dynamos.host.Installation;
import dynamos.host.Progress;
import dynamos.kernel.KernelCache;
import dynamos.kernel.KernelRelease;
import dynamos.vm.Vm;
import dynamos.vm.VmOptions;
import dynamos.vm.VmResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Boot Debian's stock kernel in the VM and update it live.",
            "",
            "Installs what is missing, fetches the kernel, builds the framework and the examples against its "
                    + "headers, and boots it under QEMU. Inside it starts the framework, applies the get_pid and "
                    + "schedule examples (examples/) live, shows the lines they log, reverts them and stops the "
                    + "framework - all without a reboot. Exits non-zero if a step fails or the guest kernel "
                    + "reports a problem."})
final class DemoCommand extends CliCommand {
    @Mixin
    SharedOptions.TargetKernel target;

    @Override
    public Integer call() {
        KernelCache cache = target.cache();
        KernelRelease kernel = target.ensure();
        FrameworkModule.ensureBuilt(kernel);
        Path getPid = Examples.build("get_pid", kernel).getFirst();
        Path schedule = Examples.build("schedule", kernel).getFirst();
        Progress.step("Everything built; now the live part, in the guest");

        String dynamos = String.join(" ", Self.guestCommand().stream().map(DemoCommand::q).toList());
        Path examples = Installation.examples();
        String script = String.join("\n",
                "set -e",
                "d() { echo; echo \"guest# dynamos $*\"; " + dynamos + " \"$@\"; }",
                "sh_() { echo; echo \"guest# $*\"; sh -c \"$*\"; }",
                "echo \"guest# uname -r\"; uname -r",
                "d status",
                "d start",
                "sh_ insmod " + q(getPid),
                "d run " + q(examples.resolve("get_pid/activate.dynamos")),
                "sh_ 'for i in 1 2 3; do /bin/true; done; dmesg | grep alloc_pid_v2 | tail -n 3'",
                "d status",
                "d run " + q(examples.resolve("get_pid/deactivate.dynamos")),
                "sh_ 'rmmod dynamos_example_get_pid'",
                "sh_ insmod " + q(schedule),
                "d run " + q(examples.resolve("schedule/activate.dynamos")),
                "echo; echo '(waiting for the scheduler to run 5000 times)'",
                "i=0; while ! dmesg | grep -q 'schedule_v2 called' && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done",
                "sh_ 'dmesg | grep schedule_v2 | tail -n 3'",
                "d status",
                "d run " + q(examples.resolve("schedule/deactivate.dynamos")),
                "sh_ 'rmmod dynamos_example_schedule'",
                "d stop",
                "d status",
                "echo; echo 'guest: updated live, reverted, framework stopped - no reboot'");
        VmOptions o = new VmOptions();
        o.kernelVersion = kernel.version();
        o.timeout = Duration.ofMinutes(10);
        o.workDir = Installation.packaged() != null ? Installation.cacheDir() : Installation.repo();
        VmResult r = new Vm(cache).run(o, List.of("sh", "-c", script), outStream());
        if (!r.kernelProblems().isEmpty()) {
            error("the guest kernel reported problems; see " + r.kernelLogPath());
            r.kernelProblems().stream().limit(10).forEach(l -> err().println("    " + l));
            return ExitStatus.FAILURE.code;
        }
        return r.exitCode();
    }

    static String q(Object word) {
        return "'" + word.toString().replace("'", "'\\''") + "'";
    }
}
