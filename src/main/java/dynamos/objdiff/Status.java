package dynamos.objdiff;

/** What happened to one function or data object between the object before a patch and the one after. */
public enum Status {
    /** Same code or data, relocations included (targets compared by name or content). */
    UNCHANGED,
    /**
     * Differs only in source line numbers: in {@code __bug_table} entries, or as the line argument passed to a
     * known debug helper (see {@link LineNumberRule}). Nothing to replace.
     */
    LINE_NUMBERS_ONLY,
    CHANGED,
    /** Only in the object after the patch. */
    NEW,
    /** Only in the object before the patch (a global, or a static data object). */
    REMOVED,
    /**
     * A static function that had an out-of-line copy before the patch and has none after: it was deleted, or the
     * compiler now inlines it into every caller. The object cannot tell which; either way the callers that now hold
     * its code differ by themselves and are reported {@link #CHANGED}.
     */
    NO_OUT_OF_LINE_COPY
}
