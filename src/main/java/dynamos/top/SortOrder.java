package dynamos.top;

/** What {@code dynamos top} sorts its rows by; the {@code s} key cycles through them in this order. */
public enum SortOrder {
    /** Calls per second, busiest first (updates: all versions together). */
    CALLS("calls/s", true),
    /** Update name and id, or the monitored function's name, A to Z. */
    NAME("name", false),
    /** Tasks still running an inactive version, most first (monitors: missed calls). */
    BUSY("busy", true);

    private final String label;
    private final boolean descending;

    SortOrder(String label, boolean descending) {
        this.label = label;
        this.descending = descending;
    }

    /** How the screen names it. */
    public String label() {
        return label;
    }

    /** Whether the natural order (not reversed) puts the largest first. */
    public boolean descending() {
        return descending;
    }

    /** The order after this one. */
    public SortOrder next() {
        return values()[(ordinal() + 1) % values().length];
    }
}
