package dynamos.analysis;

/**
 * The top-level answer for one text symbol: every symbol of the kernel's text is in exactly one.
 * {@link #DIRECT} and {@link #THROUGH_CALLERS} are the updatable ones.
 */
public enum Category {
    DIRECT("updatable directly", "has an ftrace site: DynAMOS redirects its calls"),
    THROUGH_CALLERS("updatable through its callers",
            "no ftrace site, but every caller is updatable: replace the callers with versions that call the new code"),
    NOT_UPDATABLE("not updatable", "no ftrace site, and its callers do not cover it (or were not analysed)"),
    PART_OF_ANOTHER("part of another function", "a cold part or an alias: updated with the function it belongs to"),
    FREED_AFTER_BOOT("freed after boot", "init text: it ran during boot and is gone"),
    NOT_A_FUNCTION("not a function", "a marker of the linker script");

    public final String label;
    public final String description;

    Category(String label, String description) {
        this.label = label;
        this.description = description;
    }

    public boolean updatable() {
        return this == DIRECT || this == THROUGH_CALLERS;
    }

    /** Whether the symbol is a function of the running kernel (counted in the goal's denominator). */
    public boolean liveFunction() {
        return this == DIRECT || this == THROUGH_CALLERS || this == NOT_UPDATABLE;
    }
}
