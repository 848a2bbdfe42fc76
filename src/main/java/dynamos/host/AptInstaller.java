package dynamos.host;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs apt-get quietly: apt's whole output goes to a log file, and the user sees one progress line per
 * requested package (apt's own output, with every dependency, would fill the demo's first screen).
 * A failure names the log.
 */
public final class AptInstaller {
    private static final Map<String, String> ENV = Map.of("DEBIAN_FRONTEND", "noninteractive");
    /** dpkg's line for a package it configures: {@code Setting up qemu-system-x86 (1:7.2+dfsg-7) ...}, maybe with {@code :amd64}. */
    private static final Pattern SETTING_UP = Pattern.compile("^Setting up ([^ :]+)(?::[^ ]+)? \\(");
    /** apt's download size: {@code Need to get 50.3 MB of archives.} */
    private static final Pattern NEED_TO_GET = Pattern.compile("^Need to get .*");

    private final ProgramRunner runner;
    private final Path logDir;
    private final Consumer<String> progress;
    private Path log;

    /**
     * @param logDir   where the log file is created (on first use, one file per installer)
     * @param progress receives the lines the user should see
     */
    public AptInstaller(ProgramRunner runner, Path logDir, Consumer<String> progress) {
        this.runner = runner;
        this.logDir = logDir;
        this.progress = progress;
    }

    /** The installer for this host: real apt-get, logs under the cache, progress as {@link Progress} details. */
    public static AptInstaller onHost() {
        return new AptInstaller(ProgramRunner.HOST, Installation.logDir(), Progress::detail);
    }

    /** The log file (null until something ran). */
    public Path log() {
        return log;
    }

    /**
     * Installs {@code packages} (as root) with their dependencies. A failed install is retried once after
     * {@code apt-get update}: a stale or missing package list is the usual cause on a fresh machine.
     */
    public void install(List<String> packages) {
        List<String> command = new ArrayList<>(List.of("apt-get", "install", "-y", "-q", "--no-install-recommends"));
        command.addAll(packages);
        Exec.Result r = run(command, null, packages);
        if (!r.ok()) {
            progress.accept("apt-get install failed; refreshing package lists (apt-get update) and retrying");
            update();
            orThrow(run(command, null, packages), "apt-get install");
        }
    }

    /** Refreshes apt's package lists. */
    public void update() {
        orThrow(run(List.of("apt-get", "update", "-q"), null, List.of()), "apt-get update");
    }

    /** Downloads the .deb of {@code pkg} into {@code dir} without installing it. */
    public void download(String pkg, Path dir) {
        orThrow(run(List.of("apt-get", "download", "-q", "-o", "APT::Sandbox::User=root", pkg), dir, List.of()),
                "apt-get download");
    }

    /**
     * Downloads {@code pkg} (a name, or {@code name=version}) into the empty directory {@code dir},
     * unpacks it into {@code into} with {@code dpkg-deb -x} and deletes the .deb.
     */
    public void downloadAndUnpack(String pkg, Path dir, Path into, Consumer<String> progress) throws IOException {
        download(pkg, dir);
        Path deb;
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            deb = files.filter(p -> p.getFileName().toString().endsWith(".deb")).findFirst()
                    .orElseThrow(() -> new HostException("apt-get download " + pkg + " left no .deb in " + dir));
        }
        progress.accept("Unpacking " + deb.getFileName());
        Exec.capture(List.of("dpkg-deb", "-x", deb.toString(), into.toString())).orThrow("dpkg-deb -x");
        Files.delete(deb);
    }

    private Exec.Result run(List<String> command, Path dir, List<String> requested) {
        Path file = openLog();
        appendToLog(file, "\n$ " + String.join(" ", command) + "\n");
        try (PackageLines lines = new PackageLines(file, requested)) {
            Exec.Result r = runner.run(command, dir, ENV, lines);
            lines.flush();
            appendToLog(file, "(exit " + r.exitCode() + ")\n");
            return r;
        } catch (IOException e) {
            throw new HostException("cannot write the apt log " + file + ": " + e.getMessage(), e);
        }
    }

    private void orThrow(Exec.Result r, String what) {
        if (!r.ok()) {
            throw new HostException(what + " failed (exit " + r.exitCode() + "): " + String.join(" ", r.command())
                    + Exec.tail(r.output(), 10) + "\n    the whole output is in " + log);
        }
    }

    private Path openLog() {
        if (log == null) {
            String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS"));
            try {
                Files.createDirectories(logDir);
            } catch (IOException e) {
                throw new HostException("cannot create the log directory " + logDir + ": " + e.getMessage(), e);
            }
            log = logDir.resolve("apt-" + stamp + ".log");
            progress.accept("apt-get's output goes to " + log);
        }
        return log;
    }

    private static void appendToLog(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new HostException("cannot write the apt log " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * apt's output on its way to the log: each complete line is appended, and the few that tell the user
     * something (the download size, each requested package set up) become progress lines.
     */
    private final class PackageLines extends OutputStream {
        private final OutputStream file;
        private final List<String> requested;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private int setUp;
        private int dependencies;

        PackageLines(Path log, List<String> requested) throws IOException {
            this.file = Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            this.requested = requested;
        }

        @Override
        public void write(int b) throws IOException {
            file.write(b);
            if (b == '\n') {
                report(line.toString(StandardCharsets.UTF_8));
                line.reset();
            } else {
                line.write(b);
            }
        }

        @Override
        public void flush() throws IOException {
            file.flush();
        }

        private void report(String text) {
            Matcher m = SETTING_UP.matcher(text);
            if (m.find()) {
                if (requested.contains(m.group(1))) {
                    setUp++;
                    progress.accept("installed " + m.group(1) + " (" + setUp + "/" + requested.size() + ")");
                } else {
                    dependencies++;
                }
            } else if (NEED_TO_GET.matcher(text).matches()) {
                progress.accept(text.strip());
            }
        }

        @Override
        public void close() throws IOException {
            if (line.size() > 0) {
                report(line.toString(StandardCharsets.UTF_8));
            }
            if (dependencies > 0) {
                progress.accept("and " + dependencies + " dependenc" + (dependencies == 1 ? "y" : "ies"));
            }
            file.close();
        }
    }
}
