package dynamos.host;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where this dynamos build lives: its jar, the source tree it was built from, its cache and logs. */
public final class Installation {
    private Installation() {}

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
