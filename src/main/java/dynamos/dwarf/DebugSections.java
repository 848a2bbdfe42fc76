package dynamos.dwarf;

import dynamos.elf.ElfObject;
import dynamos.elf.ElfSection;
import dynamos.elf.ElfSymbol;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code .debug_*} sections of an ELF64 file, ready to read.
 *
 * <p>A linked image (vmlinux, {@code ET_EXEC}) is memory-mapped and its sections are read in place: the
 * linker has written final values into them ({@code --emit-relocs} keeps {@code .rela.debug_info} beside
 * them as a record only; the real-kernel test checks a function's address against {@code System.map}).
 * A relocatable file (a module, {@code ET_REL}) holds zeros where addresses and string offsets go, so
 * its debug sections are copied and their {@code .rela.debug_*} relocations applied (symbol value plus
 * addend: addresses become offsets in their section).
 */
public final class DebugSections {
    private static final int R_X86_64_NONE = 0;
    private static final int R_X86_64_64 = 1;
    private static final int R_X86_64_32 = 10;
    private static final int R_X86_64_32S = 11;

    private final String origin;
    private final Map<String, ByteBuffer> sections;
    private final long textAddress;

    private DebugSections(String origin, Map<String, ByteBuffer> sections, long textAddress) {
        this.origin = origin;
        this.sections = sections;
        this.textAddress = textAddress;
    }

    /** The address of the {@code .text} section (a vmlinux: {@code _text}), 0 in a relocatable file, -1 if none. */
    public long textAddress() {
        return textAddress;
    }

    /** Where the sections came from, for messages. */
    public String origin() {
        return origin;
    }

    /** The section {@code name} (positioned at 0, little-endian), or null when the file has none. */
    public ByteBuffer get(String name) {
        ByteBuffer b = sections.get(name);
        return b == null ? null : b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Reads the debug sections of {@code file}. */
    public static DebugSections read(Path file) {
        ByteBuffer whole;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() > Integer.MAX_VALUE) {
                throw new DwarfException(file + " is larger than 2 GiB: not a kernel image or module this reader takes");
            }
            whole = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new DwarfException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (whole.limit() < 64 || whole.getInt(0) != 0x464c457f || whole.get(4) != 2 || whole.get(5) != 1) {
            throw new DwarfException(file + " is not a little-endian ELF64 file");
        }
        int type = Short.toUnsignedInt(whole.getShort(16));
        if (type == ElfObject.ET_REL) {
            byte[] bytes = new byte[whole.limit()];
            whole.get(0, bytes);
            return relocated(ElfObject.parse(bytes, file.toString()));
        }
        return mapped(file.toString(), whole);
    }

    /** The debug sections of an ELF already in memory (a relocatable file gets its relocations applied). */
    public static DebugSections of(ElfObject elf) {
        if (elf.isRelocatable()) {
            return relocated(elf);
        }
        return mapped(elf.origin(), ByteBuffer.wrap(elf.bytes()).order(ByteOrder.LITTLE_ENDIAN));
    }

    private static DebugSections mapped(String origin, ByteBuffer whole) {
        long shoff = whole.getLong(0x28);
        int shentsize = Short.toUnsignedInt(whole.getShort(0x3a));
        int shnum = Short.toUnsignedInt(whole.getShort(0x3c));
        int shstrndx = Short.toUnsignedInt(whole.getShort(0x3e));
        if (shnum == 0 && shoff != 0) {
            shnum = (int) whole.getLong((int) shoff + 0x20); // the count is in section 0's sh_size
        }
        if (shstrndx == 0xffff) {
            shstrndx = whole.getInt((int) shoff + 0x28);
        }
        int strOff = (int) whole.getLong((int) (shoff + (long) shstrndx * shentsize) + 0x18);
        Map<String, ByteBuffer> out = new HashMap<>();
        long text = -1;
        for (int i = 1; i < shnum; i++) {
            int h = (int) (shoff + (long) i * shentsize);
            int nameOff = whole.getInt(h);
            int shType = whole.getInt(h + 4);
            long offset = whole.getLong(h + 0x18);
            long size = whole.getLong(h + 0x20);
            String name = cString(whole, strOff + nameOff);
            if (name.equals(".text")) {
                text = whole.getLong(h + 0x10);
            }
            if (name.startsWith(".debug_") && shType != ElfSection.SHT_NOBITS) {
                if (offset + size > whole.limit()) {
                    throw new DwarfException(origin + ": section " + name + " runs past the end of the file (truncated?)");
                }
                out.put(name, whole.slice((int) offset, (int) size).order(ByteOrder.LITTLE_ENDIAN));
            }
        }
        return new DebugSections(origin, out, text);
    }

    private static DebugSections relocated(ElfObject elf) {
        Map<String, ByteBuffer> out = new HashMap<>();
        Map<Integer, byte[]> byIndex = new HashMap<>();
        for (ElfSection s : elf.sections()) {
            if (s.name().startsWith(".debug_") && s.hasFileContents()) {
                byte[] b = elf.contents(s);
                byIndex.put(s.index(), b);
                out.put(s.name(), ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN));
            }
        }
        List<ElfSymbol> symbols = elf.symbols();
        for (ElfSection rela : elf.sections()) {
            byte[] target = byIndex.get(rela.info());
            if (rela.type() != ElfSection.SHT_RELA || target == null) {
                continue;
            }
            ByteBuffer t = ByteBuffer.wrap(target).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer r = ByteBuffer.wrap(elf.contents(rela)).order(ByteOrder.LITTLE_ENDIAN);
            for (int at = 0; at + 24 <= r.limit(); at += 24) {
                int where = (int) r.getLong(at);
                long info = r.getLong(at + 8);
                long addend = r.getLong(at + 16);
                int sym = (int) (info >>> 32);
                int kind = (int) info;
                long value = (sym < symbols.size() ? symbols.get(sym).value() : 0) + addend;
                switch (kind) {
                    case R_X86_64_NONE -> { }
                    case R_X86_64_64 -> t.putLong(where, value);
                    case R_X86_64_32, R_X86_64_32S -> t.putInt(where, (int) value);
                    default -> throw new DwarfException(elf.origin() + ": relocation type " + kind + " in " + rela.name()
                            + " is not one this reader applies (64, 32, 32S)");
                }
            }
        }
        return new DebugSections(elf.origin(), out, elf.section(".text").isPresent() ? 0 : -1);
    }

    static String cString(ByteBuffer b, int at) {
        int end = at;
        while (end < b.limit() && b.get(end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end - at];
        b.get(at, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
