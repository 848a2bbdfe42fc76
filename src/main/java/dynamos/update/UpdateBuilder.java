package dynamos.update;

import dynamos.elf.ElfObject;
import dynamos.framework.FrameworkModule;
import dynamos.host.Installation;
import dynamos.host.Progress;
import dynamos.kbuild.ModuleBuild;
import dynamos.kernel.KernelRelease;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Building update modules: compiling a directory of C sources against a kernel's headers with
 * {@code <dynamos.h>}, then checking each module's declaration against that kernel ({@link UpdateCheck}).
 * Progress and notes go to {@link Progress}; what makes a module unusable comes back as a failure.
 */
public final class UpdateBuilder {
    /**
     * The outcome of {@link #buildAndCheck}: the modules built and, when any failed its checks, why
     * (one message per module; then no module is left on disk).
     */
    public record Build(List<Path> modules, List<String> failures) {
        public Build {
            modules = List.copyOf(modules);
            failures = List.copyOf(failures);
        }

        public boolean ok() {
            return failures.isEmpty();
        }
    }

    /** The header of {@code uses=} facts in the build directory (see {@link UsedUpdate#factsHeader}). */
    static final String USES_HEADER = "dynamos-uses.h";

    private UpdateBuilder() {}

    /**
     * Compiles the update in {@code source} (a Kbuild file and C sources) against {@code kernel} into
     * {@code buildDir}, with the update-author header {@code dynamos.h} on the include path and the
     * framework's exports, and those of {@code moreSymvers} (other modules' Module.symvers), known to
     * modpost. Builds the framework first when needed. Returns the modules built; checks nothing.
     */
    public static List<Path> compile(Path source, Path buildDir, KernelRelease kernel, List<Path> moreSymvers) {
        return compile(source, buildDir, kernel, moreSymvers, List.of());
    }

    /**
     * As {@link #compile(Path, Path, KernelRelease, List)}, for an update that uses the exports of the
     * updates {@code uses}: their Module.symvers go to modpost (so the module gets their CRCs and
     * depends on their modules), their source directories are on the include path (for their headers),
     * and every compilation unit records {@code uses=UPDATE MODULE} facts ({@link UsedUpdate#factsHeader}).
     */
    public static List<Path> compile(Path source, Path buildDir, KernelRelease kernel, List<Path> moreSymvers,
            List<UsedUpdate> uses) {
        Path framework = FrameworkModule.ensureBuilt(kernel);
        Path include = Installation.include();
        List<String> symvers = new ArrayList<>();
        symvers.add(framework.resolveSibling("Module.symvers").toString());
        moreSymvers.forEach(p -> symvers.add(p.toString()));
        StringBuilder cppflags = new StringBuilder("-I" + include);
        if (!uses.isEmpty()) {
            Path facts = buildDir.resolve(USES_HEADER);
            try {
                Files.createDirectories(buildDir);
                Files.writeString(facts, UsedUpdate.factsHeader(uses));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot write " + facts + ": " + e.getMessage(), e);
            }
            for (UsedUpdate u : uses) {
                symvers.add(u.symvers().toAbsolutePath().toString());
                if (u.source() != null) {
                    cppflags.append(" -I").append(u.source().toAbsolutePath());
                }
            }
            cppflags.append(" -include ").append(facts.toAbsolutePath());
        }
        return ModuleBuild.build(source, buildDir, kernel, List.of(
                "KCPPFLAGS=" + cppflags,
                // Non-exported kernel symbols stay undefined; 'dynamos apply' binds them from kallsyms.
                "KBUILD_MODPOST_WARN=1",
                "KBUILD_EXTRA_SYMBOLS=" + String.join(" ", symvers)));
    }

    /** {@link #compile} with no other modules' exports. */
    public static List<Path> compile(Path source, Path buildDir, KernelRelease kernel) {
        return compile(source, buildDir, kernel, List.of());
    }

    /** Checks that {@code source} looks like an update's sources, before anything is fetched or built. */
    public static void checkSource(Path source) {
        if (!Files.isDirectory(source)) {
            throw new IllegalArgumentException(source + " is not a directory of update sources");
        }
        if (!Files.isRegularFile(source.resolve("Kbuild")) && !Files.isRegularFile(source.resolve("Makefile"))) {
            throw new IllegalArgumentException(source + " has no Kbuild file; add one naming the module: obj-m := my_update.o");
        }
    }

    /**
     * Compiles the update in {@code source} and checks every module built (see {@link #check}). If one
     * fails, all of them are deleted: a module that failed its checks must not be applied by mistake.
     */
    public static Build buildAndCheck(Path source, Path buildDir, KernelRelease kernel, List<Path> moreSymvers,
            boolean allowSignatureChange) {
        return buildAndCheck(source, buildDir, kernel, moreSymvers, List.of(), allowSignatureChange);
    }

    /**
     * As {@link #buildAndCheck(Path, Path, KernelRelease, List, boolean)} for an update that uses the
     * exports of the updates {@code uses} (see {@link #compile(Path, Path, KernelRelease, List, List)});
     * reports which of their symbols each module uses.
     */
    public static Build buildAndCheck(Path source, Path buildDir, KernelRelease kernel, List<Path> moreSymvers,
            List<UsedUpdate> uses, boolean allowSignatureChange) {
        return buildAndCheck(source, buildDir, kernel, moreSymvers, uses, allowSignatureChange,
                ko -> KernelPrototypes.forModule(kernel, ko));
    }

    /**
     * As {@link #buildAndCheck(Path, Path, KernelRelease, List, boolean)}, with the versions' prototypes checked by
     * {@code prototypes} (given the module built) instead of from the module's own debugging information: an update
     * generated from a patch carries its code without it, and is checked against the objects it was made from.
     */
    public static Build buildAndCheck(Path source, Path buildDir, KernelRelease kernel,
            Function<Path, UpdateCheck.Prototypes> prototypes) {
        return buildAndCheck(source, buildDir, kernel, List.of(), List.of(), false, prototypes);
    }

    private static Build buildAndCheck(Path source, Path buildDir, KernelRelease kernel, List<Path> moreSymvers,
            List<UsedUpdate> uses, boolean allowSignatureChange, Function<Path, UpdateCheck.Prototypes> prototypes) {
        checkSource(source);
        List<Path> modules = compile(source.toAbsolutePath(), buildDir.toAbsolutePath(), kernel,
                moreSymvers.stream().map(Path::toAbsolutePath).toList(), uses);
        List<String> failures = new ArrayList<>();
        for (Path ko : modules) {
            check(ko, kernel, allowSignatureChange, prototypes).ifPresent(failures::add);
            if (failures.isEmpty()) {
                reportUses(ko, uses);
            }
        }
        if (!failures.isEmpty()) {
            modules.forEach(UpdateBuilder::deleteQuietly);
        }
        return new Build(modules, failures);
    }

    /** Says which exports of each used update the module uses; an unused --uses is only a note. */
    private static void reportUses(Path ko, List<UsedUpdate> uses) {
        if (uses.isEmpty()) {
            return;
        }
        UpdateModule m;
        try {
            m = UpdateModule.read(ko);
        } catch (UpdateException e) {
            return; // check() reported it
        }
        for (UsedUpdate u : uses) {
            List<String> used = u.usedBy(m);
            Progress.detail(used.isEmpty()
                    ? "uses none of the exports of update " + u.update() + " (--uses " + u.module() + " is not needed)"
                    : "uses update " + u.update() + " (module " + u.moduleName() + ", a dependency of "
                            + m.moduleName() + "): " + String.join(", ", used));
        }
    }

    /**
     * Checks a built module's declaration, if it has one, against {@code kernel}; reports notes as
     * progress. Returns why the module must not be used, or empty when it may.
     */
    static Optional<String> check(Path ko, KernelRelease kernel, boolean allowSignatureChange) {
        return check(ko, kernel, allowSignatureChange, m -> KernelPrototypes.forModule(kernel, m));
    }

    private static Optional<String> check(Path ko, KernelRelease kernel, boolean allowSignatureChange,
            Function<Path, UpdateCheck.Prototypes> prototypes) {
        ElfObject elf = ElfObject.read(ko);
        if (elf.section(UpdateDeclaration.SECTION).isEmpty()) {
            Progress.detail(ko.getFileName() + " has no DYNAMOS_UPDATE declaration: built, not checked"
                    + " (use control scripts to apply it)");
            return Optional.empty();
        }
        UpdateModule module;
        try {
            module = UpdateModule.read(ko);
        } catch (UpdateException e) {
            return Optional.of(e.getMessage());
        }
        Progress.step("Checking " + ko.getFileName() + " (update " + module.declaration().name() + ")");
        UpdateCheck.Report report = UpdateCheck.check(module, prototypes.apply(ko), allowSignatureChange);
        report.notes().forEach(Progress::detail);
        if (report.ok()) {
            UpdateDeclaration d = module.declaration();
            d.replacements().forEach(r -> Progress.detail("id " + r.id() + ": " + r.original()
                    + " -> version " + r.version() + " " + r.function()));
            // What the analysis of the target kernel says about the replaced functions (issue 16), when cached.
            List<String> advice = dynamos.analysis.BuildAdvice.notes(kernel, d.ids().stream().map(d::original)
                    .map(o -> d.symbolPositions().containsKey(o.substring(o.indexOf(':') + 1))
                            ? o + "@" + d.symbolPositions().get(o.substring(o.indexOf(':') + 1)) : o)
                    .distinct().toList());
            advice.forEach(Progress::detail);
            dynamos.analysis.VersionAdvice.notes(module.moduleName(), elf,
                    d.replacements().stream().map(r -> r.function()).toList()).forEach(Progress::detail);
            // An ambiguous original without DYNAMOS_SYMBOL would be refused at apply: fail the build now.
            if (advice.stream().anyMatch(n -> n.startsWith("error: "))) {
                return Optional.of(String.join("\n    ", advice.stream().filter(n -> n.startsWith("error: ")
                        || n.startsWith("  DYNAMOS_SYMBOL(")).toList()));
            }
            d.ids().stream().map(d::original).filter(o -> o.contains(":") && !o.startsWith("vmlinux:")).distinct()
                    .forEach(o -> Progress.detail(o + " is a function of module " + o.substring(0, o.indexOf(':'))
                            + ": its prototype is not checked (the kernel's BTF covers vmlinux); apply works whether"
                            + " that module is loaded or not (the update waits for it)"));
            if (d.replacesAll()) {
                Progress.detail("cumulative update: apply replaces every applied update (DYNAMOS_REPLACES_ALL)");
            } else if (!d.replaces().isEmpty()) {
                Progress.detail("cumulative update: apply replaces " + String.join(", ", d.replaces())
                        + " (DYNAMOS_REPLACES), which must be applied then");
            }
            return Optional.empty();
        }
        StringBuilder why = new StringBuilder(ko.getFileName() + " fails its checks:");
        report.errors().forEach(e -> why.append("\n    ").append(e));
        return Optional.of(why.toString());
    }

    private static void deleteQuietly(Path ko) {
        try {
            Files.deleteIfExists(ko);
        } catch (IOException ignored) {
            // Leaves a module that failed its checks; apply checks its declaration again.
        }
    }
}
