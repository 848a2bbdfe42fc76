package dynamos.analysis;

import java.util.List;

/**
 * The verdict on one text symbol.
 *
 * @param symbol the symbol
 * @param category its top-level category
 * @param reason why it has no ftrace site ({@link Category#THROUGH_CALLERS} and
 *     {@link Category#NOT_UPDATABLE}); null otherwise
 * @param parent for a part or an alias, the key of the function it belongs to (null if that is not in the text)
 * @param parts keys of the symbols that belong to it: cold parts, aliases
 * @param copies keys of the compiler's copies of the same source function: {@code .part.N},
 *     {@code .isra.N}, {@code .constprop.N}
 * @param callers for {@link Category#THROUGH_CALLERS}, the callers to update instead
 * @param btfRecord whether the kernel's BTF records a C function of its source name
 */
public record Classification(TextSymbol symbol, Category category, Reason reason, String parent, List<String> parts,
        List<String> copies, List<String> callers, boolean btfRecord) {
    public Classification {
        parts = List.copyOf(parts);
        copies = List.copyOf(copies);
        callers = List.copyOf(callers);
    }

    public String key() {
        return symbol.key();
    }

    /** A compiler-made copy with a calling convention of its own: a version of it cannot be written in C as is. */
    public boolean compilerCopy() {
        return symbol.name().kind() == PartKind.CLONE || symbol.name().kind() == PartKind.PART;
    }
}
