package dynamos.kernel;

import dynamos.host.Exec;
import dynamos.host.HostException;
import dynamos.host.HostPackages;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What Debian serves: the kernel {@code linux-image-amd64} points at today, and other kernels. */
public final class DebianKernels {
    private static final Pattern DEPENDS = Pattern.compile("Depends:\\s*linux-image-(\\S+)");
    private static final Pattern RELEASE = Pattern.compile("[0-9]+\\.[0-9]+[0-9a-z.+~-]*");

    private DebianKernels() {}

    /** The release the meta-package {@code linux-image-amd64} depends on, asked of apt (not hard-coded). */
    public static String currentDefault() {
        HostPackages.ensureLists();
        Optional<String> v = parseDepends(Exec.capture(List.of("apt-cache", "depends", "linux-image-amd64")).output());
        if (v.isEmpty()) {
            HostPackages.refreshLists();
            v = parseDepends(Exec.capture(List.of("apt-cache", "depends", "linux-image-amd64")).output());
        }
        return v.orElseThrow(() -> new HostException(
                "cannot tell which kernel linux-image-amd64 depends on (apt-cache depends linux-image-amd64 "
                        + "names none); check /etc/apt/sources.list and run apt-get update"));
    }

    /** Parses {@code apt-cache depends} output; the first linux-image dependency wins. */
    static Optional<String> parseDepends(String aptCacheDepends) {
        Matcher m = DEPENDS.matcher(aptCacheDepends);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /**
     * Normalises what a user typed as a kernel version: {@code 6.1.0-56} becomes {@code 6.1.0-56-amd64}.
     *
     * @throws IllegalArgumentException for anything that is not a release name
     */
    public static String normalise(String version) {
        String v = version.trim();
        if (v.startsWith("linux-image-")) {
            v = v.substring("linux-image-".length());
        }
        if (!RELEASE.matcher(v).matches()) {
            throw new IllegalArgumentException("'" + version + "' is not a kernel release (expected e.g. 6.1.0-56-amd64)");
        }
        return v.endsWith("amd64") ? v : v + "-amd64";
    }

    /** Whether apt knows a package {@code linux-image-VERSION}. */
    public static boolean served(String version) {
        HostPackages.ensureLists();
        Exec.Result r = Exec.capture(List.of("apt-cache", "show", "--no-all-versions", "linux-image-" + version));
        return r.ok() && r.output().contains("Package: linux-image-" + version);
    }

    /** The amd64 kernel releases apt can download now, for error messages. */
    public static List<String> servedReleases() {
        Exec.Result r = Exec.capture(List.of("apt-cache", "search", "--names-only", "^linux-image-[0-9].*-amd64$"));
        TreeSet<String> out = new TreeSet<>();
        for (String line : r.output().lines().toList()) {
            String name = line.split(" ", 2)[0];
            if (name.startsWith("linux-image-") && !name.endsWith("-dbg") && !name.contains("-unsigned")) {
                out.add(name.substring("linux-image-".length()));
            }
        }
        return List.copyOf(out);
    }
}
