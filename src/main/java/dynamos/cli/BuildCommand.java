package dynamos.cli;

import dynamos.kernel.KernelRelease;
import dynamos.update.UpdateBuilder;
import dynamos.update.UsedUpdate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
                    + "Prints the built module's path.",
            "",
            "An update that uses what an earlier update exports (EXPORT_SYMBOL_GPL in its module, e.g. its "
                    + "shadow data's accessors) is built with --uses OTHER: OTHER's exports are known to modpost, "
                    + "so the module gets their symbol versions and depends on OTHER's module (the kernel keeps "
                    + "OTHER's module while it is loaded), OTHER's source directory is on the include path for "
                    + "its headers, and 'dynamos apply' refuses the update until OTHER is applied."})
final class BuildCommand extends CliCommand {
    @Parameters(index = "0", paramLabel = "DIR", description = "Directory of the update's sources.")
    Path dir;

    @Mixin
    SharedOptions.TargetKernel target;

    @Option(names = "--output", paramLabel = "DIR", description = "Build directory (default: DIR/build/RELEASE).")
    Path output;

    @Option(names = "--symbols", paramLabel = "FILE",
            description = "Module.symvers of another out-of-tree module whose exports the update uses (repeatable).")
    List<Path> symbols = List.of();

    @Option(names = "--uses", paramLabel = "OTHER",
            description = "Another update whose exports this one uses: its source directory, built for the same "
                    + "kernel (OTHER/build/RELEASE), or its built .ko with its Module.symvers beside it (repeatable).")
    List<Path> uses = List.of();

    @Option(names = "--allow-signature-change",
            description = "Accept versions whose prototype differs from the original's (a deliberate signature change).")
    boolean allowSignatureChange;

    @Override
    public Integer call() {
        UpdateBuilder.checkSource(dir);
        uses.forEach(UsedUpdate::checkNamed);
        KernelRelease kernel = target.ensure();
        Path out = output != null ? output : dir.resolve("build").resolve(kernel.version());
        for (Path p : symbols) {
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException("--symbols " + p + ": no such file (build that module first)");
            }
        }
        List<UsedUpdate> used = uses.stream().map(p -> UsedUpdate.resolve(p, kernel.version())).toList();
        UpdateBuilder.Build build = UpdateBuilder.buildAndCheck(dir, out, kernel, symbols, used, allowSignatureChange);
        if (!build.ok()) {
            build.failures().forEach(this::error);
            return ExitStatus.FAILURE.code;
        }
        build.modules().forEach(out()::println);
        return ExitStatus.SUCCESS.code;
    }
}
