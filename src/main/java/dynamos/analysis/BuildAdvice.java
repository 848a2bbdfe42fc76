package dynamos.analysis;

import dynamos.btf.KernelBtf;
import dynamos.kernel.KernelRelease;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What {@code dynamos build} tells about the kernel functions an update replaces, from the cached
 * listings of the target kernel (nothing when they are not cached): a function without an ftrace site
 * (the framework will refuse it), one inlined into all its callers, one that shares its name with another,
 * and the copies GCC made of it ({@code .part}, {@code .isra}, {@code .constprop}: calls that reach them do
 * not run the new version) and its {@code .cold} parts. The symbol and ftrace lists and the BTF are read,
 * not the code, so it takes a second or two; {@code dynamos analyze FUNCTION} says more (callers, what is
 * inside).
 */
public final class BuildAdvice {
    private BuildAdvice() {}

    /**
     * Notes on {@code originals} (vmlinux functions, {@code name@N} for DYNAMOS_SYMBOL(name, N); module
     * targets are skipped) for {@code kernel}; a note starting with "error: " fails the build.
     */
    public static List<String> notes(KernelRelease kernel, List<String> originals) {
        Path dir = FactsCache.dir(kernel);
        Path kallsyms = dir.resolve(FactsCache.KALLSYMS);
        Path ftrace = dir.resolve(FactsCache.FTRACE);
        if (!Files.isRegularFile(kallsyms) || !Files.isRegularFile(ftrace)) {
            return List.of();
        }
        try {
            Analysed a = analysed(kernel.version(), kallsyms, ftrace, KernelBtf.file(kernel));
            Path inline = InlineFacts.file(kernel);
            if (Files.isRegularFile(inline)) {
                Inlining inlining = INLINING.computeIfAbsent(a.facts().release() + "|" + inline + "|"
                        + inline.toFile().lastModified(), k -> Inlining.of(InlineFacts.read(inline), a.facts()));
                if (inlining.matchedShare() < 0.9) {
                    List<String> out = new ArrayList<>(notes(a.all(), a.facts(), originals));
                    try {
                        inlining.checkMatches(inline.toString());
                    } catch (AnalysisException e) {
                        out.add("the inlining facts were not used: " + e.getMessage());
                    }
                    return out;
                }
                return notes(a.all(), a.facts(), originals, inlining);
            }
            return notes(a.all(), a.facts(), originals);
        } catch (RuntimeException e) {
            // Advice only: a build never fails for it.
            return List.of("the analysis of " + kernel.version() + " was skipped: " + e.getMessage());
        }
    }

    private record Analysed(KernelFacts facts, List<Classification> all) {}

    /** Analyses per listing, kept for the JVM's life: the tests build dozens of updates in one JVM. */
    private static final Map<String, Analysed> ANALYSED = new ConcurrentHashMap<>();
    /** The inlining facts per cache file, kept likewise. */
    private static final Map<String, Inlining> INLINING = new ConcurrentHashMap<>();

    private static Analysed analysed(String version, Path kallsyms, Path ftrace, Path btf) {
        String key;
        try {
            key = version + "|" + Files.getLastModifiedTime(kallsyms) + "|" + Files.getLastModifiedTime(ftrace);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return ANALYSED.computeIfAbsent(key, k -> {
            KernelFacts facts = FactsCache.load(version, kallsyms, ftrace, btf);
            return new Analysed(facts, Classifier.classify(facts));
        });
    }

    /** The notes on {@code originals} from a classification. */
    public static List<String> notes(List<Classification> all, KernelFacts facts, List<String> originals) {
        return notes(all, facts, originals, null);
    }

    /**
     * The notes on {@code originals}, with the callers that hold inlined copies of them when {@code inlining}
     * (the kernel's DWARF) is given: the update will not reach those copies.
     */
    public static List<String> notes(List<Classification> all, KernelFacts facts, List<String> originals,
            Inlining inlining) {
        List<String> out = new ArrayList<>();
        for (String original : originals) {
            String name = original.startsWith("vmlinux:") ? original.substring("vmlinux:".length()) : original;
            int position = 0; // name@N: DYNAMOS_SYMBOL(name, N) of the update
            if (name.contains("@")) {
                position = Integer.parseInt(name.substring(name.indexOf('@') + 1));
                name = name.substring(0, name.indexOf('@'));
            }
            if (name.contains(":")) {
                continue;
            }
            Explanation e = Explanation.of(name, all, facts, null, inlining);
            String see = " (dynamos analyze " + name + ")";
            if (e.symbols().isEmpty()) {
                out.add("warning: " + e.verdict() + see);
                continue;
            }
            for (Classification c : e.symbols()) {
                if (c.category() != Category.DIRECT) {
                    out.add("warning: " + c.key() + ": " + c.category().label
                            + (c.reason() == null ? "" : " (" + c.reason().description + ")")
                            + ": registering it will be refused; update its callers instead" + see);
                }
                if (!c.parts().isEmpty()) {
                    out.add(c.key() + " has parts " + String.join(", ", c.parts())
                            + ": the removal check covers them with the function");
                }
            }
            if (inlining != null) {
                for (Classification c : e.symbols()) {
                    if (position > 0 && c.symbol().position() != position) {
                        continue; // another namesake: not replaced
                    }
                    List<String> live = Explanation.liveHolders(inlining.copiesOfSymbol(c.key()), all);
                    if (!live.isEmpty()) {
                        out.add("warning: " + c.key() + " is also inlined into " + live.size() + " function(s) whose"
                                + " copies the update will not reach: " + Explanation.shortList(live)
                                + "; replace them too to change every call" + see);
                    }
                }
            }
            if (e.symbols().size() > 1 && position == 0) {
                out.add("error: " + e.symbols().size() + " functions are named " + name + ": add DYNAMOS_SYMBOL("
                        + name + ", N) for the one to replace:");
                for (Classification c : e.symbols()) {
                    String file = inlining == null ? null : inlining.sourceOf(c.key());
                    out.add("  DYNAMOS_SYMBOL(" + name + ", " + c.symbol().position() + "); /* "
                            + (file == null ? "" : file + ", ") + Explanation.neighbours(c.symbol(), facts.symbols())
                            + " */");
                }
            } else if (e.symbols().size() > 1 && position <= e.symbols().size()) {
                TextSymbol s = e.symbols().get(position - 1).symbol();
                out.add("DYNAMOS_SYMBOL(" + name + ", " + position + "): replaces " + name + "#" + position + ", which lies "
                        + Explanation.neighbours(s, facts.symbols()));
            }
            Set<PartKind> copies = Set.of(PartKind.PART, PartKind.CLONE);
            for (Classification r : e.related()) {
                if (copies.contains(r.symbol().name().kind())) {
                    out.add("warning: GCC also made " + r.key() + " (" + r.symbol().name().kind().description
                            + ") of " + name + ": calls that reach it do not run the new version" + see);
                }
            }
        }
        return out;
    }
}
