package dynamos.elf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * An ELF64 little-endian file read into memory: its sections and its symbol table. Kernel modules
 * ({@code .ko}) are relocatable objects ({@link #ET_REL}); a vmlinux (an executable) reads too, for its
 * sections. Only the section header table is interpreted; program headers are ignored.
 *
 * <p>Instances are immutable; {@link AbsoluteSymbolRewriter} produces modified copies.
 */
public final class ElfObject {
    public static final int ET_REL = 1;
    public static final int ET_EXEC = 2;
    public static final int ET_DYN = 3;
    public static final int EM_X86_64 = 62;

    static final int ELF_HEADER_SIZE = 64;
    static final int SECTION_HEADER_SIZE = 64;
    static final int SYMBOL_SIZE = 24;

    private final String origin;
    private final byte[] bytes;
    private final ByteBuffer data;
    private final int fileType;
    private final int machine;
    private final List<ElfSection> sections;
    private final List<ElfSymbol> symbols;

    private ElfObject(String origin, byte[] bytes) {
        this.origin = origin;
        this.bytes = bytes;
        this.data = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        checkIdentification();
        this.fileType = Short.toUnsignedInt(data.getShort(16));
        this.machine = Short.toUnsignedInt(data.getShort(18));
        this.sections = readSections();
        this.symbols = readSymbols();
    }

    /** Reads {@code file} whole. */
    public static ElfObject read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ElfException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return new ElfObject(file.toString(), bytes);
    }

    /** Parses {@code bytes} (not copied: the caller must not change them afterwards). */
    public static ElfObject parse(byte[] bytes, String origin) {
        return new ElfObject(origin, bytes);
    }

    /** The file name (or description) this was read from, for messages. */
    public String origin() {
        return origin;
    }

    /** {@code e_type}: {@link #ET_REL} for kernel modules. */
    public int fileType() {
        return fileType;
    }

    public boolean isRelocatable() {
        return fileType == ET_REL;
    }

    /** {@code e_machine}: {@link #EM_X86_64} on x86-64. */
    public int machine() {
        return machine;
    }

    /** A copy of the whole file. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** All section headers, in index order (index 0 is the null section). */
    public List<ElfSection> sections() {
        return sections;
    }

    /** The first section called {@code name}. */
    public Optional<ElfSection> section(String name) {
        return sections.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** The raw contents of {@code section}. */
    public byte[] contents(ElfSection section) {
        if (section.index() >= sections.size() || !sections.get(section.index()).equals(section)) {
            throw new IllegalArgumentException("section " + describe(section) + " is not a section of " + origin);
        }
        if (!section.hasFileContents()) {
            throw new ElfException(origin + ": section " + describe(section)
                    + " has no contents in the file (it is NOBITS or NULL); read a PROGBITS section instead");
        }
        return Arrays.copyOfRange(bytes, (int) section.offset(), (int) (section.offset() + section.size()));
    }

    /** The raw contents of the section called {@code name}, if there is one. */
    public Optional<byte[]> contents(String sectionName) {
        return section(sectionName).map(this::contents);
    }

    /** The {@code .modinfo} section, if this is a kernel module. */
    public Optional<ModuleInfo> moduleInfo() {
        return contents(".modinfo").map(ModuleInfo::parse);
    }

    /** The symbol table, empty when the file has none (e.g. a stripped executable). Index 0 is the null symbol. */
    public List<ElfSymbol> symbols() {
        return symbols;
    }

    /** Every symbol called {@code name} (locals of different translation units may share a name). */
    public List<ElfSymbol> symbols(String name) {
        return symbols.stream().filter(s -> s.name().equals(name)).toList();
    }

    /** Symbols the object needs from elsewhere: {@code st_shndx == SHN_UNDEF}, without the null symbol. */
    public List<ElfSymbol> undefinedSymbols() {
        return symbols.stream().filter(ElfSymbol::isUndefined).toList();
    }

    /**
     * The relocations ({@code SHT_RELA} entries) that apply to {@code section}, in file order; empty when none do.
     * Entries whose symbol index lies outside the symbol table are a corrupt file.
     */
    public List<ElfRelocation> relocations(ElfSection section) {
        List<ElfRelocation> out = new ArrayList<>();
        for (ElfSection rela : sections) {
            if (rela.type() != ElfSection.SHT_RELA || rela.info() != section.index() || section.index() == 0) {
                continue;
            }
            if (rela.entrySize() != 24) {
                throw corrupt(rela.name() + " entry size " + rela.entrySize() + ", expected 24");
            }
            for (long at = rela.offset(); at + 24 <= rela.offset() + rela.size(); at += 24) {
                long info = data.getLong((int) at + 8);
                int symbol = (int) (info >>> 32);
                if (symbol >= symbols.size()) {
                    throw corrupt(rela.name() + " refers to symbol " + symbol + " of " + symbols.size());
                }
                out.add(new ElfRelocation(data.getLong((int) at), (int) info, symbols.get(symbol),
                        data.getLong((int) at + 16)));
            }
        }
        return out;
    }

    /** The {@code SHT_SYMTAB} section, if any. */
    public Optional<ElfSection> symbolTable() {
        return sections.stream().filter(s -> s.type() == ElfSection.SHT_SYMTAB).findFirst();
    }

    /** The name of section {@code index}, or a placeholder for special indices such as {@code SHN_ABS}. */
    public String sectionName(int index) {
        if (index == ElfSymbol.SHN_UNDEF) {
            return "UND";
        }
        if (index == ElfSymbol.SHN_ABS) {
            return "ABS";
        }
        if (index == ElfSymbol.SHN_COMMON) {
            return "COMMON";
        }
        return index < sections.size() ? sections.get(index).name() : "#" + index;
    }

    @Override
    public String toString() {
        return "ElfObject[" + origin + "]";
    }

    private void checkIdentification() {
        if (bytes.length < ELF_HEADER_SIZE
                || bytes[0] != 0x7f || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F') {
            throw new ElfException(origin + " is not an ELF file (no \\x7fELF magic); pass a .o, .ko or vmlinux");
        }
        if (bytes[4] != 2) {
            throw new ElfException(origin + " is a 32-bit ELF file; only ELF64 (x86-64 kernels and modules) is supported");
        }
        if (bytes[5] != 1) {
            throw new ElfException(origin + " is a big-endian ELF file; only little-endian (x86-64) is supported");
        }
        if (bytes[6] != 1) {
            throw new ElfException(origin + " has unknown ELF version " + bytes[6] + "; expected 1");
        }
    }

    private List<ElfSection> readSections() {
        long tableOffset = data.getLong(40);
        int entrySize = Short.toUnsignedInt(data.getShort(58));
        int count = Short.toUnsignedInt(data.getShort(60));
        int namesIndex = Short.toUnsignedInt(data.getShort(62));
        if (tableOffset == 0) {
            return List.of();
        }
        if (entrySize != SECTION_HEADER_SIZE) {
            throw corrupt("section header entry size " + entrySize + ", expected " + SECTION_HEADER_SIZE);
        }
        // Files with many sections keep the real count and name-table index in section 0.
        checkRange(tableOffset, SECTION_HEADER_SIZE, "section header table");
        if (count == 0) {
            count = Math.toIntExact(data.getLong((int) tableOffset + 32));
        }
        if (namesIndex == ElfSymbol.SHN_XINDEX) {
            namesIndex = data.getInt((int) tableOffset + 40);
        }
        checkRange(tableOffset, (long) count * SECTION_HEADER_SIZE, "section header table");

        List<RawSection> raw = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int at = (int) tableOffset + i * SECTION_HEADER_SIZE;
            RawSection s = new RawSection(data.getInt(at), data.getInt(at + 4), data.getLong(at + 8),
                    data.getLong(at + 16), data.getLong(at + 24), data.getLong(at + 32), data.getInt(at + 40),
                    data.getInt(at + 44), data.getLong(at + 48), data.getLong(at + 56));
            if (s.type != ElfSection.SHT_NOBITS && s.type != ElfSection.SHT_NULL) {
                checkRange(s.offset, s.size, "section " + i);
            }
            raw.add(s);
        }
        if (namesIndex >= count) {
            throw corrupt("section-name table index " + namesIndex + " is beyond the " + count + " sections");
        }
        RawSection names = raw.get(namesIndex);
        List<ElfSection> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            RawSection s = raw.get(i);
            String name = i == 0 ? "" : string(names, Integer.toUnsignedLong(s.nameOffset), "section " + i + " name");
            out.add(new ElfSection(i, name, s.type, s.flags, s.address, s.offset, s.size, s.link, s.info,
                    s.alignment, s.entrySize));
        }
        return List.copyOf(out);
    }

    private List<ElfSymbol> readSymbols() {
        Optional<ElfSection> table = symbolTable();
        if (table.isEmpty()) {
            return List.of();
        }
        ElfSection symtab = table.get();
        if (symtab.entrySize() != SYMBOL_SIZE) {
            throw corrupt(".symtab entry size " + symtab.entrySize() + ", expected " + SYMBOL_SIZE);
        }
        if (symtab.link() <= 0 || symtab.link() >= sections.size()) {
            throw corrupt(".symtab links to string table " + symtab.link() + ", which does not exist");
        }
        ElfSection strtab = sections.get(symtab.link());
        Optional<ElfSection> extendedIndices = sections.stream()
                .filter(s -> s.type() == ElfSection.SHT_SYMTAB_SHNDX && s.link() == symtab.index())
                .findFirst();
        int count = (int) (symtab.size() / SYMBOL_SIZE);
        if (extendedIndices.isPresent() && extendedIndices.get().size() < 4L * count) {
            throw corrupt("the extended section index table is shorter than the symbol table");
        }
        List<ElfSymbol> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int at = (int) symtab.offset() + i * SYMBOL_SIZE;
            int nameOffset = data.getInt(at);
            int info = Byte.toUnsignedInt(data.get(at + 4));
            int other = Byte.toUnsignedInt(data.get(at + 5));
            int sectionIndex = Short.toUnsignedInt(data.getShort(at + 6));
            if (sectionIndex == ElfSymbol.SHN_XINDEX && extendedIndices.isPresent()) {
                sectionIndex = data.getInt((int) extendedIndices.get().offset() + 4 * i);
            }
            String name = string(toRaw(strtab), Integer.toUnsignedLong(nameOffset), "symbol " + i + " name");
            out.add(new ElfSymbol(i, name, data.getLong(at + 8), data.getLong(at + 16), info, other, sectionIndex));
        }
        return List.copyOf(out);
    }

    /** The file offset of symbol {@code index}'s entry, for in-place rewriting. */
    int symbolEntryOffset(ElfSymbol symbol) {
        return (int) symbolTable().orElseThrow().offset() + symbol.index() * SYMBOL_SIZE;
    }

    private String string(RawSection table, long offset, String what) {
        if (offset < 0 || offset >= table.size || table.offset + offset >= bytes.length) {
            throw corrupt(what + " at string offset " + offset + " lies outside its string table");
        }
        int start = (int) (table.offset + offset);
        int end = start;
        long limit = Math.min(bytes.length, table.offset + table.size);
        while (end < limit && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, start, end - start, StandardCharsets.UTF_8);
    }

    private void checkRange(long offset, long size, String what) {
        if (offset < 0 || size < 0 || offset + size > bytes.length) {
            throw corrupt(what + " (offset " + offset + ", size " + size + ") extends past the end of the "
                    + bytes.length + "-byte file");
        }
    }

    private ElfException corrupt(String problem) {
        return new ElfException(origin + " is truncated or corrupt: " + problem
                + "; rebuild it or check that the file was copied completely");
    }

    private static String describe(ElfSection s) {
        return s.name().isEmpty() ? "#" + s.index() : s.name();
    }

    private static RawSection toRaw(ElfSection s) {
        return new RawSection(0, s.type(), s.flags(), s.address(), s.offset(), s.size(), s.link(), s.info(),
                s.alignment(), s.entrySize());
    }

    private record RawSection(int nameOffset, int type, long flags, long address, long offset, long size, int link,
            int info, long alignment, long entrySize) {}
}
