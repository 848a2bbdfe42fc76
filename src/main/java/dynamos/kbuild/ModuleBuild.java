package dynamos.kbuild;

import dynamos.host.Exec;
import dynamos.host.FileLock;
import dynamos.host.HostException;
import dynamos.host.HostPackages;
import dynamos.host.Progress;
import dynamos.kernel.KernelCache;
import dynamos.kernel.KernelRelease;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Builds an out-of-tree kernel module against a kernel's headers with kbuild. Sources are copied to a
 * build directory first, so a source tree (possibly read-only) is never written to.
 */
public final class ModuleBuild {
    private ModuleBuild() {}

    /** Build products in a source tree (from an in-place build) are not copied. */
    static boolean isSource(Path f) {
        String n = f.getFileName().toString();
        return !(n.endsWith(".o") || n.endsWith(".ko") || n.endsWith(".mod") || n.endsWith(".mod.c")
                || n.endsWith(".cmd") || n.equals("Module.symvers") || n.equals("modules.order"));
    }

    /**
     * Copies the source files of {@code source} (recursively) into {@code buildDir}, runs
     * {@code make -C <headers> M=<buildDir> modules}, and returns the built modules.
     *
     * @throws HostException with the compiler's output when the build fails
     */
    public static List<Path> build(Path source, Path buildDir, KernelRelease kernel) {
        return build(source, buildDir, kernel, List.of());
    }

    /**
     * As {@link #build(Path, Path, KernelRelease)}, with extra make variables ({@code NAME=VALUE}), e.g.
     * {@code KBUILD_EXTRA_SYMBOLS} for modules that use another out-of-tree module's exports.
     */
    public static List<Path> build(Path source, Path buildDir, KernelRelease kernel, List<String> makeVariables) {
        HostPackages.ensure(HostPackages.BUILD);
        KernelCache.ensureHeaders(kernel);
        // Two builds into one directory (two dynamos commands, two test JVMs) would mix their files.
        return FileLock.holdingDirectory(buildDir, "the build directory " + buildDir,
                () -> buildLocked(source, buildDir, kernel, makeVariables));
    }

    private static List<Path> buildLocked(Path source, Path buildDir, KernelRelease kernel, List<String> makeVariables) {
        try {
            Files.createDirectories(buildDir);
            if (!source.toAbsolutePath().normalize().equals(buildDir.toAbsolutePath().normalize())) {
                try (Stream<Path> s = Files.walk(source)) {
                    for (Path f : s.filter(Files::isRegularFile).filter(ModuleBuild::isSource).toList()) {
                        Path to = buildDir.resolve(source.relativize(f).toString());
                        Files.createDirectories(to.getParent());
                        Files.copy(f, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            }
        } catch (IOException e) {
            throw new HostException("cannot prepare build directory " + buildDir + ": " + e.getMessage(), e);
        }
        Progress.step("Building kernel module in " + source + " against " + kernel.version() + " headers");
        int jobs = Math.max(1, Runtime.getRuntime().availableProcessors());
        List<String> make = new java.util.ArrayList<>(List.of("make", "-j" + jobs, "-C", kernel.headers().toString(),
                "M=" + buildDir.toAbsolutePath()));
        make.addAll(makeVariables);
        make.add("modules");
        // The compiler sees the copies; name the user's files in what it says.
        String copied = buildDir.toAbsolutePath().normalize() + "/";
        String original = source.toAbsolutePath().normalize() + "/";
        Exec.Result r = Exec.stream(make, buildDir, Map.of(), new SourcePathStream(Progress.sink(), copied, original));
        if (!r.ok()) {
            throw new HostException("building the module in " + source + " failed (make exit " + r.exitCode()
                    + "); the compiler said:" + Exec.tail(r.output().replace(copied, original), 30));
        }
        try (Stream<Path> s = Files.list(buildDir)) {
            List<Path> kos = s.filter(p -> p.getFileName().toString().endsWith(".ko")).sorted().toList();
            if (kos.isEmpty()) {
                throw new HostException("make succeeded but produced no .ko in " + buildDir
                        + " (does the Kbuild file list obj-m?)");
            }
            return kos;
        } catch (IOException e) {
            throw new HostException("cannot list " + buildDir + ": " + e.getMessage(), e);
        }
    }

    /** Passes output on line by line with the build directory's paths replaced by the source's. */
    static final class SourcePathStream extends java.io.OutputStream {
        private final java.io.OutputStream out;
        private final String from;
        private final String to;
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

        SourcePathStream(java.io.OutputStream out, String from, String to) {
            this.out = out;
            this.from = from;
            this.to = to;
        }

        @Override
        public void write(int b) throws IOException {
            line.write(b);
            if (b == '\n') {
                emitLine();
            }
        }

        /** Partial lines wait for their end: a path may be split between two reads. */
        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            emitLine();
        }

        private void emitLine() throws IOException {
            if (line.size() > 0) {
                String text = line.toString(java.nio.charset.StandardCharsets.UTF_8);
                // Object files stay in the build directory; only sources are named by their origin.
                String shown = text.contains(": error") || text.contains(": warning") || text.contains(": note")
                        || text.contains("In function") || text.contains("In file included")
                        ? text.replace(from, to) : text;
                out.write(shown.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                line.reset();
            }
            out.flush();
        }
    }
}
