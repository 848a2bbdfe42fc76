package dynamos.analysis;

import dynamos.dwarf.DebugInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The DWARF facts ({@link InlineFacts}) joined with one kernel's text symbols: for an inlined function,
 * the text symbols holding its copies (by address, so namesakes and GCC's {@code .isra}/{@code .constprop}
 * copies are told apart), and for a text symbol, its source file.
 */
public final class Inlining {
    /**
     * Copies of a function inlined into one holder.
     *
     * @param function the inlined function
     * @param file the file that declares it
     * @param holder the key of the text symbol holding the copies; the DWARF name with {@code ?} when no
     *     text symbol lies at its address
     * @param copies how many copies that holder has
     */
    public record Copy(String function, String file, String holder, int copies) {}

    private final InlineFacts data;
    private int onSymbol;
    private final Map<String, List<Copy>> byName = new HashMap<>();
    private final Map<String, DebugInfo.Function> byKey = new HashMap<>();

    private Inlining(InlineFacts data, KernelFacts facts) {
        this.data = data;
        Map<Long, List<TextSymbol>> byAddress = new HashMap<>();
        for (TextSymbol s : facts.symbols()) {
            if (!TextLayout.isMarker(s.fullName())) {
                byAddress.computeIfAbsent(s.address(), k -> new ArrayList<>()).add(s);
            }
        }
        long base = facts.textBase();
        String[] keys = new String[data.functions().size()];
        for (int i = 0; i < keys.length; i++) {
            DebugInfo.Function f = data.functions().get(i);
            TextSymbol s = pick(byAddress.get(base + f.entry()), f.name());
            keys[i] = s == null ? f.name() + "?" : s.key();
            if (s != null) {
                byKey.putIfAbsent(s.key(), f);
                onSymbol++;
            }
        }
        for (DebugInfo.InlinedCopy c : data.inlined()) {
            byName.computeIfAbsent(c.name(), k -> new ArrayList<>())
                    .add(new Copy(c.name(), c.file(), keys[c.holder()], c.copies()));
        }
        byName.values().forEach(l -> l.sort(Comparator.comparing(Copy::holder)));
    }

    /** {@code data} joined with {@code facts}' symbols (the data's offsets count from the kernel's {@code _text}). */
    public static Inlining of(InlineFacts data, KernelFacts facts) {
        return new Inlining(data, facts);
    }

    public InlineFacts data() {
        return data;
    }

    /**
     * The share of the DWARF's functions that lie at a text symbol of the kernel: nearly 1 when both are of
     * one build (6.1.0-50: 99.7%), far less when the DWARF came from another kernel.
     */
    public double matchedShare() {
        return data.functions().isEmpty() ? 1 : (double) onSymbol / data.functions().size();
    }

    /** Throws when the DWARF facts do not belong to this kernel ({@link #matchedShare} below 90%). */
    public Inlining checkMatches(String origin) {
        if (matchedShare() < 0.9) {
            throw new AnalysisException(String.format("the inlining facts in %s do not match kernel %s: only %.0f%% of"
                    + " their functions lie at one of its symbols (derived from another kernel's vmlinux?); delete the"
                    + " file and derive it again: dynamos analyze --debug-info --kernel-version %s", origin,
                    data.release(), 100 * matchedShare(), data.release()));
        }
        return this;
    }

    /** Of several symbols at one address: the one of the function's name, else one with an ftrace site. */
    private static TextSymbol pick(List<TextSymbol> at, String name) {
        if (at == null || at.isEmpty()) {
            return null;
        }
        for (TextSymbol s : at) {
            if (s.fullName().equals(name)) {
                return s;
            }
        }
        for (TextSymbol s : at) {
            if (s.name().base().equals(name) && s.name().kind() != PartKind.COLD) {
                return s;
            }
        }
        return at.stream().filter(TextSymbol::ftraceSite).findFirst().orElse(at.getFirst());
    }

    /** The copies of {@code function} (any file) in the functions that hold them, by holder key. */
    public List<Copy> copiesOf(String function) {
        return byName.getOrDefault(function, List.of());
    }

    /**
     * The copies of the function {@code key} names: of its source name, declared in the same file as it
     * (a namesake in another file is another function); all of that name when its file is unknown.
     */
    public List<Copy> copiesOfSymbol(String key) {
        DebugInfo.Function f = byKey.get(key);
        String base = SymbolName.parse(key.contains("#") ? key.substring(0, key.indexOf('#')) : key).base();
        List<Copy> all = copiesOf(base);
        if (f == null || f.file().isEmpty()) {
            return all;
        }
        return all.stream().filter(c -> c.file().equals(f.file()) || c.file().isEmpty()).toList();
    }

    /** The files that declare the inlined functions called {@code function} (several: namesakes). */
    public Set<String> filesOf(String function) {
        Set<String> out = new LinkedHashSet<>();
        copiesOf(function).forEach(c -> out.add(c.file()));
        return out;
    }

    /**
     * Where the text symbol {@code key} comes from: its declaring file, and the compilation unit when that
     * differs (a static inline function of a header); null when the DWARF has no function at its address.
     */
    public String sourceOf(String key) {
        DebugInfo.Function f = byKey.get(key);
        if (f == null) {
            return null;
        }
        if (f.file().isEmpty()) {
            return f.unit();
        }
        return f.file().equals(f.unit()) || f.unit().isEmpty() ? f.file() : f.file() + " (compiled in " + f.unit() + ")";
    }

    /**
     * The counts over a classification: functions inlined somewhere, those of them without a text symbol,
     * and those of these whose every live holder is updatable (so an update reaches all their copies).
     *
     * @param inlined distinct (name, file) pairs with inlined copies in live functions
     * @param withoutSymbol of them, with no text symbol of the name (inlined everywhere)
     * @param coveredByHolders of those, every live holder updatable (directly or through its callers)
     * @param alsoInlined live text symbols that also have inlined copies elsewhere
     */
    public record Counts(int inlined, int withoutSymbol, int coveredByHolders, int alsoInlined) {}

    /** The counts over {@code all}. */
    public Counts counts(List<Classification> all) {
        Map<String, Classification> byK = new HashMap<>();
        Set<String> names = new HashSet<>();
        for (Classification c : all) {
            byK.put(c.key(), c);
            names.add(c.symbol().name().base());
        }
        Map<String, Boolean> pairs = new LinkedHashMap<>(); // name\tfile -> all live holders updatable
        for (List<Copy> copies : byName.values()) {
            for (Copy c : copies) {
                Classification h = holder(byK, c.holder());
                if (h == null || !h.category().liveFunction() && h.category() != Category.PART_OF_ANOTHER) {
                    continue;
                }
                boolean ok = h.category().updatable()
                        || h.category() == Category.PART_OF_ANOTHER && h.parent() != null
                        && byK.containsKey(h.parent()) && byK.get(h.parent()).category().updatable();
                pairs.merge(c.function() + "\t" + c.file(), ok, Boolean::logicalAnd);
            }
        }
        int without = 0;
        int covered = 0;
        for (Map.Entry<String, Boolean> e : pairs.entrySet()) {
            String name = e.getKey().substring(0, e.getKey().indexOf('\t'));
            if (!names.contains(name)) {
                without++;
                covered += e.getValue() ? 1 : 0;
            }
        }
        int also = 0;
        for (Classification c : all) {
            if (c.category().liveFunction() && c.symbol().name().kind() == PartKind.ORIGINAL
                    && copiesOfSymbol(c.key()).stream().anyMatch(x -> {
                        Classification h = holder(byK, x.holder());
                        return h != null && h.category() != Category.FREED_AFTER_BOOT;
                    })) {
                also++;
            }
        }
        return new Counts(pairs.size(), without, covered, also);
    }

    private static Classification holder(Map<String, Classification> byKey, String key) {
        return byKey.get(key);
    }
}
