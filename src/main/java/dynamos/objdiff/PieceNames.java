package dynamos.objdiff;

import java.util.regex.Pattern;

/**
 * GCC's names for the pieces it makes of a function: {@code fn.cold} (its unlikely part, in
 * {@code .text.unlikely.fn}), {@code fn.part.N} (a partially inlined remainder), {@code fn.isra.N} (arguments
 * replaced by their parts), {@code fn.constprop.N} (a constant argument propagated), and their combinations
 * ({@code fn.constprop.0.isra.0.cold}). They all belong to {@code fn}.
 */
final class PieceNames {
    private static final Pattern SUFFIX = Pattern.compile("\\.(cold(\\.\\d+)?|part\\.\\d+|isra\\.\\d+|constprop\\.\\d+"
            + "|lto_priv\\.\\d+|localalias)(?=\\.|$)");

    private PieceNames() {}

    /** The function a piece belongs to: {@code fn} for {@code fn.part.0.cold}; the name itself otherwise. */
    static String parent(String name) {
        var m = SUFFIX.matcher(name);
        return m.find() && m.start() > 0 ? name.substring(0, m.start()) : name;
    }

    /** Whether {@code name} is a piece split off another function. */
    static boolean isPiece(String name) {
        return !parent(name).equals(name);
    }
}
