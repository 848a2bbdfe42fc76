package dynamos.testing;

import dynamos.cli.Main;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs {@code dynamos} commands for guest test scripts in one long-lived JVM: under TCG a JVM start
 * takes seconds, and the end-to-end tests issue a hundred commands. Each command still goes through
 * {@link Main#execute}, the code path of the real command, with its own stdout, stderr and exit
 * status; {@code src/test/sh/dynamos-client} is the other end.
 *
 * <p>Protocol, in directory DIR (a tmpfs in the guest): the client writes its working directory,
 * the pid of a waiter process it started and the arguments, each followed by a NUL byte, into the
 * FIFO {@code DIR/request} and closes it; the server runs the command with stdout and stderr in the
 * files {@code DIR/stdout} and {@code DIR/stderr}, creates the file {@code DIR/status} with the exit
 * status and ends the waiter, which the client waits for. Clients take {@code DIR/lock} (flock)
 * around the exchange.
 */
public final class CommandServer {
    private CommandServer() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: CommandServer DIR");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        String cwd = Path.of("").toAbsolutePath().toString();
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        while (true) {
            List<String> request = fields(Files.readAllBytes(dir.resolve("request")));
            if (request.size() < 2) {
                continue; // opened and closed without a request
            }
            long waiter = Long.parseLong(request.get(1));
            int status;
            try (PrintStream out = new PrintStream(Files.newOutputStream(dir.resolve("stdout")), true, StandardCharsets.UTF_8);
                    PrintStream err = new PrintStream(Files.newOutputStream(dir.resolve("stderr")), true, StandardCharsets.UTF_8)) {
                System.setOut(out);
                System.setErr(err);
                try {
                    if (!request.getFirst().equals(cwd)) {
                        // Relative paths would resolve against the server's directory, not the client's.
                        err.println("dynamos test server: runs in " + cwd + ", the client is in " + request.getFirst());
                        status = 70;
                    } else {
                        status = Main.execute(request.subList(2, request.size()).toArray(String[]::new));
                    }
                } catch (Throwable t) {
                    t.printStackTrace(err);
                    status = 70;
                } finally {
                    System.setOut(stdout);
                    System.setErr(stderr);
                }
            }
            // Renamed into place: complete before the client looks.
            Files.writeString(dir.resolve("status.tmp"), status + "\n");
            Files.move(dir.resolve("status.tmp"), dir.resolve("status"), StandardCopyOption.ATOMIC_MOVE);
            ProcessHandle.of(waiter).ifPresent(ProcessHandle::destroy);
        }
    }

    /** The NUL-terminated fields of a request. */
    static List<String> fields(byte[] request) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < request.length; i++) {
            if (request[i] == 0) {
                out.add(new String(Arrays.copyOfRange(request, start, i), StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return out;
    }
}
