package dynamos.analysis;

import dynamos.elf.ElfObject;
import dynamos.elf.ElfSection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A call graph from the kernel image's bytes, without decoding instructions: every 4-byte window of the
 * code is read as a PC-relative displacement and every 4- and 8-byte window as an absolute address, and
 * a window whose target is exactly the start of a text symbol is an edge. The opcode before a
 * displacement tells a call ({@code e8}), a tail call ({@code e9}, {@code 0f 8x}, and the short forms
 * {@code eb}, {@code 7x} with one byte) from a reference ({@code lea}, {@code mov} of the address).
 *
 * <p>This finds every direct call, tail call and code reference to a function start, and some that are
 * not there (byte patterns that happen to hit a start). Both errors go the safe way for "updatable
 * through its callers": a caller too many can only forbid it, and a reference too many marks the
 * function address-taken, which forbids it too. Address-taken are also: functions whose address is
 * stored in data (8-byte values in any data section), functions the alternatives' replacement code
 * calls, and exported functions (modules may call them). What it cannot see: calls computed at run time
 * from something other than a stored address, and code that falls through from one symbol into the
 * next (assembly). Decoding the instructions (Zydis) will replace this and add jump tables, data in
 * code and exception-table entries.
 */
public final class CodeScan {
    private final KernelFacts facts;
    private final long delta;
    private final long[] starts;
    private final String[][] keysAt;
    private final long[] all;
    private final String[] keyOf;
    private final Map<String, Set<String>> callers = new HashMap<>();
    private final Set<String> taken = new HashSet<>();
    private final Map<String, Set<String>> tailCalls = new HashMap<>();
    private final Set<String> thunks = new HashSet<>();
    private final List<long[]> skip;

    private CodeScan(KernelFacts facts, long delta) {
        this.facts = facts;
        this.delta = delta;
        this.skip = NOT_POINTERS.stream()
                .filter(n -> facts.sectionBounds().containsKey("__start_" + n)
                        && facts.sectionBounds().containsKey("__stop_" + n))
                .map(n -> new long[] {facts.sectionBounds().get("__start_" + n), facts.sectionBounds().get("__stop_" + n)})
                .toList();
        List<TextSymbol> syms = facts.symbols().stream().filter(s -> !TextLayout.isMarker(s.fullName())).toList();
        all = syms.stream().mapToLong(TextSymbol::address).toArray();
        keyOf = syms.stream().map(TextSymbol::key).toArray(String[]::new);
        Map<Long, List<String>> byStart = new HashMap<>();
        for (TextSymbol s : syms) {
            if (s.region() == TextRegion.INDIRECT_THUNK) {
                thunks.add(s.key());
            }
            if (s.name().kind() != PartKind.COLD) {
                byStart.computeIfAbsent(s.address(), a -> new ArrayList<>()).add(s.key());
            }
        }
        starts = byStart.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
        keysAt = new String[starts.length][];
        for (int i = 0; i < starts.length; i++) {
            keysAt[i] = byStart.get(starts[i]).toArray(String[]::new);
        }
    }

    /**
     * The call graph of {@code facts}' kernel from its vmlinux ELF (stripped is fine: sections suffice).
     * The kallsyms addresses are those of one boot; the image's are the link-time ones, shifted by KASLR.
     */
    public static CallGraph scan(KernelFacts facts, ElfObject vmlinux) {
        ElfSection text = vmlinux.section(".text").orElseThrow(() -> new AnalysisException(vmlinux.origin()
                + " has no .text section: it is not a vmlinux"));
        List<Chunk> chunks = new ArrayList<>();
        for (ElfSection sec : vmlinux.sections()) {
            if (sec.hasFileContents() && (sec.flags() & 2) != 0 && sec.address() != 0) { // SHF_ALLOC, not per-CPU
                chunks.add(new Chunk(sec.name(), sec.address(), vmlinux.contents(sec), (sec.flags() & 4) != 0));
            }
        }
        return scan(facts, chunks, facts.textBase() - text.address());
    }

    /**
     * Bytes of the image at a link-time address.
     *
     * @param code whether they are instructions (SHF_EXECINSTR) or data
     */
    public record Chunk(String name, long address, byte[] bytes, boolean code) {
        boolean replacement() {
            return name.equals(".altinstr_replacement");
        }
    }

    /** The call graph from {@code chunks}, whose addresses are {@code delta} below the kallsyms addresses. */
    public static CallGraph scan(KernelFacts facts, List<Chunk> chunks, long delta) {
        CodeScan s = new CodeScan(facts, delta);
        for (Chunk c : chunks) {
            if (c.code()) {
                s.scanCode(c.bytes(), c.address() + delta, c.replacement());
            } else {
                s.scanData(c.bytes(), c.address() + delta);
            }
        }
        for (String key : s.keyOf) {
            if (facts.exported().contains(key.replaceFirst("#.*", ""))) {
                s.taken.add(key);
            }
        }
        return new CallGraph(true, s.callers, s.taken, s.tailCalls);
    }

    /** Scans code whose first byte is at {@code base} (a kallsyms address). */
    private void scanCode(byte[] b, long base, boolean replacement) {
        for (int q = 0; q + 2 <= b.length; q++) {
            long here = base + q;
            int op = b[q] & 0xff;
            if (op == 0xeb || (op & 0xf0) == 0x70) { // short jmp, jcc: a tail call to a near function
                int hit = startIndex(here + 2 + b[q + 1]);
                if (hit >= 0) {
                    edge(here, hit, replacement, true);
                }
            }
            if (q + 4 > b.length) {
                continue; // the last bytes hold no 32-bit field, but may end with a short jump
            }
            int rel = le32(b, q);
            // 0 is the displacement of nop padding (nopw %cs:0(%rax,%rax)), not a call to the next function.
            int hit = rel == 0 ? -1 : startIndex(here + 4 + rel);
            if (hit >= 0) {
                int prev = q > 0 ? b[q - 1] & 0xff : -1;
                boolean jcc = q > 1 && (b[q - 2] & 0xff) == 0x0f && (prev & 0xf0) == 0x80;
                if (prev == 0xe8 || prev == 0xe9 || jcc) {
                    edge(here, hit, replacement, prev != 0xe8);
                } else {
                    takeAll(hit); // lea fn(%rip), ...: the address is taken
                }
            }
            hit = startIndex((long) rel + delta); // sign-extended 32-bit absolute (mov $fn, %reg; push $fn)
            if (hit >= 0) {
                takeAll(hit);
            }
        }
        for (int q = 0; q + 8 <= b.length; q++) {
            int hit = startIndex(le64(b, q) + delta);
            if (hit >= 0) {
                takeAll(hit); // movabs $fn, %reg
            }
        }
    }

    /**
     * Tables of code addresses that are not pointers anything calls through: ftrace's list of its call
     * sites (at function starts) and the kprobes blacklist.
     */
    static final List<String> NOT_POINTERS = List.of("mcount_loc", "kprobe_blacklist");

    private void scanData(byte[] b, long base) {
        int from = 0;
        int to = b.length;
        for (int q = from; q + 8 <= to; q++) {
            long here = base + q;
            if (skipped(here)) {
                continue;
            }
            int hit = startIndex(le64(b, q) + delta);
            if (hit >= 0) {
                takeAll(hit);
            }
        }
    }

    private boolean skipped(long address) {
        for (long[] r : skip) {
            if (address >= r[0] && address < r[1]) {
                return true;
            }
        }
        return false;
    }

    /** A call or jump at {@code site} to the start {@code hit}; from replacement code, the callee counts as address-taken. */
    private void edge(long site, int hit, boolean replacement, boolean jump) {
        if (replacement) {
            takeAll(hit);
            return;
        }
        int at = Arrays.binarySearch(all, site);
        if (at < 0) {
            at = -at - 2;
            if (at < 0) {
                return;
            }
        } else {
            while (at + 1 < all.length && all[at + 1] == site) {
                at++;
            }
        }
        String caller = keyOf[at];
        for (String callee : keysAt[hit]) {
            if (!callee.equals(caller)) {
                callers.computeIfAbsent(callee, k -> new HashSet<>()).add(caller);
                if (jump && !thunks.contains(callee)) { // jmp __x86_return_thunk is a return
                    tailCalls.computeIfAbsent(caller, k -> new HashSet<>()).add(callee);
                }
            }
        }
    }

    private void takeAll(int hit) {
        taken.addAll(Arrays.asList(keysAt[hit]));
    }

    private int startIndex(long address) {
        if (starts.length == 0 || address < starts[0] || address > starts[starts.length - 1]) {
            return -1; // kernel addresses are negative as longs, so signed order is address order
        }
        int i = Arrays.binarySearch(starts, address);
        return i >= 0 ? i : -1;
    }

    private static int le32(byte[] b, int q) {
        return (b[q] & 0xff) | (b[q + 1] & 0xff) << 8 | (b[q + 2] & 0xff) << 16 | (b[q + 3] & 0xff) << 24;
    }

    private static long le64(byte[] b, int q) {
        return (le32(b, q) & 0xffffffffL) | (long) le32(b, q + 4) << 32;
    }
}
