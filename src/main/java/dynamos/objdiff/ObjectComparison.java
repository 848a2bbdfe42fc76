package dynamos.objdiff;

import dynamos.elf.ElfObject;
import dynamos.elf.ElfRelocation;
import dynamos.elf.ElfSymbol;
import dynamos.x86.Decoder;
import dynamos.x86.DecoderUnavailableException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Compares two compiles of one translation unit (before and after a patch, both {@code gcc -c} with
 * {@code -ffunction-sections -fdata-sections}) function by function and data object by data object.
 *
 * <p>A function is compared with its GCC pieces ({@code .cold}, {@code .part.N}, {@code .isra.N},
 * {@code .constprop.N}) as one: same pieces, and per piece the same size, the same bytes outside relocated fields,
 * and the same relocations (type, offset, and target by name, or for a string or constant by its contents, since
 * section offsets move when an unrelated string changes). Its {@code __bug_table} entries and the other location
 * tables' entries that point into it (exception table, jump labels ...) must match too. Differences in line
 * numbers alone follow {@link LineNumberRule}. A function into which a changed static was inlined differs by its
 * own bytes and is reported changed by itself.
 *
 * <p>A data object is compared by size, bytes outside relocated fields and relocations the same way. Changed
 * existing data, changed {@code __init} code, and changed exports or their CRCs are {@link Refusal}s.
 *
 * <p>The x86 decoder (Zydis) finds instruction boundaries and immediates; without it the comparison still works,
 * but every byte difference counts (no line-number relaxation in code).
 */
public final class ObjectComparison {
    private ObjectComparison() {}

    /** Reads and compares two object files. */
    public static ObjectDiff compare(Path before, Path after) {
        return compare(ElfObject.read(before), ElfObject.read(after));
    }

    public static ObjectDiff compare(ElfObject before, ElfObject after) {
        Decoder decoder = null;
        try {
            decoder = Decoder.available() ? new Decoder() : null;
        } catch (DecoderUnavailableException e) {
            decoder = null;
        }
        try {
            return compare(before, after, decoder);
        } finally {
            if (decoder != null) {
                decoder.close();
            }
        }
    }

    /** With a given decoder, or null to compare without one. */
    static ObjectDiff compare(ElfObject before, ElfObject after, Decoder decoder) {
        CompiledObject a = new CompiledObject(before, decoder);
        CompiledObject b = new CompiledObject(after, decoder);
        LineNumberRule lines = new LineNumberRule(decoder);
        List<FunctionDiff> functions = new ArrayList<>();
        List<Refusal> refusals = new ArrayList<>();
        for (String name : new TreeSet<>(union(a.functions.keySet(), b.functions.keySet()))) {
            List<Piece> old = a.functions.get(name);
            List<Piece> now = b.functions.get(name);
            FunctionDiff f;
            if (old == null) {
                f = function(name, Status.NEW, now, b, List.of("only after the patch"));
            } else if (now == null) {
                boolean local = main(old).symbol().binding() == ElfSymbol.STB_LOCAL;
                f = function(name, local ? Status.NO_OUT_OF_LINE_COPY : Status.REMOVED, old, null,
                        List.of(local ? "static with no out-of-line copy after the patch: deleted, or now inlined "
                                + "into all its callers (which then differ)" : "only before the patch"));
            } else {
                List<String> why = new ArrayList<>();
                Status s = compareFunction(old, now, a, b, lines, why);
                f = function(name, s, now, b, why);
                if (s == Status.CHANGED && (f.init() || main(old).init())) {
                    refusals.add(new Refusal(Refusal.Kind.INIT_CHANGED, name, "__init function " + name
                            + " changed, but it ran at boot and its code was freed; a live update cannot rerun it. "
                            + "Move the fix into code that runs after boot, or reboot into a fixed kernel"));
                }
            }
            functions.add(f);
        }
        List<DataDiff> data = new ArrayList<>();
        for (String key : new TreeSet<>(union(a.data.keySet(), b.data.keySet()))) {
            CompiledObject.DataObject old = a.data.get(key);
            CompiledObject.DataObject now = b.data.get(key);
            DataDiff d;
            if (old == null) {
                d = new DataDiff(now.symbol().name(), null, key, Status.NEW, now.section(), local(now.symbol()), -1,
                        now.masked().length, List.of("only after the patch"));
            } else if (now == null) {
                d = new DataDiff(old.symbol().name(), old.symbol().name(), key, Status.REMOVED, old.section(),
                        local(old.symbol()), old.masked().length, -1, List.of("only before the patch"));
            } else {
                List<String> why = compareData(old, now);
                d = new DataDiff(now.symbol().name(), old.symbol().name(), key,
                        why.isEmpty() ? Status.UNCHANGED : Status.CHANGED,
                        now.section(), local(now.symbol()), old.masked().length, now.masked().length, why);
                if (!why.isEmpty()) {
                    refusals.add(new Refusal(Refusal.Kind.DATA_CHANGED, d.name(), "data object " + d.name() + " ("
                            + d.section() + ") exists in the running kernel and the patch changes it: "
                            + String.join("; ", why) + ". A live update cannot change data already in use; keep "
                            + "its layout and initial value, and make the change in code (or with shadow data)"));
                }
            }
            data.add(d);
        }
        if (!a.exports.equals(b.exports)) {
            TreeSet<String> gone = new TreeSet<>(a.exports);
            gone.removeAll(b.exports);
            TreeSet<String> added = new TreeSet<>(b.exports);
            added.removeAll(a.exports);
            refusals.add(new Refusal(Refusal.Kind.EXPORTS_CHANGED, String.join(",", union(gone, added)),
                    "the patch changes the exported symbols (removed " + gone + ", added " + added + "); modules "
                    + "link against the running kernel's exports, which a live update cannot change. Keep "
                    + "EXPORT_SYMBOL lines as they are"));
        }
        for (var e : b.crcs.entrySet()) {
            Long old = a.crcs.get(e.getKey());
            if (old != null && !old.equals(e.getValue())) {
                refusals.add(new Refusal(Refusal.Kind.CRC_CHANGED, e.getKey(), String.format("the modversions CRC of "
                        + "exported %s changed (%08x -> %08x): its prototype or a type it uses changed, which loaded "
                        + "modules were built against. Keep the exported interface unchanged", e.getKey(), old,
                        e.getValue())));
            }
        }
        return new ObjectDiff(before.origin(), after.origin(), functions, data, refusals);
    }

    private static List<String> union(java.util.Collection<String> x, java.util.Collection<String> y) {
        TreeSet<String> u = new TreeSet<>(x);
        u.addAll(y);
        return List.copyOf(u);
    }

    private static boolean local(ElfSymbol s) {
        return s.binding() == ElfSymbol.STB_LOCAL;
    }

    /** The piece named like the function, or the first if GCC left only clones. */
    private static Piece main(List<Piece> pieces) {
        String parent = pieces.getFirst().parent();
        return pieces.stream().filter(p -> p.name().equals(parent)).findFirst().orElse(pieces.getFirst());
    }

    private static FunctionDiff function(String name, Status status, List<Piece> pieces, CompiledObject referencesIn,
            List<String> why) {
        Piece m = main(pieces);
        List<Reference> refs = referencesIn == null ? List.of() : references(pieces, referencesIn);
        return new FunctionDiff(name, status, pieces.stream().map(Piece::name).toList(), m.section(),
                local(m.symbol()), pieces.stream().anyMatch(Piece::init), refs, status == Status.UNCHANGED
                        ? List.of() : why);
    }

    private static Status compareFunction(List<Piece> old, List<Piece> now, CompiledObject a, CompiledObject b,
            LineNumberRule lines, List<String> why) {
        List<String> oldNames = old.stream().map(Piece::name).toList();
        List<String> newNames = now.stream().map(Piece::name).toList();
        if (!oldNames.equals(newNames)) {
            why.add("its pieces changed from " + oldNames + " to " + newNames);
            return Status.CHANGED;
        }
        boolean lineOnly = false;
        for (int i = 0; i < old.size(); i++) {
            Piece p = old.get(i);
            Piece q = now.get(i);
            String name = p.name();
            if (p.code().length != q.code().length) {
                why.add(name + ": size " + p.code().length + " -> " + q.code().length + " bytes");
                return Status.CHANGED;
            }
            String relocation = firstDifference(p.relocations(), q.relocations());
            if (relocation != null) {
                why.add(name + ": " + relocation);
                return Status.CHANGED;
            }
            if (!Objects.equals(a.sites.getOrDefault(name, List.of()), b.sites.getOrDefault(name, List.of()))) {
                why.add(name + ": its entries in location tables (exception table, jump labels ...) changed: "
                        + a.sites.getOrDefault(name, List.of()) + " -> " + b.sites.getOrDefault(name, List.of()));
                return Status.CHANGED;
            }
            List<CompiledObject.BugEntry> bugsBefore = a.bugEntries.getOrDefault(name, List.of());
            List<CompiledObject.BugEntry> bugsAfter = b.bugEntries.getOrDefault(name, List.of());
            if (!bugsBefore.stream().map(CompiledObject.BugEntry::withoutLine).toList()
                    .equals(bugsAfter.stream().map(CompiledObject.BugEntry::withoutLine).toList())) {
                why.add(name + ": its __bug_table entries (WARN/BUG places, files or flags) changed");
                return Status.CHANGED;
            }
            if (!bugsBefore.equals(bugsAfter)) {
                lineOnly = true;
                why.add(name + ": only the line numbers of its __bug_table entries changed");
            }
            if (!Arrays.equals(p.masked(), q.masked())) {
                long r = lines.check(p, q);
                if (r < 0) {
                    why.add(String.format("%s: code differs at +%#x", name, -1 - r));
                    return Status.CHANGED;
                }
                lineOnly = true;
                why.add(name + ": only line numbers passed to debug helpers changed");
            }
        }
        return lineOnly ? Status.LINE_NUMBERS_ONLY : Status.UNCHANGED;
    }

    private static String firstDifference(List<NormalizedRelocation> x, List<NormalizedRelocation> y) {
        for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
            if (!x.get(i).comparable().equals(y.get(i).comparable())) {
                return String.format("relocation at +%#x: %s -> %s", x.get(i).offset(), describe(x.get(i)),
                        describe(y.get(i)));
            }
        }
        if (x.size() != y.size()) {
            return "relocations " + x.size() + " -> " + y.size();
        }
        return null;
    }

    private static String describe(NormalizedRelocation r) {
        return String.format("%s%s (type %d at +%#x)", r.target(), r.delta() == 0 ? "" : "+" + r.delta(), r.type(),
                r.offset());
    }

    private static List<String> compareData(CompiledObject.DataObject old, CompiledObject.DataObject now) {
        List<String> why = new ArrayList<>();
        if (old.masked().length != now.masked().length) {
            why.add("size " + old.masked().length + " -> " + now.masked().length + " bytes");
            return why;
        }
        for (int i = 0; i < old.masked().length; i++) {
            if (old.masked()[i] != now.masked()[i]) {
                why.add(String.format("initial value differs at byte %d", i));
                break;
            }
        }
        String relocation = firstDifference(old.relocations(), now.relocations());
        if (relocation != null) {
            why.add("pointer " + relocation);
        }
        return why;
    }

    /** What the pieces' code refers to, each symbol once, calls first seen as calls. */
    private static List<Reference> references(List<Piece> pieces, CompiledObject in) {
        Map<String, Reference> out = new LinkedHashMap<>();
        for (Piece p : pieces) {
            for (NormalizedRelocation r : p.relocations()) {
                if (r.symbol() == null || r.symbol().isEmpty()) {
                    continue;
                }
                ElfSymbol s = in.elf.symbols(r.symbol()).stream().filter(x -> x.type() != ElfSymbol.STT_SECTION)
                        .findFirst().orElse(null);
                boolean call = (r.type() == ElfRelocation.R_X86_64_PLT32 || r.type() == ElfRelocation.R_X86_64_PC32)
                        && isBranch(p, r);
                boolean defined = s != null && !s.isUndefined();
                Reference ref = new Reference(r.symbol(), call ? Reference.Kind.CALL : Reference.Kind.ADDRESS,
                        defined, s != null && local(s));
                out.merge(r.symbol(), ref, (x, y) -> x.kind() == Reference.Kind.CALL ? x : y);
            }
        }
        return List.copyOf(out.values());
    }

    /** Whether the relocated field is the displacement of a direct call or jump (the decoder says). */
    private static boolean isBranch(Piece p, NormalizedRelocation r) {
        return p.branchFields().contains((int) r.offset());
    }
}
