package dynamos.top;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The controlling terminal of a full-screen view: raw keys (no echo, no line buffering; Ctrl-C still
 * interrupts), the alternate screen with the cursor hidden, the size, and everything put back on
 * {@link #restore} — which also runs at JVM exit, so Ctrl-C and errors leave the terminal as it was.
 * The settings go through {@code stty} on {@code /dev/tty}.
 */
public final class Terminal implements Screen, AutoCloseable {
    static final File TTY = new File("/dev/tty");

    /** Alternate screen on, cursor hidden, screen cleared. */
    static final String ENTER = "\033[?1049h\033[?25l\033[H\033[2J";
    /** Cursor shown, attributes reset, alternate screen off (the shell's screen comes back). */
    static final String LEAVE = "\033[0m\033[?25h\033[?1049l";

    private final PrintWriter out;
    private final String saved;
    private final AtomicBoolean restored = new AtomicBoolean();
    private final BlockingQueue<Integer> keys = new LinkedBlockingQueue<>();
    private final Thread hook;

    private Terminal(PrintWriter out, String saved) {
        this.out = out;
        this.saved = saved;
        this.hook = new Thread(this::restore, "dynamos-top-restore");
    }

    /**
     * Takes over the terminal: saves its settings, makes keys raw, switches to the alternate screen and
     * starts reading keys. {@code out} writes to that terminal.
     */
    public static Terminal open(PrintWriter out) {
        String saved = stty("-g").trim();
        Terminal t = new Terminal(out, saved);
        Runtime.getRuntime().addShutdownHook(t.hook);
        try {
            stty("-icanon", "-echo", "min", "1", "time", "0");
            out.print(ENTER);
            out.flush();
            Thread reader = new Thread(t::readKeys, "dynamos-top-keys");
            reader.setDaemon(true);
            reader.start();
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    /** The terminal's size as {@code {rows, columns}}; 24 by 80 when it does not say. */
    @Override
    public int[] size() {
        try {
            String[] words = stty("size").trim().split("\\s+");
            int rows = Integer.parseInt(words[0]);
            int cols = Integer.parseInt(words[1]);
            if (rows > 0 && cols > 0) {
                return new int[] {rows, cols};
            }
        } catch (RuntimeException e) {
            // A terminal that does not know its size: the classic one.
        }
        return new int[] {24, 80};
    }

    /** The next key typed, waiting up to {@code millis}; null when none was. */
    @Override
    public Integer key(long millis) {
        try {
            return keys.poll(Math.max(0, millis), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return (int) 'q';
        }
    }

    /** Draws {@code frame} over the previous one, headings in reverse video across {@code width} columns. */
    @Override
    public void draw(TopScreen.Frame frame, int width) {
        out.print(screen(frame, width));
        out.flush();
    }

    /** The escape sequences and text that draw {@code frame} from the top left corner. */
    static String screen(TopScreen.Frame frame, int width) {
        StringBuilder b = new StringBuilder("\033[H");
        List<String> lines = frame.lines();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (frame.headings().contains(i)) {
                b.append("\033[7m").append(line).append(" ".repeat(Math.max(0, width - Table.length(line))))
                        .append("\033[0m");
            } else {
                b.append(line).append("\033[K");
            }
            if (i < lines.size() - 1) {
                b.append("\r\n");
            }
        }
        return b.append("\033[J").toString();
    }

    /** Puts the terminal back as it was: settings, cursor, screen. Safe to call more than once. */
    public void restore() {
        if (!restored.compareAndSet(false, true)) {
            return;
        }
        out.print(LEAVE);
        out.flush();
        try {
            stty(saved);
        } catch (RuntimeException e) {
            // Last resort, so that the shell stays usable.
            try {
                stty("sane");
            } catch (RuntimeException ignored) {
                // Nothing more to do: the terminal is gone.
            }
        }
    }

    @Override
    public void close() {
        restore();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook runs (and does nothing, restored).
        }
    }

    private void readKeys() {
        try (InputStream in = new FileInputStream(TTY)) {
            int c;
            while (!restored.get() && (c = in.read()) >= 0) {
                keys.add(c);
            }
        } catch (IOException e) {
            // The terminal went away: quit.
        }
        keys.add((int) 'q');
    }

    /** Runs {@code stty ARGS} on /dev/tty and returns what it printed; fails with stty's message. */
    static String stty(String... args) {
        List<String> command = new ArrayList<>(List.of("stty"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectInput(TTY).start();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            byte[] outBytes;
            try (InputStream stdout = p.getInputStream(); InputStream stderr = p.getErrorStream()) {
                outBytes = stdout.readAllBytes();
                stderr.transferTo(err);
            }
            int status = p.waitFor();
            if (status != 0) {
                throw new UncheckedIOException(new IOException("stty " + String.join(" ", args) + " failed ("
                        + status + "): " + err.toString(StandardCharsets.UTF_8).trim()));
            }
            return new String(outBytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run stty on /dev/tty (is there a terminal?): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted while running stty"));
        }
    }
}
