package dynamos.analysis;

import dynamos.elf.ElfObject;
import dynamos.x86.BranchKind;
import dynamos.x86.Decoder;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What decoding each text function's machine code (Zydis, {@link Decoder}) finds in it: its direct calls
 * and tail calls, indirect calls and jumps, jump tables, references into text that are not a function
 * start, bytes that do not decode, and jumps back into its first five bytes. Each function is swept
 * linearly from its symbol to the next symbol (the padding after it included); bytes that do not decode
 * are skipped one at a time.
 *
 * <p>Rules, on the kernel's conventions: a direct jump or conditional jump to another function's start is
 * a tail call, except to the return thunks of the retpoline region ({@code __x86_return_thunk},
 * {@code srso_return_thunk} ...), which are returns; a call or jump to an {@code __x86_indirect_*} thunk is
 * an indirect call or jump (retpoline); a jump to a {@code .cold} part of the same source function stays
 * inside it. A jump table is an indirect jump through {@code table(,%reg,8)}, or through a register
 * loaded from such a table by the instruction just before, whose first entry points into the function
 * (read from the image's data: {@code chunks} must hold the data sections too); a table of function
 * pointers jumped through is an indirect jump only. A text reference is an address in executable
 * sections that is no symbol's start, named by a RIP-relative or absolute memory operand, by a
 * sign-extended immediate ({@code mov $addr, %reg}), or by a direct branch, and not inside the function's
 * own code: a pointer into the middle of other code (a label, data in code). References into its own code
 * ({@code _THIS_IP_} is {@code lea 0(%rip)}) that land on an instruction are not counted. Jumps into {@code .altinstr_aux}
 * ({@code static_cpu_has()} slow paths, which jump back) stay inside the function. Data in code: bytes that do not
 * decode before the next symbol, and references from the function into its own code that do not land
 * on an instruction boundary of the sweep.
 *
 * <p>Linear sweep limits: data that decodes as valid instructions is not seen as data (zero bytes are
 * {@code add %al,(%rax)}), and after data the sweep may resynchronise late.
 */
public final class CodeDecoding {
    /**
     * The result.
     *
     * @param properties per function key, the decoded counts (only the decoded fields are set)
     * @param calls per callee key, the keys of its direct callers (calls and tail calls)
     * @param tailCalls per function key, the functions it leaves by a jump
     * @param entryBranches keys of functions with a jump from inside into bytes 1 to 4 of their entry
     * @param instructions how many instructions were decoded
     * @param undecodable how many bytes did not decode
     */
    public record Result(Map<String, FunctionProperties> properties, Map<String, Set<String>> calls,
            Map<String, Set<String>> tailCalls, Set<String> entryBranches, long instructions, long undecodable) {}

    private final List<TextSymbol> syms;
    private final long[] addr;
    private final long[] starts;
    private final boolean[] isStart;
    private final long[][] code;
    private final long[][] aux;
    private final List<CodeScan.Chunk> chunks;
    private final long delta;

    private final Map<String, Set<String>> calls = new HashMap<>();
    private final Map<String, Set<String>> tailCalls = new HashMap<>();
    private final Set<String> entry = new HashSet<>();
    private final Map<String, FunctionProperties> props = new HashMap<>();
    private long instructions;
    private long undecodable;

    /**
     * Sections of out-of-line code that belongs to the functions jumping into it: {@code static_cpu_has()}'s
     * slow paths, which jump back into the middle of the function. A jump there stays inside the function.
     */
    static final Set<String> AUXILIARY = Set.of(".altinstr_aux");

    private CodeDecoding(KernelFacts facts, List<CodeScan.Chunk> chunks, long delta) {
        this.delta = delta;
        this.chunks = chunks;
        syms = facts.symbols().stream().filter(s -> !TextLayout.isMarker(s.fullName())).toList();
        addr = syms.stream().mapToLong(TextSymbol::address).toArray();
        // Every symbol's address, markers included: a reference to one is no pointer into the middle of code.
        starts = facts.symbols().stream().mapToLong(TextSymbol::address).distinct().sorted().toArray();
        isStart = new boolean[syms.size()];
        for (int i = 0; i < syms.size(); i++) {
            isStart[i] = i == 0 || addr[i - 1] != addr[i];
        }
        code = chunks.stream().filter(CodeScan.Chunk::code)
                .map(c -> new long[] {c.address() + delta, c.address() + delta + c.bytes().length}).toArray(long[][]::new);
        aux = chunks.stream().filter(c -> c.code() && AUXILIARY.contains(c.name()))
                .map(c -> new long[] {c.address() + delta, c.address() + delta + c.bytes().length}).toArray(long[][]::new);
    }

    /** {@link #decode(KernelFacts, List, long)} over the allocated sections of the kernel's vmlinux ELF. */
    public static Result decode(KernelFacts facts, ElfObject vmlinux) {
        long delta = facts.textBase() - vmlinux.section(".text").map(s -> s.address()).orElse(facts.textBase());
        List<CodeScan.Chunk> all = vmlinux.sections().stream() // SHF_ALLOC, code (SHF_EXECINSTR) or data
                .filter(s -> s.hasFileContents() && (s.flags() & 2) != 0 && s.address() != 0)
                .map(s -> new CodeScan.Chunk(s.name(), s.address(), vmlinux.contents(s), (s.flags() & 4) != 0)).toList();
        return decode(facts, all, delta);
    }

    /**
     * Decodes every function of {@code facts} in the executable chunks (addresses {@code delta} below kallsyms').
     *
     * @throws dynamos.x86.DecoderUnavailableException when Zydis 4 is not installed
     */
    public static Result decode(KernelFacts facts, List<CodeScan.Chunk> chunks, long delta) {
        CodeDecoding d = new CodeDecoding(facts, chunks, delta);
        try (Decoder dec = new Decoder()) {
            for (CodeScan.Chunk c : chunks) {
                if (c.code() && !c.replacement()) {
                    d.chunk(dec, c);
                }
            }
        }
        return new Result(d.props, d.calls, d.tailCalls, d.entry, d.instructions, d.undecodable);
    }

    private void chunk(Decoder dec, CodeScan.Chunk c) {
        long base = c.address() + delta;
        long end = base + c.bytes().length;
        int i = Arrays.binarySearch(addr, base);
        i = i >= 0 ? i : -i - 1;
        while (i > 0 && addr[i - 1] == base) {
            i--;
        }
        if (i >= syms.size() || addr[i] >= end) {
            return;
        }
        dec.load(c.bytes(), base);
        BitSet boundaries = new BitSet();
        long[] ownRefs = new long[16];
        for (; i < syms.size() && addr[i] < end; i++) {
            if (!isStart[i]) {
                continue;
            }
            int j = i;
            while (j + 1 < syms.size() && addr[j + 1] == addr[i]) {
                j++;
            }
            long stop = j + 1 < syms.size() ? Math.min(addr[j + 1], end) : Math.min(addr[i] + syms.get(i).size(), end);
            function(dec, i, j, (int) (addr[i] - base), (int) (stop - base), boundaries, ownRefs);
        }
    }

    /** Sweeps the code of the symbols {@code first..last} (one address), bytes [from, to) of the loaded chunk. */
    private void function(Decoder dec, int first, int last, int from, int to, BitSet boundaries, long[] ownRefs) {
        long start = addr[first];
        String base = syms.get(first).name().base();
        int indirectCalls = 0;
        int indirectJumps = 0;
        int jumpTables = 0;
        int textRefs = 0;
        int bad = 0;
        int entryBranches = 0;
        int owns = 0;
        long lastTable = 0; // the table the previous instruction loaded from (disp(,%reg,8)), or 0
        Set<String> out = null;
        Set<String> tails = null;
        boundaries.clear();
        int off = from;
        while (off < to) {
            int len = dec.decode(off, to);
            if (len == 0) {
                bad++;
                off++;
                lastTable = 0;
                continue;
            }
            instructions++;
            boundaries.set(off - from);
            long at = dec.address();
            BranchKind kind = dec.branch();
            long table = 0;
            if (kind == BranchKind.CALL || kind == BranchKind.JMP || kind == BranchKind.JCC) {
                if (dec.direct()) {
                    long t = dec.target();
                    if (t >= start && t < start + (to - from)) {
                        if (t > start && t < start + EntryBranches.PATCH && at >= start + EntryBranches.PATCH) {
                            entryBranches++;
                        }
                    } else {
                        int k = symbolAt(t);
                        if (k >= 0 && syms.get(k).region() == TextRegion.INDIRECT_THUNK
                                && syms.get(k).fullName().startsWith("__x86_indirect")) {
                            if (kind == BranchKind.CALL) {
                                indirectCalls++;
                            } else {
                                indirectJumps++;
                                jumpTables += jumpTable(lastTable, start, to - from) ? 1 : 0;
                            }
                        } else if (k >= 0 && kind != BranchKind.CALL && syms.get(k).region() == TextRegion.INDIRECT_THUNK) {
                            // jmp __x86_return_thunk: a return
                        } else if (k >= 0 && syms.get(k).name().kind() == PartKind.COLD
                                && syms.get(k).name().base().equals(base)) {
                            // into its own .cold part
                        } else if (k >= 0) {
                            for (int q = k; q < syms.size() && addr[q] == t; q++) {
                                String callee = syms.get(q).key();
                                if (kind == BranchKind.CALL) {
                                    out = add(out, callee);
                                } else {
                                    tails = add(tails, callee);
                                }
                            }
                        } else if (!anyStart(t) && inCode(t) && !inOwnFamily(t, base) && !in(aux, t)) {
                            textRefs++; // a jump into the middle of another function
                        }
                    }
                } else if (kind == BranchKind.CALL) {
                    indirectCalls++;
                } else {
                    indirectJumps++;
                    long through = lastTable;
                    for (int m = 0; dec.mayAccessMemory() && m < dec.memoryOperands(); m++) {
                        Decoder.Memory mem = dec.memory(m);
                        if (mem.base() == 0 && mem.index() != 0 && mem.scale() == 8) {
                            through = mem.displacement() + delta;
                        }
                    }
                    jumpTables += jumpTable(through, start, to - from) ? 1 : 0;
                }
            } else if (dec.mayAccessMemory()) {
                for (int m = 0; m < dec.memoryOperands(); m++) {
                    Decoder.Memory mem = dec.memory(m);
                    long a;
                    if (mem.ripRelative() && mem.index() == 0) {
                        a = at + len + mem.displacement();
                    } else if (mem.base() == 0) {
                        a = mem.displacement() + delta; // absolute (link-time), maybe a table indexed by a register
                        if (mem.index() != 0 && mem.scale() == 8 && !mem.addressOnly()) {
                            table = a;
                        }
                    } else {
                        continue;
                    }
                    if (a >= start && a < start + (to - from)) {
                        if (owns < ownRefs.length) {
                            ownRefs[owns++] = a; // _THIS_IP_ (lea 0(%rip)), a label, or data in code
                        }
                    } else if (inCode(a) && !anyStart(a)) {
                        textRefs++;
                    }
                }
            }
            if (kind == BranchKind.NONE && dec.operandWidth() == 64) { // an address is 64 bits wide
                for (int m = 0; m < dec.immediateCount(); m++) {
                    long v = dec.immediate(m);
                    if (v < 0 && dec.immediateSize(m) >= 32) { // a sign-extended kernel address
                        long a = v + delta;
                        if (inCode(a) && !anyStart(a)) {
                            textRefs++;
                        }
                    }
                }
            }
            lastTable = table;
            off += len;
        }
        int dataInCode = bad;
        for (int r = 0; r < owns; r++) {
            if (!boundaries.get((int) (ownRefs[r] - start))) {
                dataInCode++;
            }
        }
        undecodable += bad;
        FunctionProperties p = new FunctionProperties(0, 0, indirectCalls, indirectJumps, 0, 0, 0, jumpTables,
                textRefs, dataInCode, entryBranches);
        for (int q = first; q <= last; q++) {
            String key = syms.get(q).key();
            if (p.any()) {
                props.put(key, p);
            }
            if (entryBranches > 0) {
                entry.add(key);
            }
            if (out != null) {
                for (String callee : out) {
                    if (!callee.equals(key)) {
                        calls.computeIfAbsent(callee, x -> new HashSet<>()).add(key);
                    }
                }
            }
            if (tails != null) {
                for (String callee : tails) {
                    if (!callee.equals(key)) {
                        calls.computeIfAbsent(callee, x -> new HashSet<>()).add(key);
                        tailCalls.computeIfAbsent(key, x -> new HashSet<>()).add(callee);
                    }
                }
            }
        }
    }

    private static Set<String> add(Set<String> s, String key) {
        Set<String> out = s == null ? new HashSet<>() : s;
        out.add(key);
        return out;
    }

    /**
     * Whether the 8-byte table at {@code table} (0: none) is a jump table of the function at {@code start}:
     * its first entry points into the function. A table of function pointers (an indirect tail call
     * through an array of handlers) is not.
     */
    private boolean jumpTable(long table, long start, int size) {
        if (table == 0) {
            return false;
        }
        for (CodeScan.Chunk c : chunks) {
            long at = table - delta - c.address();
            if (at >= 0 && at + 8 <= c.bytes().length) {
                long entry = java.nio.ByteBuffer.wrap(c.bytes(), (int) at, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                        .getLong() + delta;
                return entry >= start && entry < start + size;
            }
        }
        return false;
    }

    /** Whether {@code a} is the address of any symbol (a marker's too). */
    private boolean anyStart(long a) {
        return Arrays.binarySearch(starts, a) >= 0;
    }

    /** The index of the first symbol that starts exactly at {@code a}, or -1. */
    private int symbolAt(long a) {
        int i = Arrays.binarySearch(addr, a);
        if (i < 0) {
            return -1;
        }
        while (i > 0 && addr[i - 1] == a) {
            i--;
        }
        return i;
    }

    /** Whether {@code a} is inside a symbol of the source function {@code base} (its .cold part, or its parent). */
    private boolean inOwnFamily(long a, String base) {
        int i = CodeTables.containing(addr, a);
        return i >= 0 && syms.get(i).name().base().equals(base);
    }

    private boolean inCode(long a) {
        return in(code, a);
    }

    private static boolean in(long[][] ranges, long a) {
        for (long[] r : ranges) {
            if (a >= r[0] && a < r[1]) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code graph} with what decoding found: callers are the union (the byte scan's superset stays, so
     * decoding can only add callers), tail calls are the decoded ones (exact).
     */
    public static CallGraph applyTo(CallGraph graph, Result r) {
        Map<String, Set<String>> callers = new HashMap<>();
        graph.callers().forEach((k, v) -> callers.put(k, new HashSet<>(v)));
        r.calls().forEach((k, v) -> callers.computeIfAbsent(k, x -> new HashSet<>()).addAll(v));
        return new CallGraph(graph.known(), callers, graph.addressTaken(), r.tailCalls());
    }

    /** The table properties {@code tables} with the decoded ones of {@code r} ({@link FunctionProperties#withDecoded}). */
    public static Map<String, FunctionProperties> applyTo(Map<String, FunctionProperties> tables, Result r) {
        Map<String, FunctionProperties> out = new HashMap<>(tables);
        r.properties().forEach((k, p) -> out.put(k, out.getOrDefault(k, FunctionProperties.NONE).withDecoded(p)));
        return out;
    }
}
