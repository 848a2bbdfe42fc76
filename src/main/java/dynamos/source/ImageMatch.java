package dynamos.source;

import dynamos.elf.ElfObject;
import dynamos.elf.ElfSection;
import dynamos.elf.ElfSymbol;
import dynamos.update.Kallsyms;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Whether a function compiled from the source is the code the kernel image holds, outside relocations:
 * the bytes a relocation fills in (and the opcode of a {@code call __fentry__}, which the kernel's link turns
 * into a 5-byte NOP) are skipped. The function's address comes from kallsyms of a boot, shifted back to the
 * image's link address by the difference of the two {@code _text}s (KASLR), as {@code FactsCache} does.
 *
 * <p>Minimal on purpose: the general function-by-function comparison of objects belongs to
 * {@code dynamos.objdiff}; this is the toolchain check of issue 17 for one function.
 *
 * @param function     the function's name
 * @param size         its size in the compiled object
 * @param masked       how many of its bytes relocations cover
 * @param differences  offsets (from the function's start) of bytes that differ outside relocations
 */
public record ImageMatch(String function, int size, int masked, List<Integer> differences) {
    private static final int R_X86_64_64 = 1;
    private static final int R_X86_64_PC64 = 24;

    public ImageMatch {
        differences = List.copyOf(differences);
    }

    public boolean matches() {
        return differences.isEmpty();
    }

    /**
     * Compares {@code function} of {@code compiled} (a relocatable object) with the image {@code vmlinux}, where
     * {@code kallsyms} (of a boot of that image) places it; {@code position} picks among same-named entries (1
     * = the first).
     */
    public static ImageMatch compare(ElfObject compiled, String function, ElfObject vmlinux, Kallsyms kallsyms,
            int position) {
        ElfSymbol sym = compiled.symbols(function).stream().filter(s -> s.type() == ElfSymbol.STT_FUNC && !s.isUndefined())
                .findFirst().orElseThrow(() -> new SourceException(compiled.origin() + " defines no function "
                        + function + " (inlined everywhere, or not in this unit?)"));
        ElfSection section = compiled.sections().get(sym.sectionIndex());
        byte[] code = slice(compiled.contents(section), sym.value(), sym.size(), compiled.origin());
        BitSet mask = relocated(compiled, section, sym.value(), (int) sym.size());

        List<Kallsyms.Entry> entries = kallsyms.named(function).stream().filter(e -> e.module() == null
                || e.module().isEmpty()).toList();
        if (position < 1 || position > entries.size()) {
            throw new SourceException("kallsyms lists " + entries.size() + " kernel entr" + (entries.size() == 1 ? "y" : "ies")
                    + " named " + function + "; position " + position + " is none of them");
        }
        List<Kallsyms.Entry> text = kallsyms.named("_text");
        ElfSection imageText = vmlinux.section(".text").orElseThrow(
                () -> new SourceException(vmlinux.origin() + " has no .text section"));
        if (text.isEmpty()) {
            throw new SourceException("kallsyms lists no _text; cannot undo KASLR");
        }
        long link = entries.get(position - 1).address() - (text.getFirst().address() - imageText.address());
        ElfSection holder = vmlinux.sections().stream().filter(s -> s.address() <= link && link + code.length
                <= s.address() + s.size() && s.hasFileContents() && s.address() != 0).findFirst()
                .orElseThrow(() -> new SourceException(function + " at " + Long.toHexString(link)
                        + " lies in no section of " + vmlinux.origin() + "; is kallsyms of another kernel?"));
        byte[] kernel = slice(vmlinux.contents(holder), link - holder.address(), code.length, vmlinux.origin());
        List<Integer> diff = new ArrayList<>();
        for (int i = 0; i < code.length; i++) {
            if (!mask.get(i) && code[i] != kernel[i]) {
                diff.add(i);
            }
        }
        return new ImageMatch(function, code.length, mask.cardinality(), diff);
    }

    private static byte[] slice(byte[] bytes, long from, long size, String origin) {
        if (from < 0 || size < 0 || from + size > bytes.length) {
            throw new SourceException(origin + ": bytes " + from + "+" + size + " lie outside their section");
        }
        return java.util.Arrays.copyOfRange(bytes, (int) from, (int) (from + size));
    }

    /** The bytes of {@code [start, start+size)} of {@code section} that relocations fill in. */
    static BitSet relocated(ElfObject object, ElfSection section, long start, int size) {
        BitSet mask = new BitSet(size);
        java.util.Map<Integer, String> names = new java.util.HashMap<>();
        for (ElfSymbol s : object.symbols()) {
            names.put(s.index(), s.name());
        }
        for (ElfSection rela : object.sections()) {
            if (rela.type() != ElfSection.SHT_RELA || rela.info() != section.index()) {
                continue;
            }
            ByteBuffer b = ByteBuffer.wrap(object.contents(rela)).order(ByteOrder.LITTLE_ENDIAN);
            while (b.remaining() >= 24) {
                long offset = b.getLong();
                long info = b.getLong();
                b.getLong();
                int type = (int) info;
                int symIndex = (int) (info >>> 32);
                int width = type == R_X86_64_64 || type == R_X86_64_PC64 ? 8 : 4;
                long at = offset - start;
                boolean fentry = "__fentry__".equals(names.get(symIndex));
                for (long i = at - (fentry ? 1 : 0); i < at + width; i++) {
                    if (i >= 0 && i < size) {
                        mask.set((int) i);
                    }
                }
            }
        }
        return mask;
    }
}
