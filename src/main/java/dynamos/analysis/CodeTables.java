package dynamos.analysis;

import dynamos.elf.ElfObject;
import dynamos.elf.ElfSection;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per function, what the kernel image's tables of code locations record inside it (see
 * {@link FunctionProperties}). Each table entry starts with a 32-bit displacement from the entry's own
 * address to the code location; the layouts are those of Linux 6.1 on x86-64:
 * {@code __ex_table} (12 bytes), {@code .altinstructions} (12), {@code .retpoline_sites} (4),
 * {@code __bug_table} (12), and, found by their {@code __start_}/{@code __stop_} symbols,
 * {@code __jump_table} (16) and {@code static_call_sites} (8).
 */
public final class CodeTables {
    /** A table: where it is (a section, or a pair of bounding symbols) and its entry size. */
    record Table(String section, String bounds, int entrySize, int field) {}

    static final int EXCEPTION = 0;
    static final int ALTERNATIVE = 1;
    static final int RETPOLINE = 2;
    static final int BUG = 3;
    static final int JUMP_LABEL = 4;
    static final int STATIC_CALL = 5;

    static final List<Table> TABLES = List.of(
            new Table("__ex_table", null, 12, EXCEPTION),
            new Table(".altinstructions", null, 12, ALTERNATIVE),
            new Table(".retpoline_sites", null, 4, RETPOLINE),
            new Table("__bug_table", null, 12, BUG),
            new Table(null, "__jump_table", 16, JUMP_LABEL),
            new Table(null, "static_call_sites", 8, STATIC_CALL));

    private CodeTables() {}

    /** The properties of every function of {@code facts} that has any, by key. */
    public static Map<String, FunctionProperties> read(KernelFacts facts, ElfObject vmlinux) {
        ElfSection text = vmlinux.section(".text").orElseThrow(() -> new AnalysisException(vmlinux.origin()
                + " has no .text section: it is not a vmlinux"));
        List<CodeScan.Chunk> chunks = new ArrayList<>();
        for (ElfSection s : vmlinux.sections()) {
            if (s.hasFileContents() && (s.flags() & 2) != 0 && s.address() != 0) {
                chunks.add(new CodeScan.Chunk(s.name(), s.address(), vmlinux.contents(s), (s.flags() & 4) != 0));
            }
        }
        return read(facts, chunks, facts.textBase() - text.address());
    }

    /** The same from the image's sections as {@code chunks}, whose addresses are {@code delta} below kallsyms'. */
    public static Map<String, FunctionProperties> read(KernelFacts facts, List<CodeScan.Chunk> chunks, long delta) {
        List<TextSymbol> syms = facts.symbols().stream().filter(s -> !TextLayout.isMarker(s.fullName())).toList();
        long[] starts = syms.stream().mapToLong(TextSymbol::address).toArray();
        int[][] counts = new int[syms.size()][6 + 1]; // the 6 tables, and jumps among the retpoline sites
        for (Table t : TABLES) {
            long from;
            long to;
            if (t.section() != null) {
                CodeScan.Chunk c = chunks.stream().filter(x -> x.name().equals(t.section())).findFirst().orElse(null);
                if (c == null) {
                    continue;
                }
                from = c.address();
                to = c.address() + c.bytes().length;
            } else {
                Long a = facts.sectionBounds().get("__start_" + t.bounds());
                Long b = facts.sectionBounds().get("__stop_" + t.bounds());
                if (a == null || b == null) {
                    continue;
                }
                from = a - delta;
                to = b - delta;
            }
            for (long entry = from; entry + t.entrySize() <= to; entry += t.entrySize()) {
                Integer disp = int32(chunks, entry);
                if (disp == null) {
                    break;
                }
                long site = entry + disp + delta;
                int i = containing(starts, site);
                if (i < 0 || site - starts[i] >= Math.max(syms.get(i).size(), 1)) {
                    continue;
                }
                counts[i][t.field()]++;
                if (t.field() == RETPOLINE) {
                    Integer op = byte8(chunks, site - delta);
                    if (op != null && op != 0xe8) {
                        counts[i][6]++; // a jmp or jcc through a thunk
                    }
                }
            }
        }
        Map<String, FunctionProperties> out = new HashMap<>();
        for (int i = 0; i < syms.size(); i++) {
            int[] c = counts[i];
            FunctionProperties p = new FunctionProperties(c[EXCEPTION], c[ALTERNATIVE], c[RETPOLINE] - c[6], c[6],
                    c[STATIC_CALL], c[JUMP_LABEL], c[BUG]);
            if (p.any()) {
                out.put(syms.get(i).key(), p);
            }
        }
        return out;
    }

    /** The index of the last start at or below {@code address}, or -1 ({@code starts} sorted). */
    static int containing(long[] starts, long address) {
        int i = Arrays.binarySearch(starts, address);
        if (i >= 0) {
            while (i + 1 < starts.length && starts[i + 1] == address) {
                i++;
            }
            return i;
        }
        return -i - 2;
    }

    private static CodeScan.Chunk holding(List<CodeScan.Chunk> chunks, long address, int length) {
        for (CodeScan.Chunk c : chunks) {
            if (address >= c.address() && address + length <= c.address() + c.bytes().length) {
                return c;
            }
        }
        return null;
    }

    /** The little-endian 32-bit value at link address {@code address}, or null if no chunk holds it. */
    private static Integer int32(List<CodeScan.Chunk> chunks, long address) {
        CodeScan.Chunk c = holding(chunks, address, 4);
        return c == null ? null : ByteBuffer.wrap(c.bytes(), (int) (address - c.address()), 4)
                .order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    private static Integer byte8(List<CodeScan.Chunk> chunks, long address) {
        CodeScan.Chunk c = holding(chunks, address, 1);
        return c == null ? null : c.bytes()[(int) (address - c.address())] & 0xff;
    }

    /** Counts per property over all functions (how many functions have each), for the summary. */
    public static Map<String, Integer> functionsWith(Map<String, FunctionProperties> props) {
        Map<String, Integer> out = new LinkedHashMap<>();
        out.put("exception entries", (int) props.values().stream().filter(p -> p.exceptionEntries() > 0).count());
        out.put("alternatives", (int) props.values().stream().filter(p -> p.alternatives() > 0).count());
        out.put("indirect calls", (int) props.values().stream().filter(p -> p.indirectCalls() > 0).count());
        out.put("indirect jumps", (int) props.values().stream().filter(p -> p.indirectJumps() > 0).count());
        out.put("static calls", (int) props.values().stream().filter(p -> p.staticCalls() > 0).count());
        out.put("jump labels", (int) props.values().stream().filter(p -> p.jumpLabels() > 0).count());
        out.put("BUG/WARN sites", (int) props.values().stream().filter(p -> p.bugSites() > 0).count());
        out.put("jump tables", (int) props.values().stream().filter(p -> p.jumpTables() > 0).count());
        out.put("references into text off a symbol start",
                (int) props.values().stream().filter(p -> p.textReferences() > 0).count());
        out.put("data in code", (int) props.values().stream().filter(p -> p.dataInCode() > 0).count());
        out.put("jumps back into the first 5 bytes",
                (int) props.values().stream().filter(p -> p.entryBranches() > 0).count());
        return out;
    }
}
