package dynamos.cli;

import dynamos.kernel.KernelCache;
import dynamos.vm.Vm;
import dynamos.vm.VmOptions;
import dynamos.vm.VmResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Boot Debian's stock kernel in the VM and show DynAMOS at work.",
            "",
            "Installs what is missing, fetches the kernel, boots it under QEMU and, inside, shows the "
                    + "running kernel and the framework status."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--kernel-version", paramLabel = "V", description = "Kernel release (default: Debian's current stock kernel).")
    String version;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "Cache directory (default: $DYNAMOS_CACHE or ~/.cache/dynamos).")
    Path cacheDir;

    @Override
    public Integer call() {
        VmOptions o = new VmOptions();
        o.kernelVersion = version;
        o.timeout = Duration.ofMinutes(5);
        List<String> status = Self.command("status");
        List<String> cmd = new ArrayList<>(List.of("sh", "-c",
                "echo '--- in the guest: uname -r'; uname -r; echo '--- in the guest: dynamos status'; exec \"$@\"",
                "demo"));
        cmd.addAll(status);
        VmResult r = new Vm(KernelCommand.cache(cacheDir)).run(o, cmd, System.out);
        if (!r.kernelProblems().isEmpty()) {
            System.err.println("dynamos: the guest kernel reported problems; see " + r.kernelLogPath());
            return 1;
        }
        return r.exitCode();
    }
}
