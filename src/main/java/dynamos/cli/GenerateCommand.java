package dynamos.cli;

import dynamos.analysis.FactsCache;
import dynamos.generate.GenerateException;
import dynamos.generate.ImageKernel;
import dynamos.generate.PatchPlan;
import dynamos.generate.PatchPlanner;
import dynamos.generate.PatchedPrototypes;
import dynamos.generate.UpdateSources;
import dynamos.host.Progress;
import dynamos.kernel.KernelRelease;
import dynamos.source.KernelSource;
import dynamos.source.PreparedSource;
import dynamos.update.UpdateBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "generate",
        mixinStandardHelpOptions = true,
        description = {
            "Make a live update from a source patch: PATCH is a unified diff against the target kernel's source "
                    + "(paths as in its tree, -p1 as git writes them). The checked update module goes to "
                    + "DIR/build/RELEASE/ (DIR: --output, default ./NAME); apply it with 'dynamos apply DIR'.",
            "",
            "Fetches Debian's linux-source of exactly the kernel's version (apt; cached), prepares it with the "
                    + "kernel's config once (about a minute; cached), finds the translation units the patch affects "
                    + "(for a changed header, every unit that includes it), compiles each before and after the patch "
                    + "with the kernel's own flags (seconds a unit) and compares the objects function by function.",
            "",
            "Changed functions are replaced (through their callers when they have no ftrace site); new functions "
                    + "and new data come along; what the new code uses that stays the running kernel's is bound to "
                    + "it. Every function replaced or bound is found in the running kernel by its code: the compiled "
                    + "original must be the code the kernel runs (outside relocations), else the source, its "
                    + "configuration or the compiler differ and the update is refused. Also refused, with the reason: "
                    + "changed data or structure layouts that exist in the kernel, changed __init code, changed "
                    + "exports or their CRCs, assembly. Line-number-only changes (a WARN moved by the patch) replace "
                    + "nothing. Hooks written with kpatch's macros (#include \"kpatch-macros.h\") become the "
                    + "update's hooks.",
            "",
            "Needs the kernel's symbol and ftrace listings: read live on that kernel, else collected once with "
                    + "'dynamos analyze --collect --kernel-version V'.",
            "",
            "Exit status 0: the module is built (with --plan: it can be made); 1: something is refused (each "
                    + "refusal says why) or nothing changes; no module is built then."})
final class GenerateCommand extends CliCommand {
    @Parameters(index = "0", paramLabel = "PATCH", description = "The patch (unified diff).")
    Path patch;

    @Mixin
    SharedOptions.TargetKernel target;

    @Mixin
    SharedOptions.Json json;

    @Option(names = "--plan", description = "Show what the update would hold and check it; write and build nothing.")
    boolean plan;

    @Option(names = "--name", paramLabel = "NAME",
            description = "The update's name (default: the patch's file name without .patch or .diff).")
    String name;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR",
            description = "Where the update's sources and its module (DIR/build/RELEASE/) go (default: ./NAME).")
    Path output;

    @Option(names = "--cflag", paramLabel = "FLAG",
            description = "A compiler flag added after kbuild's for the units (repeatable): for a kernel built with "
                    + "other flags than its source's configuration gives. What it compiles must still be the running "
                    + "code, so a wrong flag is refused (toolchain-mismatch), never trusted.")
    List<String> cflags = List.of();

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where the compiled objects go (default: a new directory under the system's temporary one).")
    Path workDir;

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(patch)) {
            throw new IllegalArgumentException(patch + " is not a file: give the patch to generate the update from");
        }
        String update = name != null ? name : defaultName(patch);
        UpdateSources.checkName(update);
        Path into = output != null ? output : Path.of(update);
        if (into.toAbsolutePath().toString().matches(".*[:\\s].*")) {
            throw new IllegalArgumentException(into + ": kbuild cannot build a module in a directory whose path has a"
                    + " ':' or a blank; give another --output");
        }
        KernelRelease kernel = target.ensure();
        FactsCache.Listings listings = FactsCache.listings(kernel);
        PreparedSource source = KernelSource.ensure(kernel);
        Path dir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("dynamos-generate");
        PatchPlan p = PatchPlanner.plan(source, patch, dir,
                ImageKernel.of(kernel, listings.kallsyms(), listings.ftrace()), cflags);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("kernel", p.kernel());
        doc.put("patch", p.patch());
        doc.put("feasible", p.feasible());
        doc.put("files", p.files());
        doc.put("units", p.units());
        doc.put("refusals", p.refusals());
        if (!json.requested) {
            print(p, out());
        }
        if (plan || !p.feasible()) {
            if (json.requested) {
                json.print(doc);
            }
            return p.feasible() ? ExitStatus.SUCCESS.code : ExitStatus.FAILURE.code;
        }
        Progress.step("Writing the update's sources to " + into);
        Map<String, UpdateSources.Version> versions = UpdateSources.write(p, dir, update, into);
        Path buildDir = into.resolve("build").resolve(kernel.version());
        PatchedPrototypes prototypes = new PatchedPrototypes(kernel, dir, versions);
        UpdateBuilder.Build build = UpdateBuilder.buildAndCheck(into, buildDir, kernel, ko -> prototypes);
        if (!build.ok()) {
            throw new GenerateException("the module made from " + patch + " failed its checks:\n    "
                    + String.join("\n    ", build.failures()));
        }
        doc.put("update", update);
        doc.put("directory", into.toAbsolutePath().toString());
        doc.put("module", build.modules().getFirst().toAbsolutePath().toString());
        if (json.requested) {
            json.print(doc);
        } else {
            out().printf("%nBuilt update %s: %s%nApply it with: dynamos apply %s%n", update,
                    build.modules().getFirst(), into);
            out().flush();
        }
        return ExitStatus.SUCCESS.code;
    }

    /** {@code fix-oops.patch} is update {@code fix-oops}. */
    static String defaultName(Path patch) {
        String n = patch.getFileName().toString().replaceFirst("\\.(patch|diff)$", "");
        return n.replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    static void print(PatchPlan p, PrintWriter out) {
        out.printf("Update from %s for %s%n", p.patch(), p.kernel());
        for (PatchPlan.Unit u : p.units()) {
            out.printf("%n%s: %d function%s replaced, %d added, %d new data, %d bound, %d unchanged%n", u.unit(),
                    u.replaced().size(), u.replaced().size() == 1 ? "" : "s", u.added().size(), u.newData().size(),
                    u.bindings().size(), u.unchanged());
            for (PatchPlan.Replacement r : u.replaced()) {
                line(out, "replace", r.symbol() + (r.position() > 1 ? "@" + r.position() : ""),
                        r.pieces().size() > 1 ? "with " + String.join(", ", r.pieces().subList(1, r.pieces().size()))
                                : "");
            }
            u.added().forEach(f -> line(out, "add", f, "function"));
            u.newData().forEach(d -> line(out, "add", d, "data"));
            u.copied().forEach(d -> line(out, "copy", d, "constant (a function's name)"));
            for (PatchPlan.Binding b : u.bindings()) {
                line(out, "bind", b.symbol() + (b.position() > 1 ? "@" + b.position() : ""),
                        (b.local() ? "static " : "") + (b.function() ? "function" : "symbol"));
            }
            u.throughCallers().forEach(f -> line(out, "through", f, "no ftrace site: replaced through its callers, "
                    + "carried"));
            if (!u.lineNumbersOnly().isEmpty()) {
                out.printf("  line numbers only (not replaced): %s%n", String.join(", ", u.lineNumbersOnly()));
            }
        }
        if (p.units().isEmpty() && p.files().isEmpty()) {
            out.println("\nThe patch changes no C file that is compiled into the kernel.");
        }
        if (!p.refusals().isEmpty()) {
            out.printf("%nRefused (%d):%n", p.refusals().size());
            for (PatchPlan.Problem r : p.refusals()) {
                out.printf("  %s%s [%s]: %s%n", r.unit(), r.symbol().isEmpty() ? "" : ": " + r.symbol(), r.kind(),
                        r.reason());
            }
        } else if (p.feasible()) {
            out.println("\nThe update can be made: every function replaced or bound is the running kernel's code.");
        } else {
            out.println("\nNothing to update: the patch changes no code or data the kernel runs.");
        }
        out.flush();
    }

    /** One row: what happens to a symbol (name@N: the Nth of the kernel's symbols of that name), and a note. */
    private static void line(PrintWriter out, String action, String symbol, String note) {
        out.println(String.format("  %-8s %-40s %s", action, symbol, note).stripTrailing());
    }
}
