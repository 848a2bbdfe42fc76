package dynamos.host;

import java.io.PrintStream;

/**
 * Progress messages for steps that take seconds. They go to stderr so that stdout stays clean for
 * results and {@code --json}; {@code DYNAMOS_QUIET=1} silences them.
 */
public final class Progress {
    private static final boolean QUIET = "1".equals(System.getenv("DYNAMOS_QUIET"));
    private static volatile PrintStream out = System.err;

    private Progress() {}

    public static void step(String message) {
        if (!QUIET) {
            out.println("==> " + message);
            out.flush();
        }
    }

    public static void detail(String message) {
        if (!QUIET) {
            out.println("    " + message);
            out.flush();
        }
    }

    /** Where streamed tool output (apt, make) goes: stderr, or nowhere when quiet. */
    public static PrintStream sink() {
        return QUIET ? new PrintStream(java.io.OutputStream.nullOutputStream()) : out;
    }
}
