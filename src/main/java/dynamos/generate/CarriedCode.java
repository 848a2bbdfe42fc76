package dynamos.generate;

import dynamos.elf.ElfObject;
import dynamos.elf.ElfRelocation;
import dynamos.elf.ElfSection;
import dynamos.elf.ElfSymbol;
import dynamos.elf.RelocatableWriter;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The part of a unit's patched object that an update carries, as an object of its own: the sections of the new
 * and changed functions and new data, the constants they use, and the entries of the kernel's tables (bug and
 * exception tables, alternatives, ORC, return sites ...) that describe that code. What the code uses of the rest of
 * the unit becomes an undefined symbol named as the running kernel names it, which {@code dynamos apply} binds from
 * kallsyms; so nothing of the kernel's state is duplicated.
 */
final class CarriedCode {
    private static final long SHF_WRITE = 0x1;
    private static final long SHF_ALLOC = 0x2;
    private static final long SHF_EXECINSTR = 0x4;
    /** Flags that need sections this object does not carry (groups, link order): dropped. */
    private static final long SHF_LINK_ORDER = 0x80;
    private static final long SHF_GROUP = 0x200;

    /**
     * What to carry.
     *
     * @param carried the symbols whose sections come along (every piece of the new and changed functions, new data,
     *     copied constants)
     * @param renamed new global names of carried symbols: the versions, so that nothing confuses them with the
     *     kernel's functions they replace
     * @param bound symbols of the object that stay the running kernel's, by the name the kernel gives them
     * @param global carried symbols that stay global: what the update adds. Others (a replaced function's aliases,
     *     the rest of a section that comes along whole) become the module's locals, so that kallsyms does not list
     *     a second global of a kernel symbol's name
     */
    record Selection(Set<String> carried, Map<String, String> renamed, Map<String, String> bound, Set<String> global) {
        Selection {
            carried = Set.copyOf(carried);
            global = Set.copyOf(global);
            renamed = Map.copyOf(renamed);
            bound = Map.copyOf(bound);
        }
    }

    /**
     * A table of fixed-size entries, each describing one place in code through the relocation at its start; an
     * entry comes along when that place does. {@code paired}: a table without relocations whose entries go with
     * this one's by index ({@code .orc_unwind} with {@code .orc_unwind_ip}).
     */
    private record Table(int entrySize, String paired, int pairedEntrySize) {
        Table(int entrySize) {
            this(entrySize, null, 0);
        }
    }

    /** The x86-64 tables of Linux 6.1 and their entry sizes. */
    private static final Map<String, Table> TABLES = Map.ofEntries(
            Map.entry("__bug_table", new Table(12)),
            Map.entry("__ex_table", new Table(12)),
            Map.entry(".altinstructions", new Table(12)),
            Map.entry("__jump_table", new Table(16)),
            Map.entry(".static_call_sites", new Table(8)),
            Map.entry(".retpoline_sites", new Table(4)),
            Map.entry(".return_sites", new Table(4)),
            Map.entry(".call_sites", new Table(4)),
            Map.entry(".ibt_endbr_seal", new Table(4)),
            Map.entry(".smp_locks", new Table(4)),
            Map.entry("__mcount_loc", new Table(8)),
            Map.entry(".parainstructions", new Table(16)),
            Map.entry(".orc_unwind_ip", new Table(4, ".orc_unwind", 6)));

    /** Whether {@code section} is one of the tables whose entries describe places in code. */
    static boolean isTable(String section) {
        return TABLES.containsKey(section) || TABLES.values().stream().anyMatch(t -> section.equals(t.paired()));
    }

    /** Code that tables point to without being a function of its own: the alternatives' replacement instructions. */
    private static final String ALTERNATIVES_CODE = ".altinstr_replacement";

    private final ElfObject elf;
    private final Selection selection;
    private final List<ElfSection> sections;
    private final Map<Integer, List<ElfSymbol>> definedBySection = new HashMap<>();
    private final Set<Integer> kept = new TreeSet<>();
    private final Map<Integer, List<Integer>> keptEntries = new LinkedHashMap<>();
    private final Set<String> problems = new java.util.LinkedHashSet<>();

    private CarriedCode(ElfObject elf, Selection selection) {
        this.elf = elf;
        this.selection = selection;
        this.sections = elf.sections();
        for (ElfSymbol s : elf.symbols()) {
            if (s.index() != 0 && s.sectionIndex() > 0 && s.sectionIndex() < sections.size()
                    && s.type() != ElfSymbol.STT_SECTION && s.type() != ElfSymbol.STT_FILE) {
                definedBySection.computeIfAbsent(s.sectionIndex(), k -> new ArrayList<>()).add(s);
            }
        }
    }

    /**
     * The carried object's bytes.
     *
     * @throws GenerateException naming every reference the selection neither carries nor binds, and every carried
     *     symbol the object lacks
     */
    static byte[] extract(ElfObject patched, Selection selection) {
        CarriedCode c = new CarriedCode(patched, selection);
        c.select();
        if (!c.problems.isEmpty()) {
            throw new GenerateException("cannot carry the patched code of " + patched.origin() + ":\n    "
                    + String.join("\n    ", c.problems));
        }
        return c.write();
    }

    private void select() {
        Set<String> found = new HashSet<>();
        for (ElfSymbol s : elf.symbols()) {
            if (selection.carried().contains(s.name()) && s.sectionIndex() > 0 && s.sectionIndex() < sections.size()) {
                kept.add(s.sectionIndex());
                found.add(s.name());
            }
        }
        selection.carried().stream().filter(n -> !found.contains(n)).sorted()
                .forEach(n -> problems.add(n + " is not defined in the patched object"));
        Set<Integer> done = new HashSet<>();
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int index : List.copyOf(kept)) {
                if (done.add(index) && !TABLES.containsKey(sections.get(index).name())) {
                    for (ElfRelocation r : elf.relocations(sections.get(index))) {
                        changed |= follow(sections.get(index), r, false);
                    }
                }
            }
            changed |= selectTableEntries();
        }
    }

    /** Chooses the entries of every table that describe carried code; true when that carries more sections. */
    private boolean selectTableEntries() {
        boolean more = false;
        for (ElfSection table : sections) {
            Table t = TABLES.get(table.name());
            if (t == null) {
                continue;
            }
            if (table.size() % t.entrySize() != 0) {
                problems.add(table.name() + " is " + table.size() + " bytes, not whole entries of " + t.entrySize());
                continue;
            }
            Map<Long, ElfRelocation> anchors = new HashMap<>();
            for (ElfRelocation r : elf.relocations(table)) {
                if (r.offset() % t.entrySize() == 0) {
                    anchors.put(r.offset() / t.entrySize(), r);
                }
            }
            List<Integer> entries = new ArrayList<>();
            for (long e = 0; e < table.size() / t.entrySize(); e++) {
                ElfRelocation anchor = anchors.get(e);
                if (anchor != null && pointsIntoKeptCode(anchor)) {
                    entries.add((int) e);
                }
            }
            if (entries.isEmpty()) {
                continue;
            }
            keptEntries.put(table.index(), entries);
            kept.add(table.index());
            if (t.paired() != null) {
                elf.section(t.paired()).ifPresent(p -> kept.add(p.index()));
            }
            Set<Integer> chosen = new HashSet<>(entries);
            for (ElfRelocation r : elf.relocations(table)) {
                if (chosen.contains((int) (r.offset() / t.entrySize())) && r.offset() % t.entrySize() != 0) {
                    more |= follow(table, r, true);
                }
            }
        }
        return more;
    }

    private boolean pointsIntoKeptCode(ElfRelocation r) {
        int section = r.symbol().sectionIndex();
        return r.symbol().index() != 0 && section > 0 && section < sections.size() && kept.contains(section)
                && (sections.get(section).flags() & SHF_EXECINSTR) != 0;
    }

    /**
     * Makes sure what {@code r} refers to will be there: bound, carried, or a constant to carry. True when that adds
     * a section. {@code fromTable}: {@code r} is in a table entry (which may refer to replacement code).
     */
    private boolean follow(ElfSection from, ElfRelocation r, boolean fromTable) {
        ElfSymbol s = r.symbol();
        if (s.index() == 0 || s.isUndefined() || s.isAbsolute()) {
            return false;
        }
        ElfSymbol target = target(r);
        if (target != null && selection.bound().containsKey(target.name())) {
            return false;
        }
        int section = s.sectionIndex();
        if (section <= 0 || section >= sections.size()) {
            problems.add(from.name() + " refers to " + s.name() + " in section " + elf.sectionName(section));
            return false;
        }
        if (kept.contains(section)) {
            return false;
        }
        ElfSection to = sections.get(section);
        boolean constant = (to.flags() & SHF_ALLOC) != 0 && (to.flags() & (SHF_WRITE | SHF_EXECINSTR)) == 0;
        if (constant || fromTable && to.name().equals(ALTERNATIVES_CODE)
                || to.name().equals(ALTERNATIVES_CODE) && from.name().equals(ALTERNATIVES_CODE)) {
            kept.add(section);
            return true;
        }
        String what = target != null ? target.name() : to.name() + "+" + r.addend();
        problems.add(from.name() + " refers to " + what + " (in " + to.name() + "), which the update neither carries"
                + " nor binds to the running kernel");
        return false;
    }

    /** The function or data object {@code r} refers to, or null (strings, anonymous constants). */
    private ElfSymbol target(ElfRelocation r) {
        ElfSymbol s = r.symbol();
        if (s.type() != ElfSymbol.STT_SECTION) {
            return s;
        }
        // A PC-relative field's addend counts from the end of the field: the target is 4 bytes further.
        long at = r.addend() + (pcRelative(r.type()) ? 4 : 0);
        ElfSymbol best = null;
        ElfSymbol endingHere = null;
        for (ElfSymbol o : definedBySection.getOrDefault(s.sectionIndex(), List.of())) {
            if (o.value() <= at && (at < o.value() + o.size() || at == o.value())) {
                best = o;
            } else if (o.size() > 0 && o.value() + o.size() == at) {
                endingHere = o;
            }
        }
        // A pointer just past an array (a loop's end) belongs to that array: it must be bound or carried with it.
        return best != null ? best : endingHere;
    }

    private static boolean pcRelative(int type) {
        return type == ElfRelocation.R_X86_64_PC32 || type == ElfRelocation.R_X86_64_PLT32
                || type == ElfRelocation.R_X86_64_GOTPCREL;
    }

    private byte[] write() {
        Map<Integer, Integer> outSection = new HashMap<>();
        List<Integer> order = new ArrayList<>(kept);
        for (int i = 0; i < order.size(); i++) {
            outSection.put(order.get(i), i + 1);
        }
        List<RelocatableWriter.Symbol> locals = new ArrayList<>();
        List<RelocatableWriter.Symbol> globals = new ArrayList<>();
        Map<Integer, Integer> sectionSymbol = new HashMap<>();
        for (int index : order) {
            locals.add(new RelocatableWriter.Symbol("", ElfSymbol.STT_SECTION, 0, outSection.get(index), 0, 0));
            sectionSymbol.put(index, locals.size());
        }
        // Symbols defined in what is carried: locals stay local; globals only when carried (the rest of a section
        // that comes along whole is the module's private copy); versions get their new names.
        Map<Integer, Integer> localIndex = new HashMap<>();
        List<ElfSymbol> definedGlobal = new ArrayList<>();
        for (int index : order) {
            if (keptEntries.containsKey(index) || isPaired(index)) {
                continue; // a table's symbols would point at the wrong entries once filtered
            }
            for (ElfSymbol s : definedBySection.getOrDefault(index, List.of())) {
                String name = selection.renamed().getOrDefault(s.name(), s.name());
                boolean global = selection.renamed().containsKey(s.name())
                        || s.binding() != ElfSymbol.STB_LOCAL && selection.global().contains(s.name());
                if (global) {
                    definedGlobal.add(s);
                } else {
                    locals.add(new RelocatableWriter.Symbol(name, (ElfSymbol.STB_LOCAL << 4) | s.type(), s.other(),
                            outSection.get(index), s.value(), s.size()));
                    localIndex.put(s.index(), locals.size());
                }
            }
        }
        Map<Integer, Integer> symbolIndex = new HashMap<>();
        int base = locals.size();
        Map<String, Integer> globalByName = new LinkedHashMap<>();
        for (ElfSymbol s : definedGlobal) {
            String name = selection.renamed().getOrDefault(s.name(), s.name());
            globals.add(new RelocatableWriter.Symbol(name, (ElfSymbol.STB_GLOBAL << 4) | s.type(), s.other(),
                    outSection.get(s.sectionIndex()), s.value(), s.size()));
            globalByName.put(name, base + globals.size());
            symbolIndex.put(s.index(), base + globals.size());
        }
        List<RelocatableWriter.Section> out = new ArrayList<>();
        for (int index : order) {
            ElfSection sec = sections.get(index);
            byte[] contents = sec.hasFileContents() ? elf.contents(sec) : null;
            List<RelocatableWriter.Rela> relas = new ArrayList<>();
            Table table = TABLES.get(sec.name());
            List<Integer> entries = keptEntries.get(index);
            Map<Integer, Integer> newEntry = new HashMap<>();
            if (entries != null) {
                contents = pick(contents, entries, table.entrySize());
                for (int i = 0; i < entries.size(); i++) {
                    newEntry.put(entries.get(i), i);
                }
            } else if (isPaired(index)) {
                Map.Entry<Table, Integer> owner = pairOwner(index);
                contents = pick(contents, keptEntries.get(owner.getValue()), owner.getKey().pairedEntrySize());
            }
            for (ElfRelocation r : elf.relocations(sec)) {
                long offset = r.offset();
                if (entries != null) {
                    Integer e = newEntry.get((int) (r.offset() / table.entrySize()));
                    if (e == null) {
                        continue;
                    }
                    offset = (long) e * table.entrySize() + r.offset() % table.entrySize();
                }
                int symbol;
                long addend = r.addend();
                ElfSymbol s = r.symbol();
                ElfSymbol target = s.index() == 0 || s.isUndefined() ? null : target(r);
                if (s.index() == 0) {
                    symbol = 0;
                } else if (s.isUndefined() || s.isAbsolute()) {
                    symbol = external(globals, globalByName, base, s.name());
                } else if (target != null && selection.bound().containsKey(target.name())) {
                    symbol = external(globals, globalByName, base, selection.bound().get(target.name()));
                    if (s.type() == ElfSymbol.STT_SECTION) {
                        addend -= target.value();
                    }
                } else if (s.type() == ElfSymbol.STT_SECTION) {
                    symbol = sectionSymbol.get(s.sectionIndex());
                } else if (symbolIndex.containsKey(s.index())) {
                    symbol = symbolIndex.get(s.index());
                } else if (localIndex.containsKey(s.index())) {
                    symbol = localIndex.get(s.index());
                } else {
                    // A symbol in a kept table: refer to its section instead.
                    symbol = sectionSymbol.get(s.sectionIndex());
                    addend += s.value();
                }
                relas.add(new RelocatableWriter.Rela(offset, r.type(), symbol, addend));
            }
            out.add(new RelocatableWriter.Section(sec.name(), sec.type(), sec.flags() & ~(SHF_LINK_ORDER | SHF_GROUP),
                    sec.alignment(), sec.entrySize(), contents, contents == null ? sec.size() : contents.length, relas));
        }
        // The linker would otherwise take the object to want an executable stack.
        out.add(new RelocatableWriter.Section(".note.GNU-stack", ElfSection.SHT_PROGBITS, 0, 1, 0, new byte[0], 0,
                List.of()));
        List<RelocatableWriter.Symbol> all = new ArrayList<>(locals);
        all.addAll(globals);
        return RelocatableWriter.write(out, all);
    }

    /** The index of the undefined global {@code name}, added when first needed. */
    private static int external(List<RelocatableWriter.Symbol> globals, Map<String, Integer> byName, int base,
            String name) {
        return byName.computeIfAbsent(name, n -> {
            globals.add(new RelocatableWriter.Symbol(n, (ElfSymbol.STB_GLOBAL << 4) | ElfSymbol.STT_NOTYPE, 0,
                    ElfSymbol.SHN_UNDEF, 0, 0));
            return base + globals.size();
        });
    }

    private boolean isPaired(int index) {
        return pairOwner(index) != null;
    }

    /** The table whose entries section {@code index} goes with, and that table's index; null when none. */
    private Map.Entry<Table, Integer> pairOwner(int index) {
        String name = sections.get(index).name();
        for (Map.Entry<String, Table> t : TABLES.entrySet()) {
            if (name.equals(t.getValue().paired())) {
                return elf.section(t.getKey()).filter(s -> keptEntries.containsKey(s.index()))
                        .map(s -> Map.entry(t.getValue(), s.index())).orElse(null);
            }
        }
        return null;
    }

    private static byte[] pick(byte[] contents, List<Integer> entries, int size) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int e : entries) {
            b.write(contents, e * size, size);
        }
        return b.toByteArray();
    }
}
