package dynamos.generate;

import dynamos.elf.ElfObject;
import dynamos.elf.ElfRelocation;
import dynamos.elf.ElfSection;
import dynamos.elf.ElfSymbol;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who calls a function within its unit's object, and whether anything else refers to it. A function without an
 * ftrace site can still be replaced through its callers when they are all direct calls or jumps from functions of
 * the unit: the callers are replaced by copies that call the new code. An address taken (a function pointer in data,
 * a {@code lea}) could be called from anywhere, so it stops that.
 *
 * @param callers the symbols of the functions that call or jump to it (pieces as the object names them)
 * @param otherReferences where something refers to it other than by a direct call or jump, e.g. {@code .data+0x10}
 */
record CallSites(Set<String> callers, List<String> otherReferences) {
    private static final long SHF_ALLOC = 0x2;
    private static final long SHF_EXECINSTR = 0x4;

    /** The call sites of the function whose code is in the symbols {@code pieces} of {@code object}. */
    static CallSites of(ElfObject object, Set<String> pieces) {
        Set<Integer> own = new HashSet<>();
        for (ElfSymbol s : object.symbols()) {
            if (pieces.contains(s.name()) && s.sectionIndex() > 0 && !s.isAbsolute()) {
                own.add(s.sectionIndex());
            }
        }
        Set<String> callers = new TreeSet<>();
        List<String> other = new ArrayList<>();
        for (ElfSection section : object.sections()) {
            if ((section.flags() & SHF_ALLOC) == 0 || own.contains(section.index()) || CarriedCode.isTable(section.name())
                    || section.name().startsWith(".discard")) {
                continue;
            }
            byte[] bytes = null;
            for (ElfRelocation r : object.relocations(section)) {
                ElfSymbol s = r.symbol();
                boolean hit = s.type() == ElfSymbol.STT_SECTION ? own.contains(s.sectionIndex())
                        : pieces.contains(s.name());
                if (!hit) {
                    continue;
                }
                if ((section.flags() & SHF_EXECINSTR) != 0) {
                    bytes = bytes != null ? bytes : object.contents(section);
                    ElfSymbol caller = function(object, section.index(), r.offset());
                    if (caller != null && directBranch(bytes, r)) {
                        callers.add(caller.name());
                        continue;
                    }
                }
                other.add(section.name() + "+" + Long.toHexString(r.offset()));
            }
        }
        return new CallSites(callers, other);
    }

    /** A {@code call}, {@code jmp} or conditional jump with a 32-bit displacement at the relocated field. */
    private static boolean directBranch(byte[] code, ElfRelocation r) {
        if (r.type() != ElfRelocation.R_X86_64_PLT32 && r.type() != ElfRelocation.R_X86_64_PC32 || r.addend() != -4) {
            return false;
        }
        int at = (int) r.offset();
        if (at >= 1 && ((code[at - 1] & 0xff) == 0xe8 || (code[at - 1] & 0xff) == 0xe9)) {
            return true;
        }
        return at >= 2 && (code[at - 2] & 0xff) == 0x0f && (code[at - 1] & 0xf0) == 0x80;
    }

    /** The function symbol of section {@code section} that covers {@code offset}. */
    private static ElfSymbol function(ElfObject object, int section, long offset) {
        ElfSymbol best = null;
        for (ElfSymbol s : object.symbols()) {
            if (s.type() == ElfSymbol.STT_FUNC && s.sectionIndex() == section && s.value() <= offset
                    && (offset < s.value() + s.size() || s.size() == 0) && (best == null || s.value() > best.value())) {
                best = s;
            }
        }
        return best;
    }
}
