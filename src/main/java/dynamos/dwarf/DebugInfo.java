package dynamos.dwarf;

import java.util.List;

/**
 * What {@link DwarfReader} extracts from an ELF file's DWARF: its out-of-line functions and the
 * inlined copies of functions inside them.
 *
 * @param functions every concrete function (a {@code DW_TAG_subprogram} with code: {@code DW_AT_low_pc}
 *     or {@code DW_AT_ranges}), in the order of {@code .debug_info}
 * @param inlined every (inlined function, function holding its copy) pair once, with how many copies
 * @param units compilation units read
 * @param dies debugging information entries read
 * @param textAddress the address of the file's {@code .text} section ({@code _text} of a vmlinux; 0 in a
 *     relocatable file, whose addresses are offsets in their section; -1 when it has none)
 */
public record DebugInfo(List<Function> functions, List<InlinedCopy> inlined, int units, long dies, long textAddress) {
    public DebugInfo {
        functions = List.copyOf(functions);
        inlined = List.copyOf(inlined);
    }

    /**
     * One concrete function.
     *
     * @param name its source name (through {@code DW_AT_abstract_origin} / {@code DW_AT_specification});
     *     GCC's copies ({@code .isra.0}, {@code .constprop.0}) carry the name of the function they copy
     * @param file the file that declares it ({@code DW_AT_decl_file}), "" when unknown
     * @param unit the compilation unit's source file ({@code DW_AT_name} of the unit)
     * @param entry its address: {@code DW_AT_low_pc}, else the start of its first range (the entry: GCC
     *     lists the hot part first); in a relocatable file, the offset in its section
     * @param ranges how many address ranges it has (2 or more: split into hot and cold parts)
     */
    public record Function(String name, String file, String unit, long entry, int ranges) {}

    /**
     * Copies of {@code name} inlined into one function.
     *
     * @param name the inlined function's name
     * @param file the file that declares it, "" when unknown
     * @param holder the index in {@link DebugInfo#functions} of the function whose code holds the copies
     * @param copies how many {@code DW_TAG_inlined_subroutine} entries of it that function has
     */
    public record InlinedCopy(String name, String file, int holder, int copies) {}
}
