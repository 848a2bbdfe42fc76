package dynamos.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A {@code dynamos} subcommand. Its output goes through picocli's writers, not {@code System.out}, so
 * that a test can run the command and read what it printed.
 */
abstract class CliCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** Reports a failure the way every command does: {@code dynamos: MESSAGE} on stderr. */
    void error(String message) {
        err().println("dynamos: " + message);
    }

    /** {@link #out()} for the layers below that report on a stream (apply steps, script steps, the VM). */
    PrintStream outStream() {
        return new PrintStream(new WriterOutputStream(out()), true, StandardCharsets.UTF_8);
    }

    /** {@link #err()} as a stream: step reports of a command whose stdout is a JSON document. */
    PrintStream errStream() {
        return new PrintStream(new WriterOutputStream(err()), true, StandardCharsets.UTF_8);
    }
}
