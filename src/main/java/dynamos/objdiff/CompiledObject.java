package dynamos.objdiff;

import dynamos.elf.ElfObject;
import dynamos.elf.ElfRelocation;
import dynamos.elf.ElfSection;
import dynamos.elf.ElfSymbol;
import dynamos.x86.Decoder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One relocatable object read for comparison: its functions (grouped with GCC's pieces), its data objects, the
 * {@code __bug_table} entries and other location-table entries that point into each function, and its exports.
 * References to sections ({@code .rodata.str1.1+0x2a}) are resolved to what they point at: a symbol covering the
 * offset, or a string's or constant's contents.
 */
final class CompiledObject {
    static final long SHF_WRITE = 0x1;
    static final long SHF_ALLOC = 0x2;
    static final long SHF_EXECINSTR = 0x4;
    static final long SHF_MERGE = 0x10;
    static final long SHF_STRINGS = 0x20;

    /** A function-scope static that GCC numbers across the whole file: {@code __already_done.3}. */
    private static final Pattern NUMBERED = Pattern.compile("(.+)\\.(\\d+)");
    /** Sections that are not data of the program but tables about it, compared in other ways or not at all. */
    private static final List<String> TABLE_PREFIXES = List.of("__ksymtab", "___ksymtab", "__kcrctab", "___kcrctab",
            ".modinfo", "__bug_table", ".discard", ".comment", "__mcount_loc", ".eh_frame", ".note", ".debug");
    private static final List<String> TABLE_SYMBOL_PREFIXES = List.of("__UNIQUE_ID_", "__ksymtab_", "__kstrtab_",
            "__kstrtabns_", "__crc_", "__kcrctab_");
    /** {@code struct bug_entry} of x86-64 with relative pointers and {@code CONFIG_DEBUG_BUGVERBOSE}. */
    static final int BUG_ENTRY_SIZE = 12;

    final ElfObject elf;
    private final Decoder decoder;
    private final List<ElfSection> sections;
    private final Map<Integer, List<ElfSymbol>> definedBySection = new HashMap<>();
    private final Map<Integer, String> keys = new HashMap<>();
    private final Map<Integer, byte[]> contents = new HashMap<>();
    private final Map<Integer, List<ElfRelocation>> relocations = new HashMap<>();
    /** Source function name to its pieces, by piece name. */
    final Map<String, List<Piece>> functions = new TreeMap<>();
    /** Data objects by key. */
    final Map<String, DataObject> data = new TreeMap<>();
    /** Piece name to its {@code __bug_table} entries, by offset. */
    final Map<String, List<BugEntry>> bugEntries = new HashMap<>();
    /** Piece name to the entries of other location tables that point into it ({@code __ex_table:+12}). */
    final Map<String, List<String>> sites = new HashMap<>();
    /** Exported names ({@code name} or {@code name (GPL)}). */
    final Set<String> exports = new TreeSet<>();
    /** Modversions CRCs by exported name. */
    final Map<String, Long> crcs = new TreeMap<>();

    /** A data object's contents, relocated fields zeroed, and its relocations. */
    record DataObject(ElfSymbol symbol, String key, String section, byte[] masked,
            List<NormalizedRelocation> relocations) {}

    /** A {@code __bug_table} entry: the {@code ud2} at {@code offset} of its piece. */
    record BugEntry(long offset, String file, int line, int flags) {
        String withoutLine() {
            return offset + ":" + file + ":" + flags;
        }
    }

    CompiledObject(ElfObject elf, Decoder decoder) {
        if (!elf.isRelocatable() || elf.machine() != ElfObject.EM_X86_64) {
            throw new IllegalArgumentException(elf.origin() + " is not an x86-64 relocatable object (.o); compare "
                    + "the objects gcc -c makes of one source file");
        }
        this.elf = elf;
        this.decoder = decoder;
        this.sections = elf.sections();
        for (ElfSymbol s : elf.symbols()) {
            if ((s.type() == ElfSymbol.STT_FUNC || s.type() == ElfSymbol.STT_OBJECT) && s.sectionIndex() > 0
                    && s.sectionIndex() < sections.size()) {
                definedBySection.computeIfAbsent(s.sectionIndex(), k -> new ArrayList<>()).add(s);
            }
        }
        definedBySection.values().forEach(l -> l.sort(Comparator.comparingLong(ElfSymbol::value)
                .thenComparing(ElfSymbol::name)));
        List<RawPiece> raw = rawPieces();
        assignKeys(raw);
        for (RawPiece p : raw) {
            List<NormalizedRelocation> rel = new ArrayList<>();
            for (ElfRelocation r : p.relocations) {
                long bias = r.pcRelative() ? p.ends == null ? r.fieldSize() : endAt(p, r) - (r.offset() - p.start) : 0;
                rel.add(normalize(r, r.offset() - p.start, bias));
            }
            Piece piece = new Piece(p.symbol, sections.get(p.symbol.sectionIndex()).name(), p.code,
                    mask(p.code, p.relocations, p.start), rel, p.ends, branchFields(p.code, p.ends));
            functions.computeIfAbsent(piece.parent(), k -> new ArrayList<>()).add(piece);
        }
        functions.values().forEach(l -> l.sort(Comparator.comparing(Piece::name)));
        readData();
        readTables();
        readExports();
    }

    private record RawPiece(ElfSymbol symbol, long start, byte[] code, List<ElfRelocation> relocations, int[] ends) {}

    private List<RawPiece> rawPieces() {
        List<RawPiece> out = new ArrayList<>();
        for (ElfSymbol s : elf.symbols()) {
            if (s.type() != ElfSymbol.STT_FUNC || s.sectionIndex() <= 0 || s.sectionIndex() >= sections.size()) {
                continue;
            }
            ElfSection section = sections.get(s.sectionIndex());
            if (!section.hasFileContents() || s.value() > section.size()) {
                continue;
            }
            long size = pieceSize(s, section);
            byte[] code = Arrays.copyOfRange(contents(section), (int) s.value(), (int) (s.value() + size));
            List<ElfRelocation> rel = relocations(section).stream()
                    .filter(r -> r.offset() >= s.value() && r.offset() < s.value() + size).toList();
            out.add(new RawPiece(s, s.value(), code, rel, decode(code)));
        }
        out.sort(Comparator.comparing((RawPiece p) -> PieceNames.parent(p.symbol.name()))
                .thenComparing(p -> p.symbol.name()));
        return out;
    }

    /** GCC gives {@code .cold} pieces no size: they run to the next function symbol or the section's end. */
    private long pieceSize(ElfSymbol s, ElfSection section) {
        if (s.size() > 0) {
            return Math.min(s.size(), section.size() - s.value());
        }
        long end = section.size();
        for (ElfSymbol o : definedBySection.getOrDefault(section.index(), List.of())) {
            if (o.value() > s.value() && o.value() < end) {
                end = o.value();
            }
        }
        return end - s.value();
    }

    /** A section's bytes, read once. */
    private byte[] contents(ElfSection section) {
        return contents.computeIfAbsent(section.index(), k -> elf.contents(section));
    }

    /** The relocations that apply to a section, by offset, read once. */
    private List<ElfRelocation> relocations(ElfSection section) {
        return relocations.computeIfAbsent(section.index(), k -> elf.relocations(section).stream()
                .sorted(Comparator.comparingLong(ElfRelocation::offset)).toList());
    }

    /** For each byte, the end of its instruction; null if the decoder is missing or the bytes do not decode. */
    private int[] decode(byte[] code) {
        if (decoder == null || code.length == 0) {
            return null;
        }
        int[] ends = new int[code.length];
        decoder.load(code, 0);
        int at = 0;
        while (at < code.length) {
            int n = decoder.decode(at);
            if (n == 0) {
                return null;
            }
            Arrays.fill(ends, at, at + n, at + n);
            at += n;
        }
        return ends;
    }

    /** Where the 32-bit displacements of direct calls and jumps are (the last 4 bytes of such an instruction). */
    private java.util.Set<Integer> branchFields(byte[] code, int[] ends) {
        java.util.Set<Integer> out = new java.util.HashSet<>();
        if (ends == null) {
            return out;
        }
        decoder.load(code, 0);
        for (int at = 0; at < code.length; at = ends[at]) {
            int n = decoder.decode(at);
            if (n > 0 && decoder.direct() && decoder.immediateSize(0) == 32) {
                out.add(at + n - 4);
            }
        }
        return out;
    }

    private static int endAt(RawPiece p, ElfRelocation r) {
        return p.ends[(int) (r.offset() - p.start)];
    }

    private static byte[] mask(byte[] bytes, List<ElfRelocation> relocations, long start) {
        byte[] m = bytes.clone();
        for (ElfRelocation r : relocations) {
            int from = (int) (r.offset() - start);
            Arrays.fill(m, from, Math.min(m.length, from + r.fieldSize()), (byte) 0);
        }
        return m;
    }

    /**
     * Names every numbered static by the function that first refers to it and its rank among those of its base name
     * there, so that {@code __already_done.7} before and {@code __already_done.8} after match.
     */
    private void assignKeys(List<RawPiece> pieces) {
        Map<String, Integer> ranks = new HashMap<>();
        for (RawPiece p : pieces) {
            String owner = PieceNames.parent(p.symbol.name());
            for (ElfRelocation r : p.relocations) {
                ElfSymbol target = targetSymbol(r, r.pcRelative() ? r.fieldSize() : 0);
                if (target == null || keys.containsKey(target.index()) || !numberedStatic(target)) {
                    continue;
                }
                String base = base(target.name());
                String prefix = base + "@" + owner;
                int rank = ranks.merge(prefix, 1, Integer::sum) - 1;
                keys.put(target.index(), prefix + "#" + rank);
            }
        }
        for (ElfSymbol s : elf.symbols()) {
            if (numberedStatic(s) && !keys.containsKey(s.index())) {
                String prefix = base(s.name()) + "@?";
                keys.put(s.index(), prefix + "#" + (ranks.merge(prefix, 1, Integer::sum) - 1));
            }
        }
    }

    private static boolean numberedStatic(ElfSymbol s) {
        return s.type() == ElfSymbol.STT_OBJECT && s.binding() == ElfSymbol.STB_LOCAL
                && NUMBERED.matcher(s.name()).matches();
    }

    private static String base(String name) {
        Matcher m = NUMBERED.matcher(name);
        return m.matches() ? m.group(1) : name;
    }

    /** The key a symbol is matched by across the two objects. */
    String key(ElfSymbol s) {
        return keys.getOrDefault(s.index(), s.name());
    }

    /** The function or data symbol a relocation points into, or null (strings, constants, undefined sections). */
    private ElfSymbol targetSymbol(ElfRelocation r, long bias) {
        ElfSymbol s = r.symbol();
        if (s.type() != ElfSymbol.STT_SECTION) {
            return s.index() == 0 ? null : s;
        }
        return covering(s.sectionIndex(), r.addend() + bias);
    }

    private ElfSymbol covering(int section, long offset) {
        ElfSymbol best = null;
        for (ElfSymbol o : definedBySection.getOrDefault(section, List.of())) {
            if (o.value() <= offset && (offset < o.value() + o.size() || offset == o.value())) {
                if (best == null || o.type() == ElfSymbol.STT_FUNC && best.type() != ElfSymbol.STT_FUNC) {
                    best = o;
                }
            }
        }
        if (best == null) {
            // A .cold piece has no size: the last function symbol at or before the offset.
            for (ElfSymbol o : definedBySection.getOrDefault(section, List.of())) {
                if (o.type() == ElfSymbol.STT_FUNC && o.size() == 0 && o.value() <= offset) {
                    best = o;
                }
            }
        }
        return best;
    }

    /** The data object of {@code section} that ends exactly at {@code offset}, or null. */
    private ElfSymbol endOf(int section, long offset) {
        for (ElfSymbol o : definedBySection.getOrDefault(section, List.of())) {
            if (o.type() == ElfSymbol.STT_OBJECT && o.size() > 0 && o.value() + o.size() == offset) {
                return o;
            }
        }
        return null;
    }

    /**
     * A relocation at {@code offset} of its piece or object, its target by name or content.
     *
     * @param bias what to add to the addend to get the offset it selects in the target: for a PC-relative field in
     *     code, from the field to the end of its instruction
     */
    NormalizedRelocation normalize(ElfRelocation r, long offset, long bias) {
        ElfSymbol s = r.symbol();
        // GCC's local labels (.LC5: a string) are numbered through the file: a place in a section, like a section
        // symbol, not a name to compare.
        boolean label = s.type() == ElfSymbol.STT_NOTYPE && s.binding() == ElfSymbol.STB_LOCAL && s.index() != 0
                && s.sectionIndex() > 0 && s.sectionIndex() < sections.size();
        if (s.type() != ElfSymbol.STT_SECTION && !label) {
            return new NormalizedRelocation(offset, r.type(), s.index() == 0 ? "" : key(s), 0, r.addend(), s.name());
        }
        long at = r.addend() + bias + (label ? s.value() : 0);
        int index = s.sectionIndex();
        ElfSection section = index > 0 && index < sections.size() ? sections.get(index) : null;
        if (section == null) {
            return new NormalizedRelocation(offset, r.type(), elf.sectionName(index), at, -bias, null);
        }
        if ((section.flags() & (SHF_MERGE | SHF_STRINGS)) == (SHF_MERGE | SHF_STRINGS) && section.hasFileContents()
                && at >= 0 && at <= section.size()) {
            byte[] b = contents(section);
            int start = (int) Math.min(at, b.length);
            while (start > 0 && b[start - 1] != 0) {
                start--;
            }
            int end = start;
            while (end < b.length && b[end] != 0) {
                end++;
            }
            String text = new String(b, start, end - start, StandardCharsets.ISO_8859_1);
            return new NormalizedRelocation(offset, r.type(), quote(text), at - start, -bias, null);
        }
        ElfSymbol target = covering(index, at);
        if (target == null) {
            target = endOf(index, at); // a pointer just past an array: a loop's end
        }
        if (target != null) {
            return new NormalizedRelocation(offset, r.type(), key(target), at - target.value(), -bias, target.name());
        }
        if ((section.flags() & SHF_MERGE) != 0 && section.entrySize() > 0 && section.hasFileContents() && at >= 0) {
            byte[] b = contents(section);
            int entry = (int) (at - at % section.entrySize());
            if (entry + section.entrySize() <= b.length) {
                return new NormalizedRelocation(offset, r.type(),
                        "const:" + hex(Arrays.copyOfRange(b, entry, (int) (entry + section.entrySize()))), at - entry,
                        -bias, null);
            }
        }
        return new NormalizedRelocation(offset, r.type(), section.name(), at, -bias, null);
    }

    private void readData() {
        for (ElfSymbol s : elf.symbols()) {
            if (s.type() != ElfSymbol.STT_OBJECT || s.sectionIndex() == 0 || s.isAbsolute() || isTableSymbol(s.name())) {
                continue;
            }
            if (s.sectionIndex() == ElfSymbol.SHN_COMMON) {
                data.put(key(s), new DataObject(s, key(s), "COMMON", new byte[(int) s.size()], List.of()));
                continue;
            }
            if (s.sectionIndex() >= sections.size()) {
                continue;
            }
            ElfSection section = sections.get(s.sectionIndex());
            if ((section.flags() & SHF_ALLOC) == 0 || isTable(section.name())) {
                continue;
            }
            long size = Math.min(s.size(), section.size() - s.value());
            byte[] bytes = section.hasFileContents()
                    ? Arrays.copyOfRange(contents(section), (int) s.value(), (int) (s.value() + size))
                    : new byte[(int) size];
            List<ElfRelocation> rel = relocations(section).stream()
                    .filter(r -> r.offset() >= s.value() && r.offset() < s.value() + Math.max(size, 1)).toList();
            List<NormalizedRelocation> norm = rel.stream().map(r -> normalize(r, r.offset() - s.value(), 0)).toList();
            data.put(key(s), new DataObject(s, key(s), section.name(), mask(bytes, rel, s.value()), norm));
        }
    }

    static boolean isTable(String section) {
        return TABLE_PREFIXES.stream().anyMatch(section::startsWith);
    }

    private static boolean isTableSymbol(String name) {
        return TABLE_SYMBOL_PREFIXES.stream().anyMatch(name::startsWith);
    }

    /** {@code __bug_table} entries and other tables' entries (exception table, jump labels ...) per piece. */
    private void readTables() {
        for (ElfSection section : sections) {
            if ((section.flags() & SHF_ALLOC) == 0 || (section.flags() & SHF_EXECINSTR) != 0
                    || section.name().startsWith(".discard") || section.name().startsWith(".eh_frame")) {
                continue;
            }
            boolean bugTable = section.name().equals("__bug_table") && bugTableLayout(section);
            for (ElfRelocation r : relocations(section)) {
                ElfSymbol target = targetSymbol(r, 0);
                if (target == null || target.type() != ElfSymbol.STT_FUNC || target.sectionIndex() == 0) {
                    continue;
                }
                long into = r.symbol().type() == ElfSymbol.STT_SECTION ? r.addend() - target.value() : r.addend();
                if (bugTable) {
                    if (r.offset() % BUG_ENTRY_SIZE == 0) {
                        bugEntries.computeIfAbsent(target.name(), k -> new ArrayList<>())
                                .add(bugEntry(section, r.offset(), into));
                    }
                } else if (covering(section.index(), r.offset()) == null
                        || covering(section.index(), r.offset()).type() != ElfSymbol.STT_OBJECT) {
                    // Pointers from data objects are compared with those objects; these are anonymous entries.
                    sites.computeIfAbsent(target.name(), k -> new ArrayList<>())
                            .add(section.name() + ":+" + into + ":" + r.type());
                }
            }
        }
        bugEntries.values().forEach(l -> l.sort(Comparator.comparingLong(BugEntry::offset)));
        sites.values().forEach(l -> l.sort(null));
    }

    /** Whether {@code __bug_table} has the layout we read (12-byte entries); otherwise its entries count as sites. */
    private boolean bugTableLayout(ElfSection section) {
        if (section.size() % BUG_ENTRY_SIZE != 0 || !section.hasFileContents()) {
            return false;
        }
        return relocations(section).stream().allMatch(r -> r.offset() % BUG_ENTRY_SIZE == 0
                || r.offset() % BUG_ENTRY_SIZE == 4);
    }

    private BugEntry bugEntry(ElfSection table, long entry, long into) {
        ByteBuffer b = ByteBuffer.wrap(contents(table)).order(ByteOrder.LITTLE_ENDIAN);
        String file = "";
        for (ElfRelocation r : relocations(table)) {
            if (r.offset() == entry + 4) {
                file = normalize(r, 0, 0).target();
            }
        }
        return new BugEntry(into, file, Short.toUnsignedInt(b.getShort((int) entry + 8)),
                Short.toUnsignedInt(b.getShort((int) entry + 10)));
    }

    private void readExports() {
        for (ElfSection s : sections) {
            if (s.name().startsWith("___ksymtab_gpl+")) {
                exports.add(s.name().substring("___ksymtab_gpl+".length()) + " (GPL)");
            } else if (s.name().startsWith("___ksymtab+")) {
                exports.add(s.name().substring("___ksymtab+".length()));
            }
        }
        for (ElfSymbol s : elf.symbols()) {
            if (s.name().startsWith("__ksymtab_") && s.sectionIndex() != 0) {
                String name = s.name().substring("__ksymtab_".length());
                if (!exports.contains(name + " (GPL)")) {
                    exports.add(name);
                }
            } else if (s.name().startsWith("__crc_") && s.sectionIndex() != 0) {
                long crc = s.value();
                if (!s.isAbsolute() && s.sectionIndex() < sections.size()
                        && sections.get(s.sectionIndex()).hasFileContents()) {
                    byte[] b = elf.contents(sections.get(s.sectionIndex()));
                    crc = s.value() + 4 <= b.length
                            ? ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt((int) s.value()) & 0xffffffffL
                            : -1;
                }
                crcs.put(s.name().substring("__crc_".length()), crc);
            }
        }
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c >= 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(String.format("%02x", x & 0xff));
        }
        return s.toString();
    }
}
