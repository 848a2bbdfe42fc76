package dynamos.cli;

import dynamos.framework.FrameworkModule;
import dynamos.kernel.KernelRelease;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "build",
        mixinStandardHelpOptions = true,
        description = {
            "Build an update module: the C sources in DIR, against the target kernel's headers.",
            "",
            "DIR holds a Kbuild file (obj-m := NAME.o) and the sources of the new function versions. The "
                    + "update-author header <dynamos.h> is on the include path and the framework's exports are "
                    + "known to the build. Compiler errors are shown as the compiler prints them. The target is "
                    + "the VM's stock kernel unless --kernel-version names another. Prints the built module's path."})
final class BuildCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "Directory of the update's sources.")
    Path dir;

    @Option(names = "--kernel-version", paramLabel = "V", description = "Kernel release to build for (default: Debian's current stock kernel).")
    String version;

    @Option(names = "--output", paramLabel = "DIR", description = "Build directory (default: DIR/build/RELEASE).")
    Path output;

    @Option(names = "--symbols", paramLabel = "FILE",
            description = "Module.symvers of another out-of-tree module whose exports the update uses (repeatable).")
    List<Path> symbols = List.of();

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "Cache directory (default: $DYNAMOS_CACHE or ~/.cache/dynamos).")
    Path cacheDir;

    @Override
    public Integer call() {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + " is not a directory of update sources");
        }
        if (!Files.isRegularFile(dir.resolve("Kbuild")) && !Files.isRegularFile(dir.resolve("Makefile"))) {
            throw new IllegalArgumentException(dir + " has no Kbuild file; add one naming the module: obj-m := my_update.o");
        }
        KernelRelease kernel = KernelCommand.cache(cacheDir).ensure(version);
        Path out = output != null ? output : dir.resolve("build").resolve(kernel.version());
        for (Path p : symbols) {
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException("--symbols " + p + ": no such file (build that module first)");
            }
        }
        List<Path> kos = FrameworkModule.buildUpdate(dir.toAbsolutePath(), out.toAbsolutePath(), kernel,
                symbols.stream().map(Path::toAbsolutePath).toList());
        kos.forEach(System.out::println);
        return 0;
    }
}
