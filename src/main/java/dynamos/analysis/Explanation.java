package dynamos.analysis;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One function explained: the text symbols of its name, the compiler's copies and parts of it, whether
 * and how it can be updated, and the {@code <dynamos.h>} declaration lines that do it.
 *
 * @param function the name asked about
 * @param verdict one sentence: can it be updated, and how
 * @param symbols the text symbols of exactly this name (several: namesakes, in {@code DYNAMOS_SYMBOL} order)
 * @param related the other symbols made from the same source function ({@code .cold}, {@code .part.N}, ...)
 * @param btfRecord whether the kernel's BTF records a C function of this name
 * @param notes what else matters for an update of it
 * @param declarations lines ready to paste into an update: {@code DYNAMOS_REPLACE} and {@code DYNAMOS_SYMBOL}
 * @param inlinedInto the functions holding inlined copies of it, from the kernel's DWARF (empty without it)
 * @param copiesUpdatable whether it has no symbol but inlined copies, and every function holding a copy
 *     that runs after boot can be replaced (directly or through its callers)
 */
public record Explanation(String function, String verdict, List<Classification> symbols, List<Classification> related,
        boolean btfRecord, List<String> notes, List<String> declarations, List<Inlining.Copy> inlinedInto,
        boolean copiesUpdatable) {
    public Explanation {
        symbols = List.copyOf(symbols);
        related = List.copyOf(related);
        notes = List.copyOf(notes);
        declarations = List.copyOf(declarations);
        inlinedInto = List.copyOf(inlinedInto);
    }

    /**
     * Whether some symbol of this name is updatable (directly or through callers), or, inlined everywhere,
     * every function holding a copy is.
     */
    public boolean updatable() {
        return copiesUpdatable || symbols.stream().anyMatch(c -> c.category().updatable());
    }

    /** Explains {@code function} from a kernel's classification. */
    public static Explanation of(String function, List<Classification> all, KernelFacts facts) {
        return of(function, all, facts, null);
    }

    /**
     * Explains {@code function} of {@code module} (null: the core kernel); declarations then name
     * module functions as {@code "module:function"}.
     */
    public static Explanation of(String function, List<Classification> all, KernelFacts facts, String module) {
        return of(function, all, facts, module, null);
    }

    /**
     * Explains {@code function}, with the callers that hold inlined copies of it when {@code inlining} (the
     * kernel's DWARF, {@link Inlining}) is given; null: without.
     */
    public static Explanation of(String function, List<Classification> all, KernelFacts facts, String module,
            Inlining inlining) {
        String base = SymbolName.parse(function).base();
        List<Classification> exact = all.stream().filter(c -> c.symbol().fullName().equals(function)).toList();
        List<Classification> related = all.stream().filter(c -> c.symbol().name().base().equals(base)
                && !c.symbol().fullName().equals(function)).toList();
        boolean btf = facts.btfFunctions().contains(base);
        List<String> notes = new ArrayList<>();
        List<String> decls = new ArrayList<>();
        List<Inlining.Copy> inlinedInto = new ArrayList<>();
        boolean copiesUpdatable = false;
        String verdict;
        boolean gccCopies = related.stream().anyMatch(c -> c.symbol().name().kind().isEntry());
        if (exact.isEmpty() && !gccCopies && inlining != null && !inlining.copiesOf(function).isEmpty()) {
            List<Inlining.Copy> copies = inlining.copiesOf(function);
            inlinedInto.addAll(copies);
            List<String> live = liveHolders(copies, all);
            verdict = function + " has no symbol of its own: it is inlined into " + live.size() + " function(s) that"
                    + " run after boot (the kernel's DWARF)" + (live.isEmpty() ? "" : ": " + shortList(live))
                    + "; an update must replace those functions";
            if (inlining.filesOf(function).size() > 1) {
                notes.add("functions called " + function + " are declared in " + inlining.filesOf(function).size()
                        + " files: " + String.join(", ", inlining.filesOf(function)) + "; the copies of each are listed"
                        + " with its file below");
            }
            copiesUpdatable = holderDeclarations(copies, all, module, notes, decls, 1) && !live.isEmpty();
        } else if (exact.isEmpty()) {
            List<Classification> entries = related.stream().filter(c -> c.symbol().name().kind().isEntry()).toList();
            if (!entries.isEmpty()) {
                verdict = function + " has no symbol of its own in the kernel's text: GCC replaced it by "
                        + String.join(", ", entries.stream().map(Classification::key).toList())
                        + "; calls reach those copies, which use a calling convention of GCC's choosing";
                notes.add("update the callers of " + function + " instead, or write a version of the copy with its"
                        + " exact convention (its parameters as GCC left them)");
                List<String> live = inlining == null ? List.of() : liveHolders(inlining.copiesOf(function), all);
                if (!live.isEmpty()) {
                    inlinedInto.addAll(inlining.copiesOf(function));
                    notes.add(function + " is also inlined into " + live.size() + " function(s): " + shortList(live));
                    List<String> extra = new ArrayList<>();
                    holderDeclarations(inlining.copiesOf(function), all, module, notes, extra, 1);
                    extra.forEach(d -> notes.add("to reach the inlined copies: " + d));
                }
            } else if (btf) {
                verdict = function + " is recorded in the kernel's BTF but has no text symbol (kallsyms does not"
                        + " list it)";
            } else {
                verdict = function + " is not in the kernel's text: it is inlined into all its callers (or not built"
                        + " in this configuration); an update must replace the functions that hold its copies";
                notes.add(inlining == null ? "which functions hold inlined copies is in the kernel's DWARF: run"
                        + " dynamos analyze --debug-info once (it downloads Debian's -dbg package, about 850 MB, and"
                        + " keeps a few MB of it)" : "the kernel's DWARF records no inlined copy of " + function
                        + " either: it is not built in this configuration");
            }
        } else {
            Classification first = exact.getFirst();
            verdict = function + (exact.size() > 1 ? " (" + exact.size() + " functions of this name)" : "") + ": "
                    + verdictOf(first);
            int id = 1;
            for (Classification c : exact) {
                if (c.category() == Category.DIRECT) {
                    if (c.symbol().ambiguous() && module == null) {
                        // One update replaces one of them: each position is a ready pair of lines.
                        decls.add("/* " + c.key() + ", " + neighbours(c.symbol(), facts.symbols()) + ": */");
                        decls.add("DYNAMOS_REPLACE(" + id + ", " + function + ", " + cName(function) + "_v2);");
                        decls.add("DYNAMOS_SYMBOL(" + function + ", " + c.symbol().position() + ");");
                    } else if (!c.symbol().ambiguous() || id == 1) {
                        decls.add("DYNAMOS_REPLACE(" + id++ + ", " + target(module, function) + ", " + cName(function)
                                + "_v2);");
                    }
                } else if (c.category() == Category.THROUGH_CALLERS) {
                    for (String caller : c.callers()) {
                        String name = caller.contains("#") ? caller.substring(0, caller.indexOf('#')) : caller;
                        decls.add("DYNAMOS_REPLACE(" + id++ + ", " + target(module, name) + ", " + cName(name) + "_v2);");
                        if (caller.contains("#") && module == null) {
                            // One of several functions of that name: its position picks it.
                            decls.add("DYNAMOS_SYMBOL(" + name + ", " + caller.substring(caller.indexOf('#') + 1) + ");");
                        }
                    }
                }
                if (c.category() == Category.NOT_UPDATABLE) {
                    notes.add(whyNotThroughCallers(c, all, facts.callGraph()));
                }
                if (c.compilerCopy()) {
                    notes.add(c.key() + " is a " + c.symbol().name().kind().description + " GCC made of "
                            + c.symbol().name().base() + ": a version of it must take the copy's parameters");
                }
            }
            for (Classification r : related) {
                if (r.symbol().name().kind() == PartKind.PART || r.symbol().name().kind() == PartKind.CLONE) {
                    notes.add("GCC also made " + r.key() + " (" + r.symbol().name().kind().description + ", "
                            + r.category().label + "): calls that reach it do not run a version of " + function);
                }
            }
            if (exact.size() > 1) {
                notes.add("several functions are named " + function + " (positions in address order, listed above):"
                        + (module == null ? " an update replaces one of them, chosen with DYNAMOS_SYMBOL(" + function
                                + ", POSITION) (which also binds the update's own uses of the name); a second update"
                                + " replaces another"
                                : " the framework refuses an ambiguous name within one module"));
                for (Classification c : exact) {
                    String source = inlining == null ? null : inlining.sourceOf(c.key());
                    notes.add(source != null ? "DYNAMOS_SYMBOL(" + function + ", " + c.symbol().position() + ") is the "
                            + function + " of " + source : c.key() + " lies " + neighbours(c.symbol(), facts.symbols())
                            + " (the link order follows the source files)");
                }
            }
            if (inlining != null) {
                for (Classification c : exact) {
                    List<Inlining.Copy> copies = inlining.copiesOfSymbol(c.key());
                    List<String> live = liveHolders(copies, all);
                    if (live.isEmpty()) {
                        continue;
                    }
                    inlinedInto.addAll(copies);
                    notes.add(c.key() + " is also inlined into " + live.size() + " function(s): " + shortList(live)
                            + "; an update of " + function + " reaches only its out-of-line copy, and calls in those"
                            + " functions keep the old code unless they are replaced too");
                    List<String> extra = new ArrayList<>();
                    holderDeclarations(copies, all, module, notes, extra, decls.size() + 1);
                    extra.forEach(d -> notes.add("to reach the inlined copies too: " + d));
                }
            }
        }
        return new Explanation(function, verdict, exact, related, btf, notes, decls, inlinedInto, copiesUpdatable);
    }

    /** The first names of {@code names}, and how many more there are. */
    static String shortList(List<String> names) {
        int shown = 12;
        return names.size() <= shown ? String.join(", ", names)
                : String.join(", ", names.subList(0, shown)) + " and " + (names.size() - shown) + " more";
    }

    /** The holders of {@code copies} that run after boot (not freed init text), in their order. */
    static List<String> liveHolders(List<Inlining.Copy> copies, List<Classification> all) {
        Map<String, Classification> byKey = new HashMap<>();
        all.forEach(x -> byKey.put(x.key(), x));
        List<String> out = new ArrayList<>();
        for (Inlining.Copy c : copies) {
            Classification h = byKey.get(c.holder());
            if ((h == null || h.category() != Category.FREED_AFTER_BOOT) && !out.contains(c.holder())) {
                out.add(c.holder());
            }
        }
        return out;
    }

    /**
     * The {@code DYNAMOS_REPLACE} lines that reach every live copy in {@code copies} (each holder, or for a
     * holder updatable only through its callers, those callers; a part through the function it belongs to),
     * with notes on holders that cannot be updated. Returns whether every live copy is reached.
     */
    static boolean holderDeclarations(List<Inlining.Copy> copies, List<Classification> all, String module,
            List<String> notes, List<String> decls, int firstId) {
        Map<String, Classification> byKey = new HashMap<>();
        all.forEach(x -> byKey.put(x.key(), x));
        List<String> targets = new ArrayList<>();
        int freed = 0;
        boolean reached = true;
        for (Inlining.Copy copy : copies) {
            Classification h = byKey.get(copy.holder());
            if (h != null && h.category() == Category.PART_OF_ANOTHER && h.parent() != null) {
                h = byKey.getOrDefault(h.parent(), h);
            }
            if (h == null) {
                notes.add(copy.holder() + " holds copies of " + copy.function() + " but no text symbol lies at its"
                        + " address");
                reached = false;
                continue;
            }
            switch (h.category()) {
                case DIRECT -> addTarget(targets, h.key());
                case THROUGH_CALLERS -> h.callers().forEach(k -> addTarget(targets, k));
                case FREED_AFTER_BOOT -> freed++;
                default -> {
                    notes.add(h.key() + " holds a copy of " + copy.function() + " but is " + h.category().label
                            + (h.reason() == null ? "" : " (" + h.reason().description + ")")
                            + ": that copy cannot be updated");
                    reached = false;
                }
            }
        }
        if (freed > 0) {
            notes.add(freed + " more cop" + (freed == 1 ? "y is" : "ies are") + " in init code, freed after boot");
        }
        int id = firstId;
        for (String key : targets) {
            String name = key.contains("#") ? key.substring(0, key.indexOf('#')) : key;
            decls.add("DYNAMOS_REPLACE(" + id++ + ", " + target(module, name) + ", " + cName(name) + "_v2);");
            if (key.contains("#") && module == null) {
                // One of several core-kernel functions of the name: the position picks it.
                decls.add("DYNAMOS_SYMBOL(" + name + ", " + key.substring(key.indexOf('#') + 1) + ");");
            } else if (key.contains("#")) {
                notes.add(key + " is one of several functions named " + name + " in module " + module
                        + ": the framework refuses an ambiguous name within one module");
            }
        }
        return reached;
    }

    private static void addTarget(List<String> targets, String key) {
        if (!targets.contains(key)) {
            targets.add(key);
        }
    }

    /** The nearest global functions before and after {@code s}: hints at its source file. */
    static String neighbours(TextSymbol s, List<TextSymbol> symbols) {
        int i = symbols.indexOf(s);
        String before = null;
        String after = null;
        for (int j = i - 1; j >= 0 && before == null; j--) {
            TextSymbol t = symbols.get(j);
            if (t.global() && !TextLayout.isMarker(t.fullName())) {
                before = t.fullName();
            }
        }
        for (int j = i + 1; j < symbols.size() && after == null; j++) {
            TextSymbol t = symbols.get(j);
            if (t.global() && !TextLayout.isMarker(t.fullName())) {
                after = t.fullName();
            }
        }
        return "after " + (before == null ? "the start of the text" : before) + " and before "
                + (after == null ? "the end of the text" : after);
    }

    /** Why the callers of {@code c} do not cover it. */
    static String whyNotThroughCallers(Classification c, List<Classification> all, CallGraph graph) {
        if (!graph.known()) {
            return "its callers were not analysed (no call graph)";
        }
        if (graph.addressTaken().contains(c.key())) {
            return c.key() + "'s address is taken (stored in data or code) or modules may call it (exported): calls"
                    + " that do not come from a known caller would bypass updated callers";
        }
        Map<String, Classification> byKey = new HashMap<>();
        all.forEach(x -> byKey.put(x.key(), x));
        List<String> bad = new ArrayList<>();
        int live = 0;
        for (String k : graph.callersOf(c.key()).stream().sorted().toList()) {
            Classification caller = byKey.get(k);
            if (caller == null || caller.category() == Category.FREED_AFTER_BOOT) {
                continue;
            }
            live++;
            if (!caller.category().updatable() && caller.category() != Category.PART_OF_ANOTHER) {
                bad.add(k + " (" + caller.category().label
                        + (caller.reason() == null ? "" : ": " + caller.reason().name().toLowerCase()) + ")");
            }
        }
        if (live == 0) {
            return "no caller of " + c.key() + " runs after boot: the code scan found none outside init text";
        }
        return bad.isEmpty() ? "its callers call each other in a cycle, which this analysis does not resolve"
                : "callers that are not updatable: " + String.join(", ", bad);
    }

    private static String verdictOf(Classification c) {
        return switch (c.category()) {
            case DIRECT -> "updatable directly (it has an ftrace site)";
            case THROUGH_CALLERS -> "not redirectable (" + c.reason().description + "), updatable through its "
                    + c.callers().size() + " caller(s)";
            case NOT_UPDATABLE -> "not updatable: " + c.reason().description;
            case PART_OF_ANOTHER -> "part of " + (c.parent() == null ? "another function" : c.parent())
                    + ": update that function";
            case FREED_AFTER_BOOT -> "init code, freed after boot: nothing to update";
            case NOT_A_FUNCTION -> "not a function (a linker-script marker)";
        };
    }

    private static String target(String module, String name) {
        return module == null ? name : "\"" + module + ":" + name + "\"";
    }

    /** A C identifier for a version of {@code name} ({@code foo.isra.0} gives {@code foo_isra_0}). */
    private static String cName(String name) {
        return name.replace('.', '_');
    }
}
