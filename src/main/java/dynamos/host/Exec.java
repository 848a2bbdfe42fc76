package dynamos.host;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs host programs: captured (for parsing) or streamed (for progress the user should see). */
public final class Exec {
    private Exec() {}

    /** What a finished program left behind. */
    public record Result(List<String> command, int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** Throws a {@link HostException} naming the command and the tail of its output unless it succeeded. */
        public Result orThrow(String what) {
            if (!ok()) {
                throw new HostException(what + " failed (exit " + exitCode + "): " + String.join(" ", command)
                        + tail(output, 15));
            }
            return this;
        }
    }

    /** Runs a program with stdout and stderr merged into the returned text. */
    public static Result capture(List<String> command) {
        return capture(command, null, Map.of());
    }

    public static Result capture(List<String> command, Path dir, Map<String, String> env) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        try {
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            int rc = p.waitFor();
            return new Result(List.copyOf(command), rc, new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new HostException("cannot run " + command.getFirst() + ": " + e.getMessage()
                    + " (is it installed and on PATH?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HostException("interrupted while running " + String.join(" ", command), e);
        }
    }

    /**
     * Runs a program with its output copied line by line to {@code sink} as it comes, and also kept
     * (the tail is what an error message shows).
     */
    public static Result stream(List<String> command, Path dir, Map<String, String> env, OutputStream sink) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        try {
            Process p = pb.start();
            ByteArrayOutputStream kept = new ByteArrayOutputStream();
            copy(p.getInputStream(), sink, kept);
            int rc = p.waitFor();
            return new Result(List.copyOf(command), rc, kept.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new HostException("cannot run " + command.getFirst() + ": " + e.getMessage()
                    + " (is it installed and on PATH?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HostException("interrupted while running " + String.join(" ", command), e);
        }
    }

    /** Copies {@code in} to {@code sink} (flushed per read) and to {@code kept}. */
    static void copy(InputStream in, OutputStream sink, OutputStream kept) throws IOException {
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) > 0) {
            if (sink != null) {
                sink.write(buf, 0, n);
                sink.flush();
            }
            kept.write(buf, 0, n);
        }
    }

    /** The last {@code lines} lines of {@code text}, indented, for error messages. */
    public static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        List<String> last = new ArrayList<>(all.subList(Math.max(0, all.size() - lines), all.size()));
        if (last.isEmpty()) {
            return "";
        }
        return "\n    " + String.join("\n    ", last);
    }
}
