package dynamos.elf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes an x86-64 relocatable object ({@code ET_REL}) from sections, symbols and relocations: the form the
 * linker and kbuild take. The symbol table, its strings, the section names and one {@code .rela} section per
 * section with relocations are laid out here.
 */
public final class RelocatableWriter {
    /** {@code SHF_INFO_LINK}: a relocation section's {@code sh_info} names the section it applies to. */
    private static final long SHF_INFO_LINK = 0x40;

    private RelocatableWriter() {}

    /**
     * A section to write.
     *
     * @param contents its bytes; for {@code SHT_NOBITS}, {@code null}, and {@code size} gives the size
     * @param relocations what applies to it, symbols given by their index in the list passed to {@link #write}
     *     plus one (0 is the null symbol)
     */
    public record Section(String name, int type, long flags, long alignment, long entrySize, byte[] contents,
            long size, List<Rela> relocations) {
        public Section {
            relocations = List.copyOf(relocations);
            if (type != ElfSection.SHT_NOBITS && contents == null) {
                throw new IllegalArgumentException(name + ": a section with file contents needs them");
            }
        }

        long length() {
            return contents == null ? size : contents.length;
        }
    }

    /**
     * A symbol to write.
     *
     * @param section the index of its section in the list passed to {@link #write} plus one, or
     *     {@link ElfSymbol#SHN_UNDEF} / {@link ElfSymbol#SHN_ABS}
     */
    public record Symbol(String name, int info, int other, int section, long value, long size) {
        public boolean local() {
            return info >>> 4 == ElfSymbol.STB_LOCAL;
        }
    }

    /** One {@code Elf64_Rela}: {@code symbol} counts from 1 in the symbol list (0: none). */
    public record Rela(long offset, int type, int symbol, long addend) {}

    /**
     * The object's bytes. Local symbols must come before global ones, as ELF requires.
     *
     * @throws IllegalArgumentException when they do not, or a relocation or symbol names something absent
     */
    public static byte[] write(List<Section> sections, List<Symbol> symbols) {
        boolean globalSeen = false;
        int locals = 1;
        for (Symbol s : symbols) {
            if (s.local()) {
                if (globalSeen) {
                    throw new IllegalArgumentException("local symbol " + s.name() + " after a global one");
                }
                locals++;
            } else {
                globalSeen = true;
            }
            if (s.section() > sections.size() && s.section() != ElfSymbol.SHN_ABS) {
                throw new IllegalArgumentException("symbol " + s.name() + " in section " + s.section() + " of "
                        + sections.size());
            }
        }
        for (Section s : sections) {
            for (Rela r : s.relocations()) {
                if (r.symbol() < 0 || r.symbol() > symbols.size() || r.offset() < 0 || r.offset() >= s.length()) {
                    throw new IllegalArgumentException(s.name() + ": relocation at " + r.offset() + " to symbol "
                            + r.symbol() + " is out of range");
                }
            }
        }

        Strings shstr = new Strings();
        Strings str = new Strings();
        List<Header> headers = new ArrayList<>();
        headers.add(new Header(0, ElfSection.SHT_NULL, 0, 0, 0, 0, 0, 0, 0));
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int fileStart = ElfObject.ELF_HEADER_SIZE;
        for (Section s : sections) {
            long offset = fileStart;
            if (s.contents() != null) {
                offset = align(body, fileStart, Math.max(1, s.alignment()));
                body.writeBytes(s.contents());
            }
            headers.add(new Header(shstr.add(s.name()), s.type(), s.flags(), offset, s.length(), 0, 0,
                    s.alignment(), s.entrySize()));
        }
        int symtabIndex = sections.size() + 1 + (int) sections.stream().filter(s -> !s.relocations().isEmpty()).count();
        for (int i = 0; i < sections.size(); i++) {
            Section s = sections.get(i);
            if (s.relocations().isEmpty()) {
                continue;
            }
            long offset = align(body, fileStart, 8);
            ByteBuffer b = little(24 * s.relocations().size());
            for (Rela r : s.relocations()) {
                b.putLong(r.offset()).putLong(((long) r.symbol() << 32) | (r.type() & 0xffffffffL)).putLong(r.addend());
            }
            body.writeBytes(b.array());
            headers.add(new Header(shstr.add(".rela" + s.name()), ElfSection.SHT_RELA, SHF_INFO_LINK, offset,
                    b.capacity(), symtabIndex, i + 1, 8, 24));
        }
        ByteBuffer symtab = little(ElfObject.SYMBOL_SIZE * (symbols.size() + 1));
        symtab.position(ElfObject.SYMBOL_SIZE);
        for (Symbol s : symbols) {
            symtab.putInt(str.add(s.name())).put((byte) s.info()).put((byte) s.other()).putShort((short) s.section())
                    .putLong(s.value()).putLong(s.size());
        }
        long symtabOffset = align(body, fileStart, 8);
        body.writeBytes(symtab.array());
        headers.add(new Header(shstr.add(".symtab"), ElfSection.SHT_SYMTAB, 0, symtabOffset, symtab.capacity(),
                symtabIndex + 1, locals, 8, ElfObject.SYMBOL_SIZE));
        long strOffset = fileStart + body.size();
        byte[] strBytes = str.bytes();
        body.writeBytes(strBytes);
        headers.add(new Header(shstr.add(".strtab"), ElfSection.SHT_STRTAB, 0, strOffset, strBytes.length, 0, 0, 1, 0));
        int shstrName = shstr.add(".shstrtab");
        long shstrOffset = fileStart + body.size();
        byte[] shstrBytes = shstr.bytes();
        body.writeBytes(shstrBytes);
        headers.add(new Header(shstrName, ElfSection.SHT_STRTAB, 0, shstrOffset, shstrBytes.length, 0, 0, 1, 0));
        long headersOffset = align(body, fileStart, 8);

        ByteBuffer out = little((int) headersOffset + ElfObject.SECTION_HEADER_SIZE * headers.size());
        out.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0}).put(new byte[8]);
        out.putShort((short) ElfObject.ET_REL).putShort((short) ElfObject.EM_X86_64).putInt(1)
                .putLong(0).putLong(0).putLong(headersOffset).putInt(0)
                .putShort((short) ElfObject.ELF_HEADER_SIZE).putShort((short) 0).putShort((short) 0)
                .putShort((short) ElfObject.SECTION_HEADER_SIZE).putShort((short) headers.size())
                .putShort((short) (headers.size() - 1));
        out.put(body.toByteArray());
        for (Header h : headers) {
            out.putInt(h.name).putInt(h.type).putLong(h.flags).putLong(0).putLong(h.offset).putLong(h.size)
                    .putInt(h.link).putInt(h.info).putLong(h.alignment).putLong(h.entrySize);
        }
        return out.array();
    }

    private record Header(int name, int type, long flags, long offset, long size, int link, int info, long alignment,
            long entrySize) {}

    /** Pads {@code body} (which starts at file offset {@code start}) to {@code alignment}; returns the offset. */
    private static long align(ByteArrayOutputStream body, int start, long alignment) {
        while ((start + body.size()) % alignment != 0) {
            body.write(0);
        }
        return start + body.size();
    }

    private static ByteBuffer little(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A string table: NUL first, each distinct string once. */
    private static final class Strings {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final Map<String, Integer> offsets = new LinkedHashMap<>();

        Strings() {
            bytes.write(0);
            offsets.put("", 0);
        }

        int add(String s) {
            return offsets.computeIfAbsent(s, k -> {
                int at = bytes.size();
                bytes.writeBytes(k.getBytes(StandardCharsets.UTF_8));
                bytes.write(0);
                return at;
            });
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }
    }
}
