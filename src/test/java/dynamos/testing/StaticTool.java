package dynamos.testing;

import dynamos.host.Exec;
import dynamos.host.FileLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/** The guest's C test clients (dynctl, pipetool, ...): static executables built on the host. */
public final class StaticTool {
    private StaticTool() {}

    /**
     * Compiles {@code source} into {@code out} with {@code gcc -static -O2 -Wall} and {@code flags}. The
     * end-to-end tests run in two JVMs at once, and a guest of the other may be starting {@code out}: the
     * build holds the directory's lock and the new file replaces the old one in one step.
     */
    public static Path build(Path source, Path out, String... flags) {
        return FileLock.holdingDirectory(out.getParent(), "the test tool directory " + out.getParent(), () -> {
            Path tmp = out.resolveSibling(out.getFileName() + ".new");
            List<String> gcc = new ArrayList<>(List.of("gcc", "-static", "-O2", "-Wall"));
            gcc.addAll(List.of(flags));
            gcc.addAll(List.of("-o", tmp.toString(), source.toString()));
            Exec.capture(gcc).orThrow("building " + out.getFileName());
            try {
                Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new IllegalStateException("cannot move " + tmp + " to " + out + ": " + e.getMessage(), e);
            }
            return out;
        });
    }
}
