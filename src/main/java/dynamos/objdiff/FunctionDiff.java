package dynamos.objdiff;

import java.util.List;

/**
 * One function of the translation unit, with the pieces GCC split off it ({@code .cold}, {@code .part.N},
 * {@code .isra.N}, {@code .constprop.N}), compared as one.
 *
 * @param name the function's name without GCC's suffixes (the source name)
 * @param status what the patch did to it
 * @param pieces the symbols that hold its code (after the patch, or before if it is gone), e.g.
 *     {@code [show, show.cold]}
 * @param section the section of its main piece, e.g. {@code .text.show}
 * @param local whether it is static
 * @param init whether it is {@code __init} code (in an {@code .init.} section)
 * @param references what its code after the patch refers to (empty for a function gone after the patch): a changed
 *     function's, to bind, and an unchanged one's, for when it must be carried because a function it calls cannot
 *     be redirected
 * @param differences why it is not unchanged, one line each (empty when unchanged)
 */
public record FunctionDiff(String name, Status status, List<String> pieces, String section, boolean local,
        boolean init, List<Reference> references, List<String> differences) {
    public FunctionDiff {
        pieces = List.copyOf(pieces);
        references = List.copyOf(references);
        differences = List.copyOf(differences);
    }
}
