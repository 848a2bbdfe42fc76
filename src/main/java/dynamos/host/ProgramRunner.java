package dynamos.host;

import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Runs a host program with its output streamed to a sink; an interface so that callers can be tested with a fake. */
@FunctionalInterface
public interface ProgramRunner {
    /** The real one: {@link Exec#stream}. */
    ProgramRunner HOST = Exec::stream;

    /** Runs {@code command} in {@code dir} (null: the current directory) with {@code env} added. */
    Exec.Result run(List<String> command, Path dir, Map<String, String> env, OutputStream sink);
}
