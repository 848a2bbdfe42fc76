package dynamos.cli;

import dynamos.kernel.DebianKernels;
import dynamos.kernel.KernelCache;
import dynamos.kernel.KernelRelease;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "kernel",
        mixinStandardHelpOptions = true,
        description = "Fetch and list the Debian kernels the VM boots.",
        subcommands = {KernelCommand.Fetch.class, KernelCommand.ListCached.class})
final class KernelCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static KernelCache cache(Path dir) {
        return dir != null ? new KernelCache(dir) : KernelCache.atDefault();
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
    static final class Fetch implements Callable<Integer> {
        @Option(names = "--kernel-version", paramLabel = "V", description = "Release to fetch, e.g. 6.1.0-56-amd64.")
        String version;

        @Option(names = "--force", description = "Download and unpack again even if cached.")
        boolean force;

        @Option(names = "--cache-dir", paramLabel = "DIR", description = "Cache directory (default: $DYNAMOS_CACHE or ~/.cache/dynamos).")
        Path cacheDir;

        @Override
        public Integer call() {
            KernelCache c = cache(cacheDir);
            String v = version == null ? DebianKernels.currentDefault() : DebianKernels.normalise(version);
            KernelRelease k = force ? c.fetch(v) : c.cached(v).orElseGet(() -> c.fetch(v));
            KernelCache.ensureHeaders(k);
            System.out.println(k.version() + " " + k.dir());
            return 0;
        }
    }

    @Command(name = "list",
            mixinStandardHelpOptions = true,
            description = "List the kernels in the cache: release, headers installed, size, directory.")
    static final class ListCached implements Callable<Integer> {
        @Option(names = "--json", description = "Print JSON for scripts.")
        boolean json;

        @Option(names = "--cache-dir", paramLabel = "DIR", description = "Cache directory (default: $DYNAMOS_CACHE or ~/.cache/dynamos).")
        Path cacheDir;

        @Override
        public Integer call() {
            List<KernelRelease> all = cache(cacheDir).list();
            if (json) {
                StringBuilder s = new StringBuilder("[");
                for (int i = 0; i < all.size(); i++) {
                    KernelRelease k = all.get(i);
                    s.append(i == 0 ? "" : ",").append("\n  {\"version\": ").append(Json.str(k.version()))
                            .append(", \"headers\": ").append(k.headersInstalled())
                            .append(", \"bytes\": ").append(KernelCache.size(k.dir()))
                            .append(", \"dir\": ").append(Json.str(k.dir().toString())).append('}');
                }
                System.out.println(s.append(all.isEmpty() ? "]" : "\n]"));
                return 0;
            }
            if (all.isEmpty()) {
                System.out.println("no kernels cached; fetch one with: dynamos kernel fetch");
                return 0;
            }
            System.out.printf("%-22s %-8s %8s  %s%n", "RELEASE", "HEADERS", "SIZE", "DIRECTORY");
            for (KernelRelease k : all) {
                System.out.printf("%-22s %-8s %7dM  %s%n", k.version(), k.headersInstalled() ? "yes" : "no",
                        KernelCache.size(k.dir()) >> 20, k.dir());
            }
            return 0;
        }
    }
}
