package dynamos.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The translation units a patch affects: each C file it modifies, and for each header it modifies, every unit that
 * includes it, directly or through other headers ({@link IncludeScan}, which needs no build of the tree; kbuild's
 * dependency lists, {@code .NAME.o.cmd}, exist only for the units compiled so far and add what they name).
 *
 * @param units          the C units to compile, sorted
 * @param changedHeaders every header the patch modifies
 * @param unknownHeaders changed headers no unit includes
 * @param refused        changes that cannot become a live update from single units, each as "PATH: reason"
 * @param fromHeaders    the units found only because they include a changed header: this configuration may not
 *                       build them, which compiling them tells
 */
public record AffectedUnits(List<String> units, List<String> changedHeaders, List<String> unknownHeaders,
        List<String> refused, List<String> fromHeaders) {
    /** How many units a changed header may reach: each is compiled twice and its changed functions replaced. */
    public static final int HEADER_UNIT_LIMIT = 40;

    public AffectedUnits {
        units = List.copyOf(units);
        changedHeaders = List.copyOf(changedHeaders);
        unknownHeaders = List.copyOf(unknownHeaders);
        refused = List.copyOf(refused);
        fromHeaders = List.copyOf(fromHeaders);
    }

    public AffectedUnits(List<String> units, List<String> changedHeaders, List<String> unknownHeaders,
            List<String> refused) {
        this(units, changedHeaders, unknownHeaders, refused, List.of());
    }

    /** The units of {@code tree} that {@code files} affect. */
    public static AffectedUnits of(Path tree, List<PatchFiles.FileChange> files) {
        TreeSet<String> units = new TreeSet<>();
        List<String> headers = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        List<KbuildCommand> known = null;
        List<String> fromHeaders = new ArrayList<>();
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
                Set<String> reached = new TreeSet<>();
                for (KbuildCommand k : known) {
                    if (k.source() != null && k.source().endsWith(".c") && k.dependsOn(f.path())) {
                        reached.add(k.source());
                    }
                }
                IncludeScan.Includers inc = IncludeScan.of(tree, f.path(), HEADER_UNIT_LIMIT);
                reached.addAll(inc.units());
                if (inc.overLimit() || reached.size() > HEADER_UNIT_LIMIT) {
                    refused.add(f.path() + ": included by more than " + HEADER_UNIT_LIMIT + " C files (counting "
                            + "through " + inc.headers().size() + " header(s)), too many to compile and replace as one live update;"
                            + " make the change in the C files that need it");
                } else if (!inc.assembly().isEmpty()) {
                    refused.add(f.path() + ": assembly includes it (" + String.join(", ",
                            inc.assembly().subList(0, Math.min(3, inc.assembly().size()))) + "), and assembly cannot"
                            + " be updated");
                } else if (reached.isEmpty()) {
                    unknown.add(f.path());
                } else {
                    for (String u : reached) {
                        if (units.add(u)) {
                            fromHeaders.add(u);
                        }
                    }
                }
            } else {
                refused.add(f.path() + ": not a C or header file (a Makefile, Kconfig or document);"
                        + " it changes no compiled code here");
            }
        }
        fromHeaders.removeIf(u -> files.stream().anyMatch(f -> f.path().equals(u)));
        return new AffectedUnits(List.copyOf(units), headers, unknown, refused, fromHeaders);
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
