package dynamos.cli;

import dynamos.elf.ElfObject;
import dynamos.framework.FrameworkModule;
import dynamos.host.Progress;
import dynamos.update.KernelPrototypes;
import dynamos.update.UpdateCheck;
import dynamos.update.UpdateDeclaration;
import dynamos.update.UpdateException;
import dynamos.update.UpdateModule;
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
            "Build an update module from the C sources in DIR against the target kernel's headers, and check it.",
            "",
            "DIR holds a Kbuild file (obj-m := NAME.o) and the sources of the new function versions, with a "
                    + "declaration of what they replace (DYNAMOS_UPDATE, DYNAMOS_REPLACE, ... of <dynamos.h>, which "
                    + "is on the include path; the framework's exports are known to the build). Compiler errors "
                    + "are shown as the compiler prints them. The target is the VM's stock kernel unless "
                    + "--kernel-version names another. The module goes to DIR/build/RELEASE/.",
            "",
            "Checks of a module with a declaration: the declaration is valid; every function it names is "
                    + "defined in the module; each version's prototype equals that of the kernel function it "
                    + "replaces according to the target kernel's BTF (a mismatch is an error naming both "
                    + "prototypes, unless --allow-signature-change); and kernel symbols the module uses that "
                    + "are not exported are listed: 'dynamos apply' binds them from /proc/kallsyms (modpost's "
                    + "'undefined!' warnings about them are expected). A module that fails a check is removed. "
                    + "Prints the built module's path."})
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

    @Option(names = "--allow-signature-change",
            description = "Accept versions whose prototype differs from the original's (a deliberate signature change).")
    boolean allowSignatureChange;

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
        boolean ok = true;
        for (Path ko : kos) {
            ok &= check(ko, kernel);
        }
        if (!ok) {
            for (Path ko : kos) {
                deleteQuietly(ko);
            }
            return 1;
        }
        kos.forEach(System.out::println);
        return 0;
    }

    /** Checks a built module's declaration, if it has one; prints findings; false if it must not be used. */
    private boolean check(Path ko, KernelRelease kernel) {
        ElfObject elf = ElfObject.read(ko);
        if (elf.section(UpdateDeclaration.SECTION).isEmpty()) {
            Progress.detail(ko.getFileName() + " has no DYNAMOS_UPDATE declaration: built, not checked"
                    + " (use control scripts to apply it)");
            return true;
        }
        UpdateModule module;
        try {
            module = UpdateModule.read(ko);
        } catch (UpdateException e) {
            System.err.println("dynamos: " + e.getMessage());
            return false;
        }
        Progress.step("Checking " + ko.getFileName() + " (update " + module.declaration().name() + ")");
        UpdateCheck.Report report = UpdateCheck.check(module, KernelPrototypes.forModule(kernel, ko),
                allowSignatureChange);
        report.notes().forEach(n -> Progress.detail(n));
        if (report.ok()) {
            module.declaration().replacements().forEach(r -> Progress.detail("id " + r.id() + ": " + r.original()
                    + " -> version " + r.version() + " " + r.function()));
            return true;
        }
        System.err.println("dynamos: " + ko.getFileName() + " fails its checks:");
        report.errors().forEach(e -> System.err.println("    " + e));
        return false;
    }

    private static void deleteQuietly(Path ko) {
        try {
            Files.deleteIfExists(ko);
        } catch (java.io.IOException ignored) {
            // Leaves a module that failed its checks; apply checks its declaration again.
        }
    }
}
