package dynamos.top;

/**
 * The full-screen loop of {@code dynamos top}: a picture every interval (none while paused), the screen
 * redrawn at once after each key and at least every second, until {@code q}.
 */
public final class LiveTop {
    private final LiveSource source;
    private final TopScreen.Header header;
    private final long intervalMillis;

    public LiveTop(LiveSource source, TopScreen.Header header) {
        this.source = source;
        this.header = header;
        this.intervalMillis = Math.max(1, Math.round(header.interval() * 1000));
    }

    /** Runs on {@code terminal} until the user quits; returns the state at the end. */
    public TopState run(Screen terminal) {
        TopState state = TopState.INITIAL;
        LiveSource.Picture picture = null;
        long next = System.nanoTime();
        boolean first = true;
        while (!state.quit()) {
            long now = System.nanoTime();
            if (!state.paused() && now - next >= 0) {
                picture = source.next();
                // The first picture has no rates yet: the second comes sooner.
                next = now + (first ? Math.min(intervalMillis, 300) : intervalMillis) * 1_000_000;
                first = false;
            }
            int[] size = terminal.size();
            TopScreen.Header h = header.withProblem(picture == null ? null : picture.problem());
            terminal.draw(TopScreen.render(picture == null ? null : picture.view(), h, state, size[1], size[0]), size[1]);
            long wait = state.paused() ? 1000 : Math.min(1000, Math.max(0, (next - System.nanoTime()) / 1_000_000));
            Integer key = terminal.key(wait);
            if (key != null) {
                state = state.onKey(key);
            }
        }
        return state;
    }
}
