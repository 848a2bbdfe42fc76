package dynamos.ui;

import java.io.PrintWriter;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The Control Center's state-changing operations, run as the {@code dynamos} commands they are (apply,
 * revert, activate, activate-group, state, rule): the same code path, the same checks and the same
 * messages as on the command line. One runs at a time; each line a command prints is passed on as it is
 * printed (the apply steps as they happen).
 */
public final class Operations {
    /** Runs one {@code dynamos} command line with its output to {@code out} and {@code err}; returns its exit status. */
    @FunctionalInterface
    public interface CommandRunner {
        int run(List<String> args, PrintWriter out, PrintWriter err);
    }

    /** One printed line of operation {@code id}; {@code stream} is "out" or "err". */
    public record Line(int id, String stream, String text) {}

    /** An operation done: its command line, exit status and everything it printed. */
    public record Done(int id, String command, int status, List<String> out, List<String> err) {
        public boolean ok() {
            return status == 0;
        }
    }

    /** What listeners hear: an operation started, printed a line, or ended. */
    public sealed interface Event permits Started, Printed, Ended {}

    public record Started(int id, String command) implements Event {}

    public record Printed(Line line) implements Event {}

    public record Ended(Done done) implements Event {}

    private final CommandRunner runner;
    private final Consumer<Event> listener;
    private final ReentrantLock oneAtATime = new ReentrantLock(true);
    private final AtomicInteger ids = new AtomicInteger();

    public Operations(CommandRunner runner, Consumer<Event> listener) {
        this.runner = runner;
        this.listener = listener;
    }

    /**
     * Runs {@code dynamos ARGS...} after the operation before it has ended and returns how it went. Values
     * from the page go in through {@link #value}.
     */
    public Done run(List<String> args) {
        int id = ids.incrementAndGet();
        String command = "dynamos " + String.join(" ", args);
        oneAtATime.lock();
        try {
            listener.accept(new Started(id, command));
            List<String> out = new ArrayList<>();
            List<String> err = new ArrayList<>();
            int status;
            try (PrintWriter o = new PrintWriter(new LineWriter(t -> line(id, "out", t, out)), true);
                 PrintWriter e = new PrintWriter(new LineWriter(t -> line(id, "err", t, err)), true)) {
                try {
                    status = runner.run(args, o, e);
                } catch (RuntimeException bug) {
                    // An unexpected exception is a bug of the command; the page reports it as the CLI would.
                    e.println("dynamos: " + bug);
                    status = 1;
                }
            }
            Done done = new Done(id, command, status, out, err);
            listener.accept(new Ended(done));
            return done;
        } finally {
            oneAtATime.unlock();
        }
    }

    private void line(int id, String stream, String text, List<String> into) {
        into.add(text);
        listener.accept(new Printed(new Line(id, stream, text)));
    }

    /**
     * A value from the page for a command line, as it is.
     *
     * @throws IllegalArgumentException if it is missing or empty, or could be taken for an option or an
     *                                  argument file ({@code -...}, {@code @...}): the page sends values, never options
     */
    public static String value(String what, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " is missing; fill in the field");
        }
        if (value.startsWith("-") || value.startsWith("@")) {
            throw new IllegalArgumentException(what + " '" + value + "' may not start with '-' or '@'");
        }
        return value;
    }

    /** A writer that hands on each complete line (without its line end), and the rest on close. */
    static final class LineWriter extends Writer {
        private final Consumer<String> sink;
        private final StringBuilder pending = new StringBuilder();

        LineWriter(Consumer<String> sink) {
            this.sink = sink;
        }

        @Override
        public synchronized void write(char[] buf, int off, int len) {
            for (int i = off; i < off + len; i++) {
                char c = buf[i];
                if (c == '\n') {
                    int end = pending.length();
                    if (end > 0 && pending.charAt(end - 1) == '\r') {
                        pending.setLength(end - 1);
                    }
                    sink.accept(pending.toString());
                    pending.setLength(0);
                } else {
                    pending.append(c);
                }
            }
        }

        @Override
        public void flush() {}

        @Override
        public synchronized void close() {
            if (!pending.isEmpty()) {
                sink.accept(pending.toString());
                pending.setLength(0);
            }
        }
    }
}
