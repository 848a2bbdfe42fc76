package dynamos.host;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Where this dynamos lives: its jar, the framework's source, the update authors' headers, the examples,
 * its cache and logs. Two layouts: a source tree (the jar under {@code target/}, a development build), or
 * the Debian package's files, which a {@code layout.properties} beside the jar names (see {@link Packaged}).
 */
public final class Installation {
    /** The file beside a packaged jar that names the package's directories. */
    public static final String LAYOUT_FILE = "layout.properties";

    private Installation() {}

    /**
     * The directories of an installed package: {@code framework_source} (dynamos.ko's source, registered with
     * DKMS), {@code include} (dynamos.h and patch/), {@code examples} and {@code state} (installed updates).
     */
    public record Packaged(Path frameworkSource, Path include, Path examples, Path state) {
        static Packaged read(Path file) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
            return new Packaged(path(p, file, "framework_source"), path(p, file, "include"),
                    path(p, file, "examples"), path(p, file, "state"));
        }

        private static Path path(Properties p, Path file, String key) {
            String v = p.getProperty(key);
            if (v == null || v.isBlank()) {
                throw new IllegalStateException(file + " has no " + key + "=; reinstall the dynamos package");
            }
            return Path.of(v.strip());
        }
    }

    /** The package's directories when this jar was installed by the Debian package; null in a source tree. */
    public static Packaged packaged() {
        Path p = codeLocation();
        Path layout = p.resolveSibling(LAYOUT_FILE);
        return Files.isRegularFile(p) && Files.isRegularFile(layout) ? Packaged.read(layout) : null;
    }

    /** dynamos.ko's source: the package's DKMS source, else {@code kernel/} of the source tree. */
    public static Path frameworkSource() {
        Packaged pk = packaged();
        return pk != null ? pk.frameworkSource() : repo().resolve("kernel");
    }

    /** The update authors' headers ({@code dynamos.h}, {@code patch/kpatch-macros.h}). */
    public static Path include() {
        Packaged pk = packaged();
        return pk != null ? pk.include() : repo().resolve("kernel/include");
    }

    /** The example updates (read-only when packaged: builds go under {@link #buildRoot()}). */
    public static Path examples() {
        Packaged pk = packaged();
        return pk != null ? pk.examples() : repo().resolve("examples");
    }

    /** Where this dynamos builds dynamos.ko and the examples: {@code target/kmod}, or the cache when packaged. */
    public static Path buildRoot() {
        return packaged() != null ? cacheDir().resolve("kmod") : repo().resolve("target/kmod");
    }

    /**
     * Where installed updates are kept ({@code dynamos install}): {@code $DYNAMOS_STATE}, else the package's
     * state directory, else {@code /var/lib/dynamos}.
     */
    public static Path stateDir() {
        String env = System.getenv("DYNAMOS_STATE");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        Packaged pk = packaged();
        return pk != null ? pk.state() : Path.of("/var/lib/dynamos");
    }

    /** The jar these classes were loaded from, or the classes directory in a development run. */
    public static Path codeLocation() {
        try {
            return Path.of(Installation.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The jar; fails when running from a classes directory. */
    public static Path jar() {
        Path p = codeLocation();
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("dynamos is not running from its jar (" + p
                    + "); build it with ./dynamos or mvn package");
        }
        return p;
    }

    /**
     * The repository root: {@code -Ddynamos.repo}, else the directory above {@code target/} that holds
     * the jar or classes.
     */
    public static Path repo() {
        String prop = System.getProperty("dynamos.repo");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath();
        }
        Path p = codeLocation().toAbsolutePath();
        for (Path d = p.getParent(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("pom.xml")) && Files.isDirectory(d.resolve("kernel"))) {
                return d;
            }
        }
        throw new IllegalStateException("cannot find the DynAMOS source tree above " + p);
    }

    /** The cache directory: {@code $DYNAMOS_CACHE}, else {@code ~/.cache/dynamos}. */
    public static Path cacheDir() {
        String env = System.getenv("DYNAMOS_CACHE");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "dynamos");
    }

    /** Where the full output of package installs goes: {@code logs/} in the cache directory. */
    public static Path logDir() {
        return cacheDir().resolve("logs");
    }

    /** Whether this process runs inside the DynAMOS VM. */
    public static boolean inVm() {
        return System.getenv("DYNAMOS_IN_VM") != null;
    }
}
