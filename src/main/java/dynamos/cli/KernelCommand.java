package dynamos.cli;

import dynamos.kernel.DebianKernels;
import dynamos.kernel.KernelCache;
import dynamos.kernel.KernelRelease;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "kernel",
        mixinStandardHelpOptions = true,
        description = "Fetch and list the Debian kernels the VM boots.",
        subcommands = {KernelCommand.Fetch.class, KernelCommand.ListCached.class})
final class KernelCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "fetch",
            mixinStandardHelpOptions = true,
            description = {
                "Download Debian's stock kernel into the cache without installing it on the host.",
                "",
                "The release is the one the linux-image-amd64 package depends on today (asked of apt), unless "
                        + "--kernel-version names another that Debian still serves. The image, System.map, config "
                        + "and modules are unpacked under CACHE/kernels/RELEASE; the matching linux-headers package "
                        + "is installed with apt so that modules can be built against it. Fetching again is a no-op "
                        + "unless --force."})
    static final class Fetch extends CliCommand {
        @Mixin
        SharedOptions.TargetKernel target;

        @Option(names = "--force", description = "Download and unpack again even if cached.")
        boolean force;

        @Override
        public Integer call() {
            KernelCache c = target.cache();
            String v = target.version == null ? DebianKernels.currentDefault() : DebianKernels.normalise(target.version);
            KernelRelease k = force ? c.fetch(v) : c.cached(v).orElseGet(() -> c.fetch(v));
            KernelCache.ensureHeaders(k);
            out().println(k.version() + " " + k.dir());
            return ExitStatus.SUCCESS.code;
        }
    }

    @Command(name = "list",
            mixinStandardHelpOptions = true,
            description = "List the kernels in the cache: release, headers installed, size, directory.")
    static final class ListCached extends CliCommand {
        @Mixin
        SharedOptions.Json json;

        @Mixin
        SharedOptions.CacheDir cacheDir;

        /** What {@code --json} prints for each kernel. */
        record Shown(String version, boolean headers, long bytes, String dir) {}

        @Override
        public Integer call() {
            List<KernelRelease> all = cacheDir.cache().list();
            if (json.requested) {
                json.print(all.stream().map(k -> new Shown(k.version(), k.headersInstalled(), KernelCache.size(k.dir()),
                        k.dir().toString())).toList());
                return ExitStatus.SUCCESS.code;
            }
            PrintWriter out = out();
            if (all.isEmpty()) {
                out.println("no kernels cached; fetch one with: dynamos kernel fetch");
                return ExitStatus.SUCCESS.code;
            }
            out.printf("%-22s %-8s %8s  %s%n", "RELEASE", "HEADERS", "SIZE", "DIRECTORY");
            for (KernelRelease k : all) {
                out.printf("%-22s %-8s %7dM  %s%n", k.version(), k.headersInstalled() ? "yes" : "no",
                        KernelCache.size(k.dir()) >> 20, k.dir());
            }
            return ExitStatus.SUCCESS.code;
        }
    }
}
