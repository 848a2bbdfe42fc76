package dynamos.elf;

/**
 * One section header of an ELF64 file, with its name resolved from the section-name string table.
 *
 * @param index position in the section header table (0 is the null section)
 * @param offset where the contents start in the file
 * @param size size in bytes (in the file, unless the type is {@link #SHT_NOBITS})
 */
public record ElfSection(
        int index,
        String name,
        int type,
        long flags,
        long address,
        long offset,
        long size,
        int link,
        int info,
        long alignment,
        long entrySize) {

    public static final int SHT_NULL = 0;
    public static final int SHT_PROGBITS = 1;
    public static final int SHT_SYMTAB = 2;
    public static final int SHT_STRTAB = 3;
    public static final int SHT_RELA = 4;
    public static final int SHT_NOBITS = 8;
    public static final int SHT_REL = 9;
    public static final int SHT_SYMTAB_SHNDX = 18;

    /** Whether the section occupies bytes in the file (NOBITS sections such as .bss do not). */
    public boolean hasFileContents() {
        return type != SHT_NOBITS && type != SHT_NULL;
    }
}
