package dynamos.update;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Another update whose exports an update being built uses ({@code dynamos build DIR --uses OTHER}):
 * its built module, the {@code Module.symvers} that modpost wrote for it (so that the new module gets
 * the symbols' CRCs and a real module dependency), its update and module names, and the symbols it
 * exports. {@code source} is the directory of its sources when OTHER was one (its headers may be
 * included), else null.
 */
public record UsedUpdate(Path module, Path symvers, Path source, String update, String moduleName, List<String> exports) {

    /** Where modpost writes an out-of-tree module's exports. */
    public static final String SYMVERS = "Module.symvers";

    public UsedUpdate {
        exports = List.copyOf(exports);
    }

    /** The built module and its Module.symvers, found without reading them. */
    record Located(Path module, Path symvers, Path source) {}

    /**
     * Finds the built update OTHER names: a source directory built for kernel {@code release} (its
     * {@code build/RELEASE/}), or a built {@code .ko} with modpost's Module.symvers beside it.
     *
     * @throws UpdateException saying what is missing and how to build it
     */
    static Located locate(Path other, String release) {
        checkNamed(other);
        if (Files.isRegularFile(other)) {
            Path symvers = other.toAbsolutePath().resolveSibling(SYMVERS);
            if (!Files.isRegularFile(symvers)) {
                throw new UpdateException("--uses " + other + ": no " + SYMVERS + " beside it (modpost writes one when it"
                        + " builds the module); name the update's source directory instead, or build it: dynamos build DIR");
            }
            return new Located(other, symvers, null);
        }
        Path build = other.resolve("build").resolve(release);
        String how = "; build it first: dynamos build " + other + " --kernel-version " + release;
        Path symvers = build.resolve(SYMVERS);
        List<Path> kos = modules(build);
        if (!Files.isRegularFile(symvers) || kos.isEmpty()) {
            throw new UpdateException("--uses " + other + ": the update is not built for kernel " + release
                    + " (no module and " + SYMVERS + " in " + build + ")" + how);
        }
        if (kos.size() > 1) {
            throw new UpdateException("--uses " + other + ": " + build + " holds several modules " + kos.stream()
                    .map(p -> p.getFileName().toString()).toList() + "; pass the .ko of the one whose exports the update uses");
        }
        return new Located(kos.getFirst(), symvers, other);
    }

    /**
     * Checks what can be checked of OTHER before the target kernel is known: it is a {@code .ko} or a
     * directory of update sources.
     *
     * @throws UpdateException saying what OTHER should be
     */
    public static void checkNamed(Path other) {
        if (Files.isRegularFile(other)) {
            if (!other.getFileName().toString().endsWith(".ko")) {
                throw new UpdateException("--uses " + other + ": not a kernel module (.ko) nor a directory of update"
                        + " sources; name the other update's source directory or its built .ko");
            }
        } else if (!Files.isDirectory(other)) {
            throw new UpdateException("--uses " + other + ": no such file or directory; name the other update's"
                    + " source directory or its built .ko");
        } else if (!Files.isRegularFile(other.resolve("Kbuild")) && !Files.isRegularFile(other.resolve("Makefile"))) {
            throw new UpdateException("--uses " + other + ": not a directory of update sources (it has no Kbuild file)");
        }
    }

    private static List<Path> modules(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".ko")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The symbols a Module.symvers lists for {@code moduleName} (lines {@code CRC SYMBOL MODULE-PATH
     * EXPORT-TYPE [NAMESPACE]}, tab-separated; the module column is the module's path without
     * {@code .ko}).
     */
    static List<String> exportsOf(List<String> symversLines, String moduleName) {
        List<String> out = new ArrayList<>();
        for (String line : symversLines) {
            String[] f = line.split("\t");
            if (f.length >= 4 && Path.of(f[2]).getFileName().toString().equals(moduleName)) {
                out.add(f[1]);
            }
        }
        return out;
    }

    /**
     * Resolves {@code --uses OTHER} for a build for kernel {@code release}.
     *
     * @throws UpdateException when OTHER is not built, not an update, built for another kernel or
     *     exports nothing
     */
    public static UsedUpdate resolve(Path other, String release) {
        Located at = locate(other, release);
        UpdateModule m;
        try {
            m = UpdateModule.read(at.module());
        } catch (UpdateException e) {
            throw new UpdateException("--uses " + other + ": " + e.getMessage()
                    + "\n    (for the exports of a module that is not an update, use --symbols ITS/Module.symvers)", e);
        }
        if (!m.builtFor().equals(release)) {
            throw new UpdateException("--uses " + other + ": " + at.module().getFileName() + " was built for kernel "
                    + m.builtFor() + ", not " + release + "; build it for " + release + ": dynamos build DIR --kernel-version "
                    + release);
        }
        List<String> exports;
        try {
            exports = exportsOf(Files.readAllLines(at.symvers()), m.moduleName());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + at.symvers() + ": " + e.getMessage(), e);
        }
        if (exports.isEmpty()) {
            throw new UpdateException("--uses " + other + ": update " + m.declaration().name() + " exports no symbols ("
                    + at.symvers() + " lists none of module " + m.moduleName() + "); export what later updates use with"
                    + " EXPORT_SYMBOL_GPL(name) and build it again");
        }
        return new UsedUpdate(at.module(), at.symvers(), at.source(), m.declaration().name(), m.moduleName(), exports);
    }

    /**
     * A C header that {@code dynamos build} force-includes into every compilation unit of the new
     * module: one {@code uses=UPDATE MODULE} fact per used update in {@code .dynamos.update}, as the
     * declaration macros write them. Self-contained (no includes, so a source's {@code pr_fmt} is
     * untouched) and empty for assembler sources.
     */
    public static String factsHeader(List<UsedUpdate> uses) {
        StringBuilder b = new StringBuilder("/* Written by 'dynamos build --uses': the updates whose exports this module"
                + " uses. */\n#ifndef __ASSEMBLY__\n");
        int n = 0;
        for (UsedUpdate u : uses) {
            b.append("static const char __dynamos_uses_").append(n++).append("[]\n")
                    .append("\t__attribute__((__used__, __section__(\"").append(UpdateDeclaration.SECTION)
                    .append("\"), __aligned__(1)))\n\t= \"uses=").append(u.update()).append(' ').append(u.moduleName())
                    .append("\";\n");
        }
        return b.append("#endif\n").toString();
    }

    /** Of {@code module}'s undefined symbols, those this update exports. */
    public List<String> usedBy(UpdateModule module) {
        return module.elf().undefinedSymbols().stream().map(dynamos.elf.ElfSymbol::name)
                .filter(exports::contains).distinct().sorted().toList();
    }
}
