package dynamos.analysis;

import dynamos.btf.Btf;
import dynamos.elf.ElfObject;
import dynamos.elf.ElfSection;
import dynamos.elf.ElfSymbol;
import dynamos.x86.Decoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The facts of one kernel module, from its {@code .ko} alone (no boot needed): its functions are the
 * symbol table's {@code FUNC} entries; its ftrace sites are the targets of the relocations of
 * {@code __mcount_loc}; its call graph comes from the relocations of its code ({@code PLT32}/{@code PC32}
 * after a call or jump opcode are calls and tail calls, any other reference to a function start takes its
 * address, as do its exports) and, for what the assembler resolved without a relocation (calls within a
 * section), from {@link CodeScan}'s byte scan; its C functions are those its split BTF records. The module's sections are
 * laid out at made-up addresses (text, then init text) and described as kallsyms lines, so the kernel's
 * {@link Classifier} judges them by the same rules ("freed after boot" meaning: after the module's init).
 */
public final class ModuleFacts {
    private static final long BASE = 0xffffffffc0000000L;
    private static final int R_X86_64_64 = 1;
    private static final int R_X86_64_PC32 = 2;
    private static final int R_X86_64_32 = 10;
    private static final int R_X86_64_32S = 11;
    private static final int R_X86_64_PLT32 = 4;

    /** Sections that list code locations for the kernel's own use (unwinding, patching, fixups): no pointers. */
    static final Set<String> LOCATION_TABLES = Set.of("__mcount_loc", ".orc_unwind_ip", "__ex_table", "__jump_table",
            ".altinstructions", ".static_call_sites", ".return_sites", ".retpoline_sites", "__bug_table", ".smp_locks",
            ".parainstructions", "_kprobe_blacklist", ".ibt_endbr_seal", "__patchable_function_entries", ".call_sites");

    private ModuleFacts() {}

    /** Every module file ({@code .ko}) under {@code dir}, by module name ({@code -} read as {@code _}), sorted. */
    public static SortedMap<String, Path> modules(Path dir) {
        SortedMap<String, Path> out = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(p -> p.getFileName().toString().endsWith(".ko")).forEach(p -> {
                String f = p.getFileName().toString();
                out.put(f.substring(0, f.length() - 3).replace('-', '_'), p);
            });
        } catch (IOException e) {
            throw new AnalysisException("cannot list the modules under " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** The facts of {@code ko} (module {@code name}); {@code kernelBtf} is the base of its BTF, or null. */
    public static KernelFacts of(String name, ElfObject ko, Btf kernelBtf) {
        Set<String> btf = Set.of();
        if (kernelBtf != null && ko.section(Btf.ELF_SECTION).isPresent()) {
            try {
                btf = FactsCache.btfFunctions(Btf.fromElf(ko, kernelBtf));
            } catch (RuntimeException e) {
                btf = Set.of(); // BTF of another kernel build: judge without it
            }
        }
        return of(name, ko, btf);
    }

    /** The facts of {@code ko} (module {@code name}), whose BTF records the C functions {@code btf}. */
    public static KernelFacts of(String name, ElfObject ko, Set<String> btf) {
        // Lay out the executable sections: text first (noinstr among it), then init and exit text.
        Map<Integer, Long> base = new LinkedHashMap<>();
        List<String> lines = new ArrayList<>();
        long at = BASE;
        lines.add(hex(at) + " T _stext");
        for (ElfSection s : code(ko, false)) {
            if (s.name().startsWith(".noinstr.text")) {
                lines.add(hex(at) + " T __noinstr_text_start");
                lines.add(hex(at + s.size()) + " T __noinstr_text_end");
            } else if (s.name().equals(".static_call.text")) {
                lines.add(hex(at) + " T __static_call_text_start");
                lines.add(hex(at + s.size()) + " T __static_call_text_end");
            }
            base.put(s.index(), at);
            at += s.size();
        }
        lines.add(hex(at) + " T _etext");
        at = align(at + 0x1000);
        lines.add(hex(at) + " T _sinittext");
        for (ElfSection s : code(ko, true)) {
            base.put(s.index(), at);
            at += s.size();
        }
        lines.add(hex(at) + " T _einittext");

        TreeMap<Long, List<ElfSymbol>> functions = new TreeMap<>(Long::compareUnsigned);
        for (ElfSymbol sym : ko.symbols()) {
            if (sym.type() == ElfSymbol.STT_FUNC && base.containsKey(sym.sectionIndex())) {
                long address = base.get(sym.sectionIndex()) + sym.value();
                functions.computeIfAbsent(address, a -> new ArrayList<>()).add(sym);
                lines.add(hex(address) + (sym.binding() == ElfSymbol.STB_LOCAL ? " t " : " T ") + sym.name());
            }
        }
        List<String> ftrace = new ArrayList<>();
        Set<Long> sites = new HashSet<>();
        for (Rela r : relocations(ko, "__mcount_loc")) {
            Long target = target(ko, base, r, 0);
            if (target != null) {
                sites.add(target);
            }
        }
        for (Map.Entry<Long, List<ElfSymbol>> e : functions.entrySet()) {
            if (sites.contains(e.getKey())) {
                ftrace.add(e.getValue().getFirst().name());
            }
        }
        KernelFacts facts = KernelFacts.of(name, lines, ftrace, btf, CallGraph.UNKNOWN);
        // Calls the assembler resolved itself (to a local function of the same section) have no relocation:
        // the byte scan finds those (a relocated field holds 0, which the scan skips).
        List<CodeScan.Chunk> chunks = new ArrayList<>();
        for (ElfSection s : ko.sections()) {
            if (base.containsKey(s.index()) && s.hasFileContents()) {
                chunks.add(new CodeScan.Chunk(s.name(), base.get(s.index()), ko.contents(s), true));
            }
        }
        KernelFacts out = facts.withCallGraph(union(callGraph(ko, base, facts), CodeScan.scan(facts, chunks, 0)));
        if (!Decoder.available()) {
            return out;
        }
        // Decoded: data in code and jumps back into the entry, which need no relocation. Calls, jumps and
        // references to other code are relocated fields that hold 0 in a .ko (decoded, they target the next
        // instruction), so the graph stays the relocations' and indirect calls (retpoline thunk calls are
        // relocations too) and text references are not counted for modules.
        CodeDecoding.Result decoded = CodeDecoding.decode(facts, chunks, 0);
        Map<String, FunctionProperties> props = new HashMap<>();
        decoded.properties().forEach((k, p) -> {
            if (p.dataInCode() > 0 || p.entryBranches() > 0) {
                props.put(k, new FunctionProperties(0, 0, 0, 0, 0, 0, 0, 0, 0, p.dataInCode(), p.entryBranches()));
            }
        });
        return out.withProperties(props).withEntryBranches(decoded.entryBranches());
    }

    private static CallGraph union(CallGraph a, CallGraph b) {
        Map<String, Set<String>> callers = new HashMap<>();
        Map<String, Set<String>> tails = new HashMap<>();
        for (CallGraph g : List.of(a, b)) {
            g.callers().forEach((k, v) -> callers.computeIfAbsent(k, x -> new HashSet<>()).addAll(v));
            g.tailCalls().forEach((k, v) -> tails.computeIfAbsent(k, x -> new HashSet<>()).addAll(v));
        }
        Set<String> taken = new HashSet<>(a.addressTaken());
        taken.addAll(b.addressTaken());
        return new CallGraph(true, callers, taken, tails);
    }

    private static CallGraph callGraph(ElfObject ko, Map<Integer, Long> base, KernelFacts facts) {
        Map<Long, List<String>> keysAt = new HashMap<>();
        List<TextSymbol> syms = facts.symbols().stream().filter(s -> !TextLayout.isMarker(s.fullName())).toList();
        long[] starts = syms.stream().mapToLong(TextSymbol::address).toArray();
        for (TextSymbol s : syms) {
            if (s.name().kind() != PartKind.COLD) {
                keysAt.computeIfAbsent(s.address(), a -> new ArrayList<>()).add(s.key());
            }
        }
        Map<String, Set<String>> callers = new HashMap<>();
        Map<String, Set<String>> tails = new HashMap<>();
        Set<String> taken = new HashSet<>();
        for (ElfSection rel : ko.sections()) {
            if (rel.type() != ElfSection.SHT_RELA || rel.info() <= 0 || rel.info() >= ko.sections().size()
                    || rel.name().equals(".rela__mcount_loc")) {
                continue;
            }
            ElfSection patched = ko.sections().get(rel.info());
            if ((patched.flags() & 2) == 0 || LOCATION_TABLES.contains(patched.name())) {
                continue; // debug information, or a table of code locations: no pointer anything calls through
            }
            boolean code = base.containsKey(patched.index());
            byte[] bytes = code && patched.hasFileContents() ? ko.contents(patched) : null;
            for (Rela r : relocations(ko, rel)) {
                boolean pcRelative = r.type() == R_X86_64_PC32 || r.type() == R_X86_64_PLT32;
                if (!pcRelative && r.type() != R_X86_64_64 && r.type() != R_X86_64_32S && r.type() != R_X86_64_32) {
                    continue;
                }
                // A PC-relative field in code ends its instruction, which counts from there; in data it does not.
                Long target = target(ko, base, r, pcRelative && code ? 4 : 0);
                if (target == null || !keysAt.containsKey(target)) {
                    continue;
                }
                int op = bytes != null && r.offset() >= 1 ? bytes[(int) r.offset() - 1] & 0xff : -1;
                boolean jcc = bytes != null && r.offset() >= 2 && (bytes[(int) r.offset() - 2] & 0xff) == 0x0f
                        && (op & 0xf0) == 0x80;
                if (pcRelative && code && (op == 0xe8 || op == 0xe9 || jcc)) {
                    long site = base.get(patched.index()) + r.offset();
                    int i = Arrays.binarySearch(starts, site);
                    i = i >= 0 ? i : -i - 2;
                    if (i < 0) {
                        continue;
                    }
                    String caller = syms.get(i).key();
                    for (String callee : keysAt.get(target)) {
                        if (!callee.equals(caller)) {
                            callers.computeIfAbsent(callee, k -> new HashSet<>()).add(caller);
                            if (op != 0xe8) {
                                tails.computeIfAbsent(caller, k -> new HashSet<>()).add(callee);
                            }
                        }
                    }
                } else {
                    taken.addAll(keysAt.get(target));
                }
            }
        }
        for (ElfSymbol sym : ko.symbols()) {
            if (sym.name().startsWith("__ksymtab_")) {
                String exported = sym.name().substring("__ksymtab_".length());
                for (TextSymbol s : syms) {
                    if (s.fullName().equals(exported)) {
                        taken.add(s.key());
                    }
                }
            }
        }
        return new CallGraph(true, callers, taken, tails);
    }

    /** One {@code Elf64_Rela}. */
    record Rela(long offset, int symbol, int type, long addend) {}

    private static List<Rela> relocations(ElfObject ko, String section) {
        return ko.section(".rela" + section).map(s -> relocations(ko, s)).orElse(List.of());
    }

    private static List<Rela> relocations(ElfObject ko, ElfSection rela) {
        ByteBuffer b = ByteBuffer.wrap(ko.contents(rela)).order(ByteOrder.LITTLE_ENDIAN);
        List<Rela> out = new ArrayList<>();
        for (int i = 0; i + 24 <= b.capacity(); i += 24) {
            long info = b.getLong(i + 8);
            out.add(new Rela(b.getLong(i), (int) (info >>> 32), (int) info, b.getLong(i + 16)));
        }
        return out;
    }

    /** The made-up address a relocation refers to ({@code S + A + bias}), if it is in the module's code. */
    private static Long target(ElfObject ko, Map<Integer, Long> base, Rela r, int bias) {
        if (r.symbol() <= 0 || r.symbol() >= ko.symbols().size()) {
            return null;
        }
        ElfSymbol sym = ko.symbols().get(r.symbol());
        Long b = base.get(sym.sectionIndex());
        return b == null ? null : b + sym.value() + r.addend() + bias;
    }

    /**
     * The module's allocated executable sections: its init text (freed once the module is loaded), or the
     * others (exit text included: it stays until the module unloads).
     */
    private static List<ElfSection> code(ElfObject ko, boolean init) {
        return ko.sections().stream()
                .filter(s -> (s.flags() & 6) == 6 && s.size() > 0)
                .filter(s -> init == s.name().startsWith(".init."))
                .toList();
    }

    private static long align(long a) {
        return (a + 0xfff) & ~0xfffL;
    }

    private static String hex(long a) {
        return String.format("%016x", a);
    }
}
