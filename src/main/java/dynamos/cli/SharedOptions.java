package dynamos.cli;

import dynamos.kernel.KernelCache;
import dynamos.kernel.KernelRelease;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Options several commands take, each declared once here and mixed in with {@code @Mixin}. */
final class SharedOptions {
    private SharedOptions() {}

    /** {@code --cache-dir}: where kernels, initramfs images and VM runs are kept. */
    static final class CacheDir {
        @Option(names = "--cache-dir", paramLabel = "DIR",
                description = "Cache of kernels and run directories (default: $DYNAMOS_CACHE or ~/.cache/dynamos).")
        Path dir;

        KernelCache cache() {
            return dir != null ? new KernelCache(dir) : KernelCache.atDefault();
        }
    }

    /** {@code --kernel-version} and {@code --cache-dir}: which Debian kernel, from which cache. */
    static final class TargetKernel {
        @Option(names = "--kernel-version", paramLabel = "V",
                description = "Kernel release, e.g. 6.1.0-56-amd64 (default: Debian's current stock kernel, "
                        + "the one linux-image-amd64 depends on).")
        String version;

        @Mixin
        CacheDir cacheDir;

        KernelCache cache() {
            return cacheDir.cache();
        }

        /** The kernel, fetched into the cache first when missing. */
        KernelRelease ensure() {
            return cache().ensure(version);
        }
    }

    /** {@code --json}: print the result as one JSON document for scripts instead of text. */
    static final class Json {
        @Spec(Spec.Target.MIXEE)
        CommandSpec command;

        @Option(names = "--json", description = "Print JSON for scripts.")
        boolean requested;

        /** Prints {@code value} (records, lists, maps) as JSON on the command's output. */
        void print(Object value) {
            command.commandLine().getOut().println(JsonOutput.write(value));
        }
    }

    /** {@code --timeout} of commands that remove versions one after another (stop, revert). */
    static final class RemovalTimeout {
        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "5", converter = Converters.Seconds.class,
                description = "Quiescence timeout per removal (default: ${DEFAULT-VALUE}).")
        double seconds;

        int millis() {
            return Converters.millis(seconds);
        }
    }
}
