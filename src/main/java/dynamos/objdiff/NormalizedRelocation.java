package dynamos.objdiff;

/**
 * A relocation as the comparison sees it: where it is in its function or data object, its type, what it refers to
 * as a name or content rather than a section offset, and the rest of its addend.
 *
 * @param offset from the start of the function piece or data object
 * @param type {@code R_X86_64_*}
 * @param target a symbol's name ({@code printk}; numbered statics by their matching key), a string's contents
 *     ({@code "hello\n"}), a constant's bytes ({@code const:0a00...}), or, when nothing better is known, section and
 *     offset
 * @param delta how far into the target the reference points
 * @param residual the part of the addend that does not select the target: {@code -4} for the usual PC-relative
 *     field that ends its instruction, the addend itself for a named symbol
 * @param symbol the symbol the reference resolves to (name in its object), or null for strings and constants
 */
record NormalizedRelocation(long offset, int type, String target, long delta, long residual, String symbol) {
    /** The fields two versions must share for the reference to be the same. */
    String comparable() {
        return offset + ":" + type + ":" + target + "+" + delta + "/" + residual;
    }
}
