package dynamos.analysis;

/**
 * What a compiler-made symbol is, by the suffix GCC gives it. Only the original and the copies that are
 * entered by a call ({@link #PART}, {@link #CLONE}) are functions of their own; a {@link #COLD} part is
 * reached only by jumps from its function, and an {@link #ALIAS} is a second name for one function.
 */
public enum PartKind {
    /** A function as its source names it. */
    ORIGINAL("function"),
    /** {@code fn.cold}: the unlikely blocks of {@code fn}, moved to {@code .text.unlikely}. */
    COLD("cold part"),
    /** {@code fn.part.N}: the out-of-line rest of a partially inlined {@code fn}; callers hold its head. */
    PART("partial-inlining part"),
    /** {@code fn.isra.N}, {@code fn.constprop.N}: a copy with fewer or changed parameters. */
    CLONE("specialised copy"),
    /** {@code fn.localalias}: a second symbol at {@code fn}'s address. */
    ALIAS("alias"),
    /** Another suffix after a dot, e.g. {@code .lto_priv.0}. */
    OTHER("suffixed symbol");

    public final String description;

    PartKind(String description) {
        this.description = description;
    }

    /** Whether calls enter this symbol (it is a function of its own, not a piece of one or a second name). */
    public boolean isEntry() {
        return this == ORIGINAL || this == PART || this == CLONE || this == OTHER;
    }
}
