package dynamos.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The translation units a patch affects: each C file it modifies, and for each header it modifies, every unit
 * whose kbuild dependency list ({@code .NAME.o.cmd}, written by gcc's {@code -MMD}) names that header.
 *
 * <p>Limit: dependency lists exist only for units kbuild compiled in this tree: those {@code prepare} built and
 * those compiled for earlier patches. A header change is therefore traced only into those units; the others
 * that include it are not found (listed in {@link #unknownHeaders()} when none is). TODO(issue 17): a full
 * {@code make -k} of the tree once (about an hour on two cores) would give every unit's list.
 *
 * @param units          the C units to compile, sorted
 * @param changedHeaders every header the patch modifies
 * @param unknownHeaders changed headers no known unit includes
 * @param refused        changes that cannot become a live update from single units, each with its reason
 */
public record AffectedUnits(List<String> units, List<String> changedHeaders, List<String> unknownHeaders,
        List<String> refused) {
    public AffectedUnits {
        units = List.copyOf(units);
        changedHeaders = List.copyOf(changedHeaders);
        unknownHeaders = List.copyOf(unknownHeaders);
        refused = List.copyOf(refused);
    }

    /** The units of {@code tree} that {@code files} affect. */
    public static AffectedUnits of(Path tree, List<PatchFiles.FileChange> files) {
        TreeSet<String> units = new TreeSet<>();
        List<String> headers = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        List<KbuildCommand> known = null;
        for (PatchFiles.FileChange f : files) {
            if (f.kind() != PatchFiles.Kind.MODIFIED) {
                refused.add(f.path() + ": files " + f.kind().name().toLowerCase()
                        + " by a patch need kbuild changes; not supported yet");
            } else if (f.isC()) {
                units.add(f.path());
            } else if (f.isAssembly()) {
                refused.add(f.path() + ": an assembly file; only C code can be updated");
            } else if (f.isHeader()) {
                headers.add(f.path());
                if (known == null) {
                    known = compiledUnits(tree);
                }
                boolean any = false;
                for (KbuildCommand k : known) {
                    if (k.source() != null && k.source().endsWith(".c") && k.dependsOn(f.path())) {
                        units.add(k.source());
                        any = true;
                    }
                }
                if (!any) {
                    unknown.add(f.path());
                }
            } else {
                refused.add(f.path() + ": not a C or header file (a Makefile, Kconfig or document);"
                        + " it changes no compiled code here");
            }
        }
        return new AffectedUnits(List.copyOf(units), headers, unknown, refused);
    }

    /** The kbuild commands of every C unit compiled in {@code tree} (tools/ excluded: not kernel code). */
    static List<KbuildCommand> compiledUnits(Path tree) {
        List<KbuildCommand> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(tree)) {
            s.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith(".") && n.endsWith(".o.cmd");
            }).filter(p -> !tree.relativize(p).startsWith("tools") && !tree.relativize(p).startsWith("scripts"))
                    .forEach(p -> {
                        try {
                            out.add(KbuildCommand.read(p));
                        } catch (SourceException e) {
                            // not a compilation record (a link or an archive): no dependencies to follow
                        }
                    });
        } catch (IOException | UncheckedIOException e) {
            throw new SourceException("cannot walk " + tree + ": " + e.getMessage(), e);
        }
        return out;
    }
}
