package dynamos.top;

/** What the refresh loop needs of a terminal: its size, the keys typed, drawing a frame. */
public interface Screen {
    /** The size as {@code {rows, columns}}. */
    int[] size();

    /** The next key typed, waiting up to {@code millis}; null when none was. */
    Integer key(long millis);

    /** Draws {@code frame} over the previous one, {@code width} columns wide. */
    void draw(TopScreen.Frame frame, int width);
}
