package dynamos.analysis;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Classifies every text symbol of a kernel (see {@link Category}), in this order of rules:
 * <ol>
 * <li>a linker-script marker is {@link Category#NOT_A_FUNCTION};</li>
 * <li>of several symbols at one address, one is the function (the one ftrace names, else the first that
 *     is not a {@code .localalias} or {@code .cold}) and the others are its aliases,
 *     {@link Category#PART_OF_ANOTHER};</li>
 * <li>init text is {@link Category#FREED_AFTER_BOOT};</li>
 * <li>a {@code .cold} part or a {@code .localalias} is {@link Category#PART_OF_ANOTHER} (its parent is the
 *     symbol it was split from; of namesakes, the one at the same position in link order);</li>
 * <li>a symbol with an ftrace site is {@link Category#DIRECT};</li>
 * <li>any other has a {@link Reason} (its region, else whether it is C: BTF records it or it is a compiler
 *     copy) and is
 *     {@link Category#THROUGH_CALLERS} when the call graph is known, its address is never taken, it has a
 *     caller that still runs (not init text) and every such caller is updatable, directly or through its
 *     own callers (parts and aliases count as their parent; a cycle counts as not updatable); else
 *     {@link Category#NOT_UPDATABLE}.</li>
 * </ol>
 */
public final class Classifier {
    private final KernelFacts facts;
    /** The facts are one module's: namesakes cannot be named (see {@link #classifyModule}). */
    private final boolean module;
    private final Map<String, TextSymbol> byKey = new LinkedHashMap<>();
    private final Map<String, List<TextSymbol>> byName = new HashMap<>();
    private final Map<String, Category> base = new HashMap<>();
    private final Map<String, Reason> reasons = new HashMap<>();
    private final Map<String, String> parents = new HashMap<>();
    private final Map<String, Boolean> throughCallers = new HashMap<>();
    private final Map<String, List<String>> callersToUpdate = new HashMap<>();

    private Classifier(KernelFacts facts, boolean module) {
        this.facts = facts;
        this.module = module;
        for (TextSymbol s : facts.symbols()) {
            byKey.put(s.key(), s);
            byName.computeIfAbsent(s.fullName(), k -> new ArrayList<>()).add(s);
        }
    }

    /** Every text symbol's classification, in address order. */
    public static List<Classification> classify(KernelFacts facts) {
        return new Classifier(facts, false).run();
    }

    /**
     * {@link #classify} for the facts of one module ({@link ModuleFacts}): there a traced function that shares
     * its name with another of the module is not updatable, since the framework finds module functions by name.
     */
    public static List<Classification> classifyModule(KernelFacts facts) {
        return new Classifier(facts, true).run();
    }

    private List<Classification> run() {
        List<TextSymbol> symbols = facts.symbols();
        // Aliases: several non-marker symbols at one address.
        for (int i = 0; i < symbols.size(); ) {
            int j = i;
            while (j < symbols.size() && symbols.get(j).address() == symbols.get(i).address()) {
                j++;
            }
            List<TextSymbol> group = symbols.subList(i, j).stream()
                    .filter(s -> !TextLayout.isMarker(s.fullName())).toList();
            if (group.size() > 1) {
                TextSymbol primary = group.stream().filter(TextSymbol::ftraceSite).findFirst()
                        .or(() -> group.stream().filter(s -> s.name().kind() != PartKind.ALIAS
                                && s.name().kind() != PartKind.COLD).findFirst())
                        .orElse(group.getFirst());
                for (TextSymbol s : group) {
                    if (s != primary) {
                        base.put(s.key(), Category.PART_OF_ANOTHER);
                        parents.put(s.key(), primary.key());
                    }
                }
            }
            i = j;
        }
        for (TextSymbol s : symbols) {
            if (base.containsKey(s.key())) {
                continue;
            }
            PartKind kind = s.name().kind();
            if (TextLayout.isMarker(s.fullName())) {
                base.put(s.key(), Category.NOT_A_FUNCTION);
            } else if (s.region() == TextRegion.INIT) {
                base.put(s.key(), Category.FREED_AFTER_BOOT);
            } else if (kind == PartKind.COLD || kind == PartKind.ALIAS) {
                base.put(s.key(), Category.PART_OF_ANOTHER);
                String parent = parentOf(s);
                if (parent != null) {
                    parents.put(s.key(), parent);
                }
            } else if (s.ftraceSite() && module && s.ambiguous()) {
                base.put(s.key(), Category.NOT_UPDATABLE);
                reasons.put(s.key(), Reason.NAMESAKE_IN_MODULE);
            } else if (s.ftraceSite()) {
                base.put(s.key(), Category.DIRECT);
            } else {
                base.put(s.key(), Category.NOT_UPDATABLE);
                reasons.put(s.key(), reasonOf(s));
            }
        }

        Map<String, List<String>> partsOf = new HashMap<>();
        parents.forEach((part, parent) -> partsOf.computeIfAbsent(parent, k -> new ArrayList<>()).add(part));
        Map<String, List<String>> copiesOf = new HashMap<>();
        for (TextSymbol s : symbols) {
            if (base.get(s.key()) != Category.PART_OF_ANOTHER && base.get(s.key()) != Category.NOT_A_FUNCTION) {
                copiesOf.computeIfAbsent(s.name().base(), k -> new ArrayList<>()).add(s.key());
            }
        }

        List<Classification> out = new ArrayList<>(symbols.size());
        for (TextSymbol s : symbols) {
            Category c = base.get(s.key());
            if (c == Category.NOT_UPDATABLE && updatableThroughCallers(s.key())) {
                c = Category.THROUGH_CALLERS;
            }
            List<String> copies = copiesOf.getOrDefault(s.name().base(), List.of()).stream()
                    .filter(k -> !k.equals(s.key())).sorted().toList();
            out.add(new Classification(s, c, reasons.get(s.key()), parents.get(s.key()),
                    partsOf.getOrDefault(s.key(), List.of()).stream().sorted().toList(),
                    c == Category.PART_OF_ANOTHER || c == Category.NOT_A_FUNCTION ? List.of() : copies,
                    callersToUpdate.getOrDefault(s.key(), List.of()),
                    facts.btfFunctions().contains(s.name().base())));
        }
        return out;
    }

    /** The symbol a part was split from; of several namesakes, the one at the part's position in link order. */
    private String parentOf(TextSymbol part) {
        List<TextSymbol> candidates = byName.getOrDefault(part.name().parent(), List.of());
        if (candidates.isEmpty()) {
            return null;
        }
        TextSymbol chosen = candidates.size() == 1 || part.position() > candidates.size()
                ? candidates.getFirst() : candidates.get(part.position() - 1);
        return chosen.key();
    }

    private Reason reasonOf(TextSymbol s) {
        return switch (s.region()) {
            case NOINSTR, CPUIDLE -> Reason.NOINSTR;
            case ENTRY, IRQENTRY, SOFTIRQENTRY -> Reason.ENTRY_CODE;
            case STATIC_CALL, INDIRECT_THUNK -> Reason.THUNK;
            // A compiler copy (.part, .isra, .constprop) comes from C: without a site, its source is notrace.
            default -> facts.btfFunctions().contains(s.name().base()) || s.name().kind() != PartKind.ORIGINAL
                    ? Reason.NOTRACE : Reason.NO_C_RECORD;
        };
    }

    /** Whether {@code key} is updatable directly, or through its callers (memoised; a cycle counts as not). */
    private boolean updatable(String key) {
        String k = parents.getOrDefault(key, key);
        Category c = base.get(k);
        if (c == Category.DIRECT) {
            return true;
        }
        return c == Category.NOT_UPDATABLE && updatableThroughCallers(k);
    }

    private boolean updatableThroughCallers(String key) {
        CallGraph graph = facts.callGraph();
        if (!graph.known() || graph.addressTaken().contains(key)) {
            return false;
        }
        Boolean known = throughCallers.get(key);
        if (known != null) {
            return known;
        }
        throughCallers.put(key, false); // in progress: a cycle back here counts as not updatable
        List<String> live = new ArrayList<>();
        for (String caller : graph.callersOf(key)) {
            String c = parents.getOrDefault(caller, caller);
            if (base.get(c) != Category.FREED_AFTER_BOOT && !live.contains(c)) {
                live.add(c);
            }
        }
        boolean ok = !live.isEmpty() && live.stream().allMatch(this::updatable);
        throughCallers.put(key, ok);
        if (ok) {
            callersToUpdate.put(key, live.stream().sorted().toList());
        }
        return ok;
    }
}
