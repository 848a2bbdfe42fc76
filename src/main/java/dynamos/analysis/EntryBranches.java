package dynamos.analysis;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Functions with a jump back into their first five bytes: where a jump written over the entry (a second
 * redirection method, for functions without an ftrace site) would land inside the patch. This is the
 * paper's "backward branches" check. Found by the same byte scan as {@link CodeScan} (every short and
 * near jump opcode followed by a displacement), so it is an upper bound: a byte pattern that only looks
 * like such a jump counts too. This is the fallback when Zydis is not installed; with it,
 * {@link CodeDecoding} decodes the instructions and gives the exact answer (6.1.0-50: 14 notrace functions
 * instead of at most 47, and no traced one instead of 427 false positives).
 */
public final class EntryBranches {
    /** The bytes a jump over the entry overwrites ({@code jmp rel32}). */
    public static final int PATCH = 5;

    private EntryBranches() {}

    /** The keys of the functions of {@code facts} with such a jump in {@code chunks} (addresses {@code delta} below kallsyms'). */
    public static Set<String> find(KernelFacts facts, List<CodeScan.Chunk> chunks, long delta) {
        List<TextSymbol> syms = facts.symbols().stream().filter(s -> !TextLayout.isMarker(s.fullName())).toList();
        long[] starts = syms.stream().mapToLong(TextSymbol::address).toArray();
        Set<String> out = new HashSet<>();
        for (CodeScan.Chunk c : chunks) {
            if (!c.code()) {
                continue;
            }
            byte[] b = c.bytes();
            long base = c.address() + delta;
            for (int q = 0; q + 2 <= b.length; q++) {
                int op = b[q] & 0xff;
                long target = Long.MIN_VALUE;
                if (op == 0xeb || (op & 0xf0) == 0x70) {
                    target = base + q + 2 + b[q + 1];
                } else if (op == 0xe9 && q + 5 <= b.length) {
                    target = base + q + 5 + le32(b, q + 1);
                } else if (op == 0x0f && q + 6 <= b.length && (b[q + 1] & 0xf0) == 0x80) {
                    target = base + q + 6 + le32(b, q + 2);
                }
                if (target == Long.MIN_VALUE) {
                    continue;
                }
                int i = CodeTables.containing(starts, base + q);
                if (i >= 0 && target > starts[i] && target < starts[i] + PATCH && base + q >= starts[i] + PATCH) {
                    out.add(syms.get(i).key());
                }
            }
        }
        return out;
    }


    private static int le32(byte[] b, int q) {
        return (b[q] & 0xff) | (b[q + 1] & 0xff) << 8 | (b[q + 2] & 0xff) << 16 | (b[q + 3] & 0xff) << 24;
    }
}
