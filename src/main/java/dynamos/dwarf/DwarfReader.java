package dynamos.dwarf;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads just what the analysis needs from DWARF 2 to 5 ({@code .debug_info} compile and partial units):
 * the concrete functions with their addresses and files, and which functions hold inlined copies of
 * which. One pass over {@code .debug_info}, unit by unit; entries other than units, subprograms and
 * inlined subroutines are skipped by their abbreviation (most in one step: their size is fixed).
 *
 * <p>Names and declaring files are found through {@code DW_AT_abstract_origin} and
 * {@code DW_AT_specification} within the unit (references to other units, {@code DW_FORM_ref_addr},
 * are followed when they land in the same unit; GCC without LTO emits no others).
 */
public final class DwarfReader {
    // Tags
    static final int TAG_COMPILE_UNIT = 0x11;
    static final int TAG_PARTIAL_UNIT = 0x3c;
    static final int TAG_SUBPROGRAM = 0x2e;
    static final int TAG_INLINED_SUBROUTINE = 0x1d;
    // Attributes
    static final int AT_NAME = 0x03;
    static final int AT_STMT_LIST = 0x10;
    static final int AT_LOW_PC = 0x11;
    static final int AT_COMP_DIR = 0x1b;
    static final int AT_ABSTRACT_ORIGIN = 0x31;
    static final int AT_DECL_FILE = 0x3a;
    static final int AT_SPECIFICATION = 0x47;
    static final int AT_RANGES = 0x55;
    static final int AT_STR_OFFSETS_BASE = 0x72;
    static final int AT_ADDR_BASE = 0x73;
    static final int AT_RNGLISTS_BASE = 0x74;
    // Forms
    static final int FORM_ADDR = 0x01;
    static final int FORM_BLOCK2 = 0x03;
    static final int FORM_BLOCK4 = 0x04;
    static final int FORM_DATA2 = 0x05;
    static final int FORM_DATA4 = 0x06;
    static final int FORM_DATA8 = 0x07;
    static final int FORM_STRING = 0x08;
    static final int FORM_BLOCK = 0x09;
    static final int FORM_BLOCK1 = 0x0a;
    static final int FORM_DATA1 = 0x0b;
    static final int FORM_FLAG = 0x0c;
    static final int FORM_SDATA = 0x0d;
    static final int FORM_STRP = 0x0e;
    static final int FORM_UDATA = 0x0f;
    static final int FORM_REF_ADDR = 0x10;
    static final int FORM_REF1 = 0x11;
    static final int FORM_REF2 = 0x12;
    static final int FORM_REF4 = 0x13;
    static final int FORM_REF8 = 0x14;
    static final int FORM_REF_UDATA = 0x15;
    static final int FORM_INDIRECT = 0x16;
    static final int FORM_SEC_OFFSET = 0x17;
    static final int FORM_EXPRLOC = 0x18;
    static final int FORM_FLAG_PRESENT = 0x19;
    static final int FORM_STRX = 0x1a;
    static final int FORM_ADDRX = 0x1b;
    static final int FORM_REF_SUP4 = 0x1c;
    static final int FORM_STRP_SUP = 0x1d;
    static final int FORM_DATA16 = 0x1e;
    static final int FORM_LINE_STRP = 0x1f;
    static final int FORM_REF_SIG8 = 0x20;
    static final int FORM_IMPLICIT_CONST = 0x21;
    static final int FORM_LOCLISTX = 0x22;
    static final int FORM_RNGLISTX = 0x23;
    static final int FORM_REF_SUP8 = 0x24;
    static final int FORM_STRX1 = 0x25;
    static final int FORM_STRX2 = 0x26;
    static final int FORM_STRX3 = 0x27;
    static final int FORM_STRX4 = 0x28;
    static final int FORM_ADDRX1 = 0x29;
    static final int FORM_ADDRX2 = 0x2a;
    static final int FORM_ADDRX3 = 0x2b;
    static final int FORM_ADDRX4 = 0x2c;
    static final int FORM_GNU_REF_ALT = 0x1f20;
    static final int FORM_GNU_STRP_ALT = 0x1f21;

    private final DebugSections sections;
    private final ByteBuffer info;
    private final ByteBuffer abbrev;
    private final ByteBuffer str;
    private final ByteBuffer lineStr;
    private final ByteBuffer strOffsets;
    private final ByteBuffer addr;
    private final ByteBuffer rnglists;
    private final ByteBuffer ranges;
    private final ByteBuffer line;
    private final Map<Long, Abbrev[]> abbrevTables = new HashMap<>();
    private final Map<Integer, String> strings = new HashMap<>();
    private final Map<String, String> interned = new HashMap<>();

    private final List<DebugInfo.Function> functions = new ArrayList<>();
    private final List<DebugInfo.InlinedCopy> inlined = new ArrayList<>();
    private int units;
    private long dies;

    // The unit being read.
    private int pos;
    private int version;
    private int addrSize;
    private int offsetSize;
    private int unitStart;
    private int unitEnd;
    private long strOffsetsBase;
    private long addrBase;
    private long rnglistsBase;
    private long unitLowPc;

    private DwarfReader(DebugSections sections) {
        this.sections = sections;
        this.info = sections.get(".debug_info");
        this.abbrev = sections.get(".debug_abbrev");
        this.str = sections.get(".debug_str");
        this.lineStr = sections.get(".debug_line_str");
        this.strOffsets = sections.get(".debug_str_offsets");
        this.addr = sections.get(".debug_addr");
        this.rnglists = sections.get(".debug_rnglists");
        this.ranges = sections.get(".debug_ranges");
        this.line = sections.get(".debug_line");
        if (info == null || abbrev == null) {
            throw new DwarfException(sections.origin() + " has no DWARF debug information (.debug_info/.debug_abbrev):"
                    + " it was stripped; use the unstripped file (Debian's -dbg package for the kernel)");
        }
    }

    /** Reads the functions and inlined copies of {@code file} (a vmlinux with debug information, or a .ko). */
    public static DebugInfo read(Path file) {
        return read(DebugSections.read(file));
    }

    /** Reads the functions and inlined copies from {@code sections}. */
    public static DebugInfo read(DebugSections sections) {
        DwarfReader r = new DwarfReader(sections);
        r.run();
        return new DebugInfo(r.functions, r.inlined, r.units, r.dies, sections.textAddress());
    }

    /** One abbreviation: the tag, whether children follow, and the attributes' names and forms. */
    private record Abbrev(int tag, boolean children, int[] names, int[] forms, long[] consts, int fixedSize) {}

    /** A subprogram entry of the unit being read, as far as names and origins go. */
    private static final class Sub {
        String name;
        int declFile = -1;
        long origin = -1;
        long low = -1;
        long rangesAt = -1;
        boolean rangesIndexed;
        int function = -1;
    }

    private void run() {
        int end = info.limit();
        pos = 0;
        while (pos < end) {
            readUnit();
        }
    }

    private void readUnit() {
        unitStart = pos;
        long length = u32();
        offsetSize = 4;
        if (length == 0xffffffffL) {
            length = u64();
            offsetSize = 8;
        }
        unitEnd = (int) (pos + length);
        if (unitEnd > info.limit() || length < 2) {
            throw new DwarfException(sections.origin() + ": the unit at .debug_info+0x" + Integer.toHexString(unitStart)
                    + " runs past the end of the section (corrupt or truncated file)");
        }
        version = u16();
        long abbrevOffset;
        int unitType = 1;
        if (version >= 5) {
            unitType = u8();
            addrSize = u8();
            abbrevOffset = offset();
            if (unitType == 4 || unitType == 5) {
                pos += 8; // skeleton or split unit: dwo_id
            } else if (unitType == 2 || unitType == 6) {
                pos += 8 + offsetSize; // type unit: signature and type offset
            }
        } else if (version >= 2) {
            abbrevOffset = offset();
            addrSize = u8();
        } else {
            throw new DwarfException(sections.origin() + ": DWARF version " + version + " at .debug_info+0x"
                    + Integer.toHexString(unitStart) + " is not one this reader knows (2 to 5)");
        }
        units++;
        if (unitType != 1 && unitType != 3) { // only compile and partial units hold functions
            pos = unitEnd;
            return;
        }
        Abbrev[] table = abbrevTable(abbrevOffset);
        strOffsetsBase = 8;
        addrBase = 8;
        rnglistsBase = 12;
        unitLowPc = 0;

        Map<Long, Sub> subs = new HashMap<>();
        List<long[]> copies = new ArrayList<>(); // {holder Sub key, origin}
        String unitName = "";
        String compDir = "";
        long stmtList = -1;
        int depth = 0;
        long[] holderAt = new long[64]; // the DIE offset of the innermost concrete subprogram per depth, or -1
        holderAt[0] = -1;
        while (pos < unitEnd) {
            int dieOffset = pos;
            long code = uleb();
            if (code == 0) {
                depth--;
                if (depth < 0) {
                    pos = unitEnd; // padding after the unit's last entry
                    break;
                }
                continue;
            }
            dies++;
            Abbrev a = code < table.length ? table[(int) code] : null;
            if (a == null) {
                throw new DwarfException(sections.origin() + ": abbreviation " + code + " at .debug_info+0x"
                        + Integer.toHexString(dieOffset) + " is not in its table (corrupt debug information)");
            }
            long holder = holderAt[depth];
            if (a.tag == TAG_SUBPROGRAM || a.tag == TAG_INLINED_SUBROUTINE) {
                Sub s = new Sub();
                readSub(a, s);
                if (a.tag == TAG_SUBPROGRAM) {
                    subs.put((long) dieOffset, s);
                    if (s.low != -1 || s.rangesAt != -1) {
                        holder = dieOffset;
                    }
                } else if (holder != -1 && s.origin != -1) {
                    copies.add(new long[] {holder, s.origin});
                }
            } else if (a.tag == TAG_COMPILE_UNIT || a.tag == TAG_PARTIAL_UNIT) {
                String[] names = new String[2];
                long[] values = readUnitDie(a, names);
                unitName = names[0] == null ? "" : names[0];
                compDir = names[1] == null ? "" : names[1];
                stmtList = values[0];
            } else if (a.fixedSize >= 0) {
                pos += a.fixedSize;
            } else {
                skipAttributes(a);
            }
            if (a.children) {
                depth++;
                if (depth >= holderAt.length) {
                    holderAt = java.util.Arrays.copyOf(holderAt, holderAt.length * 2);
                }
                holderAt[depth] = holder;
            }
        }
        pos = unitEnd;
        finishUnit(subs, copies, unitName, compDir, stmtList);
    }

    /** Names, files and copies of the unit: origins resolved now that every entry of the unit is known. */
    private void finishUnit(Map<Long, Sub> subs, List<long[]> copies, String unitName, String compDir, long stmtList) {
        if (subs.isEmpty()) {
            return;
        }
        List<String> files = stmtList >= 0 && line != null ? LineFiles.read(line, (int) stmtList, sections, str, lineStr,
                compDir) : List.of();
        String unit = intern(LineFiles.clean(unitName, compDir));
        // Concrete functions, in entry order.
        List<Map.Entry<Long, Sub>> ordered = new ArrayList<>(subs.entrySet());
        ordered.sort(Map.Entry.comparingByKey());
        for (Map.Entry<Long, Sub> e : ordered) {
            Sub s = e.getValue();
            if (s.low == -1 && s.rangesAt == -1) {
                continue;
            }
            String[] nf = resolve(s, subs, files);
            long entry = s.low;
            int count = 1;
            if (s.rangesAt != -1) {
                long[] r = rangeStarts(s);
                count = r.length;
                if (entry == -1) {
                    entry = r.length == 0 ? 0 : r[0];
                }
            }
            s.function = functions.size();
            functions.add(new DebugInfo.Function(nf[0], nf[1], unit, entry, count));
        }
        Map<Long, Map<Long, int[]>> byHolder = new LinkedHashMap<>();
        for (long[] c : copies) {
            byHolder.computeIfAbsent(c[0], k -> new LinkedHashMap<>()).computeIfAbsent(c[1], k -> new int[1])[0]++;
        }
        byHolder.forEach((holder, origins) -> {
            Sub h = subs.get(holder);
            origins.forEach((origin, n) -> {
                Sub target = subs.get(origin);
                if (target == null) {
                    return; // an origin in another unit or not a subprogram: nothing to name
                }
                String[] nf = resolve(target, subs, files);
                inlined.add(new DebugInfo.InlinedCopy(nf[0], nf[1], h.function, n[0]));
            });
        });
    }

    /** The name and declaring file of {@code s}, following its origins. */
    private String[] resolve(Sub s, Map<Long, Sub> subs, List<String> files) {
        String name = s.name;
        int file = s.declFile;
        Sub at = s;
        for (int hops = 0; hops < 8 && (name == null || file < 0) && at.origin != -1; hops++) {
            at = subs.get(at.origin);
            if (at == null) {
                break;
            }
            if (name == null) {
                name = at.name;
            }
            if (file < 0) {
                file = at.declFile;
            }
        }
        String f = file >= 0 && file < files.size() ? files.get(file) : "";
        return new String[] {name == null ? "" : intern(name), f};
    }

    private String intern(String s) {
        return interned.computeIfAbsent(s, k -> k);
    }

    /** What one attribute of an entry is read as: its name, its form (resolved if indirect) and its index. */
    @FunctionalInterface
    private interface AttributeReader {
        void read(int name, int form, int index);
    }

    /** Reads the attributes of an entry of abbreviation {@code a} in order, each by {@code reader}. */
    private void readAttributes(Abbrev a, AttributeReader reader) {
        int n = a.names.length;
        for (int i = 0; i < n; i++) {
            int form = a.forms[i];
            if (form == FORM_INDIRECT) {
                form = (int) uleb();
            }
            reader.read(a.names[i], form, i);
        }
    }

    private void readSub(Abbrev a, Sub s) {
        readAttributes(a, (name, form, i) -> {
            switch (name) {
                case AT_NAME -> s.name = string(form);
                case AT_DECL_FILE -> s.declFile = (int) (form == FORM_IMPLICIT_CONST ? a.consts[i] : constant(form));
                case AT_ABSTRACT_ORIGIN, AT_SPECIFICATION -> s.origin = reference(form);
                case AT_LOW_PC -> s.low = address(form);
                case AT_RANGES -> {
                    s.rangesIndexed = form == FORM_RNGLISTX;
                    s.rangesAt = s.rangesIndexed ? uleb() : constant(form);
                }
                default -> skip(form);
            }
        });
    }

    /** Reads the unit's entry: returns {stmt_list}; names[0] = DW_AT_name, names[1] = DW_AT_comp_dir. */
    private long[] readUnitDie(Abbrev a, String[] names) {
        long[] stmt = {-1};
        int[] strForms = new int[2];
        long[] strValues = new long[2];
        readAttributes(a, (name, form, i) -> {
            switch (name) {
                case AT_NAME, AT_COMP_DIR -> {
                    int k = name == AT_NAME ? 0 : 1;
                    strForms[k] = form;
                    if (form == FORM_STRING) {
                        names[k] = cString(info, pos);
                        skip(form);
                    } else {
                        strValues[k] = constantOrIndex(form);
                    }
                }
                case AT_STMT_LIST -> stmt[0] = constant(form);
                case AT_LOW_PC -> {
                    if (form == FORM_ADDR) {
                        unitLowPc = address(form);
                    } else {
                        long index = constantOrIndex(form);
                        unitLowPc = -2 - index; // resolved after addr_base is known
                    }
                }
                case AT_STR_OFFSETS_BASE -> strOffsetsBase = constant(form);
                case AT_ADDR_BASE -> addrBase = constant(form);
                case AT_RNGLISTS_BASE -> rnglistsBase = constant(form);
                default -> skip(form);
            }
        });
        if (unitLowPc < -1) {
            unitLowPc = addressAt(-2 - unitLowPc);
        }
        for (int k = 0; k < 2; k++) {
            if (names[k] == null && strForms[k] != 0) {
                names[k] = stringOf(strForms[k], strValues[k]);
            }
        }
        return stmt;
    }

    private void skipAttributes(Abbrev a) {
        int n = a.forms.length;
        for (int i = 0; i < n; i++) {
            int form = a.forms[i];
            if (form == FORM_INDIRECT) {
                form = (int) uleb();
            }
            skip(form);
        }
    }

    // ---- values of forms

    /** The size of {@code form} when it is fixed for this unit, else -1. */
    private int fixedSize(int form) {
        return switch (form) {
            case FORM_ADDR -> addrSize;
            case FORM_DATA1, FORM_REF1, FORM_FLAG, FORM_STRX1, FORM_ADDRX1 -> 1;
            case FORM_DATA2, FORM_REF2, FORM_STRX2, FORM_ADDRX2 -> 2;
            case FORM_STRX3, FORM_ADDRX3 -> 3;
            case FORM_DATA4, FORM_REF4, FORM_STRX4, FORM_ADDRX4, FORM_REF_SUP4 -> 4;
            case FORM_DATA8, FORM_REF8, FORM_REF_SIG8, FORM_REF_SUP8 -> 8;
            case FORM_DATA16 -> 16;
            case FORM_STRP, FORM_LINE_STRP, FORM_SEC_OFFSET, FORM_STRP_SUP, FORM_GNU_REF_ALT, FORM_GNU_STRP_ALT ->
                    offsetSize;
            case FORM_REF_ADDR -> version <= 2 ? addrSize : offsetSize;
            case FORM_FLAG_PRESENT, FORM_IMPLICIT_CONST -> 0;
            default -> -1;
        };
    }

    private void skip(int form) {
        int size = fixedSize(form);
        if (size >= 0) {
            pos += size;
            return;
        }
        switch (form) {
            case FORM_STRING -> {
                while (info.get(pos) != 0) {
                    pos++;
                }
                pos++;
            }
            case FORM_BLOCK1 -> pos += 1 + u8At(pos);
            case FORM_BLOCK2 -> {
                int len = u16();
                pos += len;
            }
            case FORM_BLOCK4 -> {
                long len = u32();
                pos += (int) len;
            }
            case FORM_BLOCK, FORM_EXPRLOC -> {
                long len = uleb();
                pos += (int) len;
            }
            case FORM_UDATA, FORM_REF_UDATA, FORM_STRX, FORM_ADDRX, FORM_LOCLISTX, FORM_RNGLISTX -> uleb();
            case FORM_SDATA -> sleb();
            case FORM_INDIRECT -> skip((int) uleb());
            default -> throw unknownForm(form);
        }
    }

    private DwarfException unknownForm(int form) {
        return new DwarfException(sections.origin() + ": attribute form 0x" + Integer.toHexString(form) + " in the unit at"
                + " .debug_info+0x" + Integer.toHexString(unitStart) + " is not one this reader knows");
    }

    private long constant(int form) {
        return switch (form) {
            case FORM_DATA1 -> u8();
            case FORM_DATA2 -> u16();
            case FORM_DATA4, FORM_SEC_OFFSET -> offsetSizeOr4(form);
            case FORM_DATA8 -> u64();
            case FORM_UDATA -> uleb();
            case FORM_SDATA -> sleb();
            default -> {
                skip(form);
                yield -1;
            }
        };
    }

    private long offsetSizeOr4(int form) {
        if (form == FORM_SEC_OFFSET && offsetSize == 8) {
            return u64();
        }
        return u32();
    }

    /** A string offset, string index or address index. */
    private long constantOrIndex(int form) {
        return switch (form) {
            case FORM_STRP, FORM_LINE_STRP, FORM_SEC_OFFSET -> offsetSize == 8 ? u64() : u32();
            case FORM_STRX, FORM_ADDRX -> uleb();
            case FORM_STRX1, FORM_ADDRX1 -> u8();
            case FORM_STRX2, FORM_ADDRX2 -> u16();
            case FORM_STRX3, FORM_ADDRX3 -> u24();
            case FORM_STRX4, FORM_ADDRX4 -> u32();
            default -> {
                skip(form);
                yield -1;
            }
        };
    }

    private String string(int form) {
        if (form == FORM_STRING) {
            String s = cString(info, pos);
            skip(form);
            return s;
        }
        return stringOf(form, constantOrIndex(form));
    }

    private String stringOf(int form, long value) {
        if (value < 0) {
            return null;
        }
        return switch (form) {
            case FORM_STRP -> cached(str, (int) value);
            case FORM_LINE_STRP -> lineStr == null ? null : cString(lineStr, (int) value);
            case FORM_STRX, FORM_STRX1, FORM_STRX2, FORM_STRX3, FORM_STRX4 -> {
                if (strOffsets == null) {
                    yield null;
                }
                long at = strOffsetsBase + value * offsetSize;
                long off = offsetSize == 8 ? strOffsets.getLong((int) at) : Integer.toUnsignedLong(strOffsets.getInt((int) at));
                yield cached(str, (int) off);
            }
            default -> null;
        };
    }

    private String cached(ByteBuffer section, int offset) {
        if (section == null) {
            return null;
        }
        String s = strings.get(offset);
        if (s == null) {
            s = cString(section, offset);
            strings.put(offset, s);
        }
        return s;
    }

    /** A reference as an offset in {@code .debug_info}, or -1. */
    private long reference(int form) {
        return switch (form) {
            case FORM_REF1 -> unitStart + u8();
            case FORM_REF2 -> unitStart + u16();
            case FORM_REF4 -> unitStart + u32();
            case FORM_REF8 -> unitStart + u64();
            case FORM_REF_UDATA -> unitStart + uleb();
            case FORM_REF_ADDR -> version <= 2 ? (addrSize == 8 ? u64() : u32()) : (offsetSize == 8 ? u64() : u32());
            default -> {
                skip(form);
                yield -1;
            }
        };
    }

    private long address(int form) {
        if (form == FORM_ADDR) {
            return addrSize == 8 ? u64() : u32();
        }
        long index = constantOrIndex(form);
        return index < 0 ? -1 : addressAt(index);
    }

    private long addressAt(long index) {
        if (addr == null) {
            return -1;
        }
        int at = (int) (addrBase + index * addrSize);
        return addrSize == 8 ? addr.getLong(at) : Integer.toUnsignedLong(addr.getInt(at));
    }

    /** The starts of the ranges of {@code s}, in their list's order. */
    private long[] rangeStarts(Sub s) {
        List<Long> out = new ArrayList<>();
        if (version >= 5) {
            if (rnglists == null) {
                return new long[0];
            }
            int at = (int) s.rangesAt;
            if (s.rangesIndexed) {
                at = (int) (rnglistsBase + (offsetSize == 8 ? rnglists.getLong((int) (rnglistsBase + s.rangesAt * 8))
                        : Integer.toUnsignedLong(rnglists.getInt((int) (rnglistsBase + s.rangesAt * 4)))));
            }
            long base = unitLowPc;
            int[] p = {at};
            for (int guard = 0; guard < 100_000; guard++) {
                int kind = rnglists.get(p[0]++) & 0xff;
                switch (kind) {
                    case 0 -> {
                        return toArray(out);
                    }
                    case 1 -> base = addressAt(uleb(rnglists, p));
                    case 2 -> {
                        out.add(addressAt(uleb(rnglists, p)));
                        uleb(rnglists, p);
                    }
                    case 3 -> {
                        out.add(addressAt(uleb(rnglists, p)));
                        uleb(rnglists, p);
                    }
                    case 4 -> {
                        long start = uleb(rnglists, p);
                        long end = uleb(rnglists, p);
                        if (end != start) {
                            out.add(base + start);
                        }
                    }
                    case 5 -> {
                        base = rnglists.getLong(p[0]);
                        p[0] += addrSize;
                    }
                    case 6 -> {
                        out.add(rnglists.getLong(p[0]));
                        p[0] += 2 * addrSize;
                    }
                    case 7 -> {
                        out.add(rnglists.getLong(p[0]));
                        p[0] += addrSize;
                        uleb(rnglists, p);
                    }
                    default -> throw new DwarfException(sections.origin() + ": range list entry kind " + kind
                            + " at .debug_rnglists+0x" + Integer.toHexString(p[0] - 1) + " is not a DWARF 5 one");
                }
            }
            return toArray(out);
        }
        if (ranges == null) {
            return new long[0];
        }
        long base = unitLowPc;
        for (int at = (int) s.rangesAt; at + 16 <= ranges.limit(); at += 16) {
            long start = ranges.getLong(at);
            long end = ranges.getLong(at + 8);
            if (start == 0 && end == 0) {
                break;
            }
            if (start == -1L) {
                base = end;
            } else if (start != end) {
                out.add(base + start);
            }
        }
        return toArray(out);
    }

    private static long[] toArray(List<Long> list) {
        long[] a = new long[list.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = list.get(i);
        }
        return a;
    }

    // ---- abbreviations

    private Abbrev[] abbrevTable(long offset) {
        long key = offset * 64 + addrSize * 8 + offsetSize + (version <= 2 ? 1L << 62 : 0);
        Abbrev[] t = abbrevTables.get(key);
        if (t == null) {
            t = parseAbbrevs((int) offset);
            abbrevTables.put(key, t);
        }
        return t;
    }

    private Abbrev[] parseAbbrevs(int offset) {
        Map<Integer, Abbrev> byCode = new HashMap<>();
        int max = 0;
        int[] p = {offset};
        while (true) {
            long code = uleb(abbrev, p);
            if (code == 0) {
                break;
            }
            int tag = (int) uleb(abbrev, p);
            boolean children = abbrev.get(p[0]++) != 0;
            List<int[]> specs = new ArrayList<>();
            List<Long> consts = new ArrayList<>();
            while (true) {
                int name = (int) uleb(abbrev, p);
                int form = (int) uleb(abbrev, p);
                long c = 0;
                if (form == FORM_IMPLICIT_CONST) {
                    c = sleb(abbrev, p);
                }
                if (name == 0 && form == 0) {
                    break;
                }
                specs.add(new int[] {name, form});
                consts.add(c);
            }
            int[] names = new int[specs.size()];
            int[] forms = new int[specs.size()];
            long[] cs = new long[specs.size()];
            int fixed = 0;
            for (int i = 0; i < names.length; i++) {
                names[i] = specs.get(i)[0];
                forms[i] = specs.get(i)[1];
                cs[i] = consts.get(i);
                int size = fixedSize(forms[i]);
                fixed = fixed < 0 || size < 0 ? -1 : fixed + size;
            }
            if (code > 1_000_000) {
                throw new DwarfException(sections.origin() + ": abbreviation code " + code + " at .debug_abbrev+0x"
                        + Integer.toHexString(offset) + " is implausibly large (corrupt debug information)");
            }
            byCode.put((int) code, new Abbrev(tag, children, names, forms, cs, fixed));
            max = Math.max(max, (int) code);
        }
        Abbrev[] table = new Abbrev[max + 1];
        byCode.forEach((c, a) -> table[c] = a);
        return table;
    }

    // ---- primitive reads of .debug_info at pos

    private int u8() {
        return info.get(pos++) & 0xff;
    }

    private int u8At(int at) {
        return info.get(at) & 0xff;
    }

    private int u16() {
        int v = info.getShort(pos) & 0xffff;
        pos += 2;
        return v;
    }

    private int u24() {
        int v = (info.get(pos) & 0xff) | (info.get(pos + 1) & 0xff) << 8 | (info.get(pos + 2) & 0xff) << 16;
        pos += 3;
        return v;
    }

    private long u32() {
        long v = Integer.toUnsignedLong(info.getInt(pos));
        pos += 4;
        return v;
    }

    private long u64() {
        long v = info.getLong(pos);
        pos += 8;
        return v;
    }

    private long offset() {
        return offsetSize == 8 ? u64() : u32();
    }

    private long uleb() {
        long result = 0;
        int shift = 0;
        while (true) {
            byte b = info.get(pos++);
            result |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return result;
            }
            shift += 7;
        }
    }

    private long sleb() {
        long result = 0;
        int shift = 0;
        byte b;
        do {
            b = info.get(pos++);
            result |= (long) (b & 0x7f) << shift;
            shift += 7;
        } while (b < 0);
        if (shift < 64 && (b & 0x40) != 0) {
            result |= -1L << shift;
        }
        return result;
    }

    static long uleb(ByteBuffer b, int[] p) {
        long result = 0;
        int shift = 0;
        while (true) {
            byte x = b.get(p[0]++);
            result |= (long) (x & 0x7f) << shift;
            if (x >= 0) {
                return result;
            }
            shift += 7;
        }
    }

    static long sleb(ByteBuffer b, int[] p) {
        long result = 0;
        int shift = 0;
        byte x;
        do {
            x = b.get(p[0]++);
            result |= (long) (x & 0x7f) << shift;
            shift += 7;
        } while (x < 0);
        if (shift < 64 && (x & 0x40) != 0) {
            result |= -1L << shift;
        }
        return result;
    }

    static String cString(ByteBuffer b, int at) {
        return DebugSections.cString(b, at);
    }
}
