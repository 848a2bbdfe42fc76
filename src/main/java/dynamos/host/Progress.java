package dynamos.host;

import java.io.PrintStream;

/**
 * Progress messages for steps that take seconds. They go to stderr so that stdout stays clean for
 * results and {@code --json}; {@code DYNAMOS_QUIET=1} silences them.
 */
public final class Progress {
    private static final boolean QUIET = "1".equals(System.getenv("DYNAMOS_QUIET"));

    private Progress() {}

    public static void step(String message) {
        if (!QUIET) {
            System.err.println("==> " + message);
            System.err.flush();
        }
    }

    public static void detail(String message) {
        if (!QUIET) {
            System.err.println("    " + message);
            System.err.flush();
        }
    }

    /** Where streamed tool output (apt, make) goes: stderr, or nowhere when quiet. */
    public static PrintStream sink() {
        return QUIET ? new PrintStream(java.io.OutputStream.nullOutputStream()) : System.err;
    }
}
