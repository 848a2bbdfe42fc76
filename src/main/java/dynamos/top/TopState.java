package dynamos.top;

/**
 * What the keys of {@code dynamos top} change: the sort column, its direction, whether the view is paused,
 * whether the help is shown, and whether to quit.
 */
public record TopState(SortOrder sort, boolean reversed, boolean paused, boolean help, boolean quit) {
    /** As {@code dynamos top} starts: busiest first. */
    public static final TopState INITIAL = new TopState(SortOrder.CALLS, false, false, false, false);

    /** The keys and what they do, for the bottom line. */
    public static final String KEYS = "q quit  s sort  r reverse  p pause  h help";

    /**
     * The state after key {@code key} (a character as read from the terminal); unknown keys change nothing.
     * {@code q} (and Ctrl-D) quits, {@code s} cycles the sort column, {@code r} reverses it, {@code p}
     * pauses or resumes, {@code h} and {@code ?} show or hide the help.
     */
    public TopState onKey(int key) {
        return switch (key) {
            case 'q', 'Q', 4 -> new TopState(sort, reversed, paused, help, true);
            case 's', 'S' -> new TopState(sort.next(), false, paused, help, quit);
            case 'r', 'R' -> new TopState(sort, !reversed, paused, help, quit);
            case 'p', 'P', ' ' -> new TopState(sort, reversed, !paused, help, quit);
            case 'h', 'H', '?' -> new TopState(sort, reversed, paused, !help, quit);
            default -> this;
        };
    }

    /** Whether the largest value comes first. */
    public boolean largestFirst() {
        return sort.descending() != reversed;
    }
}
