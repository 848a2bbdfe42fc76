package dynamos.elf;

/**
 * One {@code Elf64_Rela} entry of a relocatable object, with its symbol resolved.
 *
 * @param offset where the field to patch is, from the start of the section it applies to
 * @param type {@code R_X86_64_*}
 * @param symbol the symbol the field refers to (a section symbol for most references to local data and strings)
 * @param addend the constant added to the symbol's value
 */
public record ElfRelocation(long offset, int type, ElfSymbol symbol, long addend) {
    public static final int R_X86_64_NONE = 0;
    public static final int R_X86_64_64 = 1;
    public static final int R_X86_64_PC32 = 2;
    public static final int R_X86_64_GOT32 = 3;
    public static final int R_X86_64_PLT32 = 4;
    public static final int R_X86_64_GOTPCREL = 9;
    public static final int R_X86_64_32 = 10;
    public static final int R_X86_64_32S = 11;
    public static final int R_X86_64_16 = 12;
    public static final int R_X86_64_PC16 = 13;
    public static final int R_X86_64_8 = 14;
    public static final int R_X86_64_PC8 = 15;
    public static final int R_X86_64_PC64 = 24;
    public static final int R_X86_64_GOTPCRELX = 41;
    public static final int R_X86_64_REX_GOTPCRELX = 42;

    /** How many bytes the field patched by {@code type} has (0 for {@code R_X86_64_NONE}); 4 for types not listed. */
    public static int fieldSize(int type) {
        return switch (type) {
            case R_X86_64_NONE -> 0;
            case R_X86_64_64, R_X86_64_PC64 -> 8;
            case R_X86_64_16, R_X86_64_PC16 -> 2;
            case R_X86_64_8, R_X86_64_PC8 -> 1;
            default -> 4;
        };
    }

    /** The size of the field this relocation patches. */
    public int fieldSize() {
        return fieldSize(type);
    }

    /** Whether the field holds an address relative to its own position ({@code S + A - P}). */
    public boolean pcRelative() {
        return switch (type) {
            case R_X86_64_PC32, R_X86_64_PLT32, R_X86_64_PC16, R_X86_64_PC8, R_X86_64_PC64, R_X86_64_GOTPCREL,
                    R_X86_64_GOTPCRELX, R_X86_64_REX_GOTPCRELX -> true;
            default -> false;
        };
    }
}
