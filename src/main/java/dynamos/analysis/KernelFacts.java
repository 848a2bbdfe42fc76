package dynamos.analysis;

import dynamos.update.Kallsyms;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What is known of one kernel's text before any judgement: its text symbols in address order (with
 * sizes, regions, namesakes and ftrace sites), the functions its BTF records (C functions that exist out
 * of line), and the call graph when the code was decoded.
 *
 * @param release the kernel release
 * @param symbols the core kernel's text symbols (kallsyms types t, T, w, W, and the layout markers), by address
 * @param layout the text regions
 * @param btfFunctions names of the BTF {@code FUNC} records
 * @param exported names the core kernel exports to modules (its {@code __ksymtab_} entries)
 * @param sectionBounds addresses of the core kernel's {@code __start_X} and {@code __stop_X} symbols
 * @param callGraph calls between the symbols, or {@link CallGraph#UNKNOWN}
 * @param properties what the image's tables record inside each function (keys of functions with any);
 *     empty when the image was not read
 * @param entryBranches keys of functions with a jump back into their first bytes ({@link EntryBranches})
 * @param ftraceSites how many of the core kernel's lines the ftrace list has
 * @param ftraceUnmatched how many of them matched no text symbol (should be 0; reported, not hidden)
 * @param ftraceInvalid how many sites the kernel lists as {@link #INVALID_SITE} (not counted in {@code ftraceSites})
 */
public record KernelFacts(String release, List<TextSymbol> symbols, TextLayout layout, Set<String> btfFunctions,
        Set<String> exported, Map<String, Long> sectionBounds, CallGraph callGraph,
        Map<String, FunctionProperties> properties, Set<String> entryBranches, int ftraceSites, int ftraceUnmatched, int ftraceInvalid) {
    /** How the ftrace list names a site that lies in no function (a weak function overridden at link time). */
    public static final String INVALID_SITE = "__ftrace_invalid_address__";

    public KernelFacts {
        symbols = List.copyOf(symbols);
        btfFunctions = Set.copyOf(btfFunctions);
        exported = Set.copyOf(exported);
        sectionBounds = Map.copyOf(sectionBounds);
        properties = Map.copyOf(properties);
        entryBranches = Set.copyOf(entryBranches);
    }

    /**
     * The facts from the running kernel's listings: {@code kallsyms} ({@code /proc/kallsyms} as root) and
     * {@code ftrace} ({@code available_filter_functions}: one name per patchable site, in address order,
     * module functions marked {@code [module]}). Module lines of both are left out.
     */
    /**
     * The DYNAMOS_SYMBOL position of a function at {@code address}: 1 + the entries of its name (of any
     * type) at lower addresses, + the functions of the name before it at the same address; {@code nth}
     * (its rank among the functions of the name) when it is the only kind of entry.
     */
    private static int position(List<Long> all, long address, int nth) {
        if (all == null || all.size() <= 1) {
            return nth;
        }
        int below = 0;
        for (long a : all) {
            below += Long.compareUnsigned(a, address) < 0 ? 1 : 0;
        }
        return Math.max(nth, below + 1);
    }

    /**
     * How many entries share a function's name, for the framework: the kernel refuses a name that kallsyms
     * lists more than once, variables included, so a function that shares its name only with a variable
     * needs its DYNAMOS_SYMBOL position too.
     */
    private static int namesakes(int functions, List<Long> all) {
        return all == null ? functions : Math.max(functions, all.size());
    }

    public static KernelFacts of(String release, List<String> kallsyms, List<String> ftrace, Set<String> btfFunctions,
            CallGraph callGraph) {
        List<Kallsyms.Entry> core = new ArrayList<>();
        Map<String, Long> markers = new HashMap<>();
        Set<String> exported = new HashSet<>();
        Map<String, Long> bounds = new HashMap<>();
        // Every core-kernel entry's address by name: DYNAMOS_SYMBOL positions count variables too.
        Map<String, List<Long>> anyType = new HashMap<>();
        for (Kallsyms.Entry e : Kallsyms.parse(kallsyms).entries()) {
            if (e.module() == null) {
                anyType.computeIfAbsent(e.name(), k -> new ArrayList<>(1)).add(e.address());
            }
            if (e.module() == null && (e.name().startsWith("__start_") || e.name().startsWith("__stop_"))) {
                bounds.put(e.name(), e.address());
            }
            if (e.module() == null && e.name().startsWith("__ksymtab_")) {
                exported.add(e.name().substring("__ksymtab_".length()));
            }
            if (e.module() == null && TextLayout.isInitBound(e.name())) {
                markers.putIfAbsent(e.name(), e.address()); // a data symbol, but it bounds init text too
            }
            if (e.module() != null || "tTwW".indexOf(e.type()) < 0) {
                continue;
            }
            core.add(e);
            if (TextLayout.isMarker(e.name())) {
                markers.putIfAbsent(e.name(), e.address());
            }
        }
        if (!core.isEmpty() && core.stream().allMatch(e -> e.address() == 0)) {
            throw new AnalysisException("the kallsyms listing shows every address as 0: it was read without "
                    + "CAP_SYSLOG; read /proc/kallsyms as root");
        }
        core.sort(Comparator.comparing(Kallsyms.Entry::address, Long::compareUnsigned));
        TextLayout layout = TextLayout.fromMarkers(markers);

        Map<String, List<Integer>> byName = new HashMap<>();
        for (int i = 0; i < core.size(); i++) {
            byName.computeIfAbsent(core.get(i).name(), k -> new ArrayList<>()).add(i);
        }
        boolean[] site = new boolean[core.size()];
        int sites = 0;
        int unmatched = 0;
        int invalid = 0;
        long next = 0; // the lowest address the next site may have (sites come in address order)
        for (String line : ftrace) {
            String name = line.strip();
            if (name.isEmpty() || name.contains("[")) {
                continue;
            }
            if (name.startsWith(INVALID_SITE)) {
                invalid++; // the site of a weak function the linker dropped: no function of the running kernel
                continue;
            }
            sites++;
            int found = -1;
            for (int i : byName.getOrDefault(name, List.of())) {
                if (Long.compareUnsigned(core.get(i).address(), next) >= 0) {
                    found = i;
                    break;
                }
            }
            if (found < 0) {
                unmatched++;
                continue;
            }
            site[found] = true;
            next = core.get(found).address() + 1;
        }

        List<TextSymbol> out = new ArrayList<>(core.size());
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < core.size(); i++) {
            Kallsyms.Entry e = core.get(i);
            long size = 0;
            for (int j = i + 1; j < core.size(); j++) {
                if (core.get(j).address() != e.address()) {
                    size = core.get(j).address() - e.address();
                    break;
                }
            }
            int position = position(anyType.get(e.name()), e.address(), seen.merge(e.name(), 1, Integer::sum));
            out.add(new TextSymbol(SymbolName.parse(e.name()), e.address(), size, e.type(),
                    layout.regionOf(e.address()), position, namesakes(byName.get(e.name()).size(),
                            anyType.get(e.name())), site[i]));
        }
        return new KernelFacts(release, Collections.unmodifiableList(out), layout, btfFunctions, exported, bounds,
                callGraph, Map.of(), Set.of(), sites, unmatched, invalid);
    }

    /** The same facts with a call graph. */
    public KernelFacts withCallGraph(CallGraph graph) {
        return new KernelFacts(release, symbols, layout, btfFunctions, exported, sectionBounds, graph, properties,
                entryBranches, ftraceSites, ftraceUnmatched, ftraceInvalid);
    }

    /** The same facts with the properties of the functions' code. */
    public KernelFacts withProperties(Map<String, FunctionProperties> props) {
        return new KernelFacts(release, symbols, layout, btfFunctions, exported, sectionBounds, callGraph, props,
                entryBranches, ftraceSites, ftraceUnmatched, ftraceInvalid);
    }

    /** The same facts with the functions that have a jump back into their first bytes. */
    public KernelFacts withEntryBranches(Set<String> keys) {
        return new KernelFacts(release, symbols, layout, btfFunctions, exported, sectionBounds, callGraph, properties,
                keys, ftraceSites, ftraceUnmatched, ftraceInvalid);
    }

    /** What the tables record inside the function {@code key}. */
    public FunctionProperties propertiesOf(String key) {
        return properties.getOrDefault(key, FunctionProperties.NONE);
    }

    /** The address of {@code _text} (or the first symbol): addresses are shown relative to it. */
    public long textBase() {
        return layout.range(TextRegion.TEXT).map(TextLayout.Range::start)
                .orElse(symbols.isEmpty() ? 0 : symbols.getFirst().address());
    }
}
