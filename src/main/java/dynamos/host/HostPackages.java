package dynamos.host;

import java.util.ArrayList;
import java.util.List;

/**
 * Installs the Debian packages DynAMOS needs on the host, idempotently: packages already installed
 * cost one dpkg-query; missing ones are installed with apt-get (as root) by {@link AptInstaller}: a
 * progress line per package, apt's output in a log file.
 */
public final class HostPackages {
    /** What booting the VM needs. */
    public static final List<String> VM = List.of("qemu-system-x86", "busybox-static", "cpio", "kmod");
    /**
     * What building and checking kernel modules needs besides the headers package: pahole (dwarves)
     * encodes update modules' BTF, xz unpacks the kernel image's BTF.
     */
    public static final List<String> BUILD = List.of("make", "gcc", "libelf-dev", "bc", "dwarves", "xz-utils");

    private HostPackages() {}

    /** Whether a package is installed (dpkg status "install ok installed"). */
    public static boolean installed(String pkg) {
        Exec.Result r = Exec.capture(List.of("dpkg-query", "-W", "-f=${Status}", pkg));
        return r.ok() && r.output().contains("install ok installed");
    }

    /** Installs the missing packages among {@code pkgs}; does nothing when all are there. */
    public static void ensure(List<String> pkgs) {
        List<String> missing = new ArrayList<>();
        for (String p : pkgs) {
            if (!installed(p)) {
                missing.add(p);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        if (!isRoot()) {
            throw new HostException("missing Debian packages: " + String.join(" ", missing)
                    + "\n    install them as root: apt-get install " + String.join(" ", missing));
        }
        Progress.step("Installing " + String.join(" ", missing) + " (apt-get, first run only)");
        AptInstaller.onHost().install(missing);
    }

    /** Makes sure apt's package lists exist (a fresh machine may have none). */
    public static void ensureLists() {
        java.nio.file.Path lists = java.nio.file.Path.of("/var/lib/apt/lists");
        boolean empty;
        try (var s = java.nio.file.Files.list(lists)) {
            empty = s.noneMatch(p -> p.getFileName().toString().endsWith("_Packages")
                    || p.getFileName().toString().endsWith("_Packages.lz4"));
        } catch (java.io.IOException e) {
            empty = true;
        }
        if (empty) {
            refreshLists();
        }
    }

    public static void refreshLists() {
        Progress.step("Refreshing Debian package lists (apt-get update)");
        AptInstaller.onHost().update();
    }

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
