package dynamos.elf;

/**
 * One entry of the symbol table ({@code .symtab}).
 *
 * @param index position in the symbol table; relocations refer to symbols by this index
 * @param sectionIndex {@code st_shndx}, resolved through {@code SHT_SYMTAB_SHNDX} when it was
 *     {@code SHN_XINDEX}; {@link #SHN_UNDEF} for an undefined symbol, {@link #SHN_ABS} for an absolute one
 */
public record ElfSymbol(int index, String name, long value, long size, int info, int other, int sectionIndex) {

    public static final int SHN_UNDEF = 0;
    public static final int SHN_ABS = 0xfff1;
    public static final int SHN_COMMON = 0xfff2;
    public static final int SHN_XINDEX = 0xffff;

    public static final int STB_LOCAL = 0;
    public static final int STB_GLOBAL = 1;
    public static final int STB_WEAK = 2;

    public static final int STT_NOTYPE = 0;
    public static final int STT_OBJECT = 1;
    public static final int STT_FUNC = 2;
    public static final int STT_SECTION = 3;
    public static final int STT_FILE = 4;

    /** {@code STB_*}: local, global or weak. */
    public int binding() {
        return info >>> 4;
    }

    /** {@code STT_*}: no type, object, function, section, file. */
    public int type() {
        return info & 0xf;
    }

    /** An undefined symbol other than the null symbol at index 0: the module needs it from the kernel. */
    public boolean isUndefined() {
        return index != 0 && sectionIndex == SHN_UNDEF;
    }

    public boolean isAbsolute() {
        return sectionIndex == SHN_ABS;
    }
}
