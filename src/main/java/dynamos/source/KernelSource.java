package dynamos.source;

import dynamos.host.AptInstaller;
import dynamos.host.Exec;
import dynamos.host.HostPackages;
import dynamos.host.Progress;
import dynamos.kernel.KernelRelease;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Debian's {@code linux-source-X.Y} of exactly a cached kernel's Debian version, unpacked into the kernel's
 * cache directory ({@code RELEASE/source/tree}), configured with the kernel's own config and prepared
 * ({@code make olddefconfig prepare}) once. A stamp written last records what was prepared; a later call
 * whose stamp matches returns at once.
 */
public final class KernelSource {
    /** What unpacking, configuring and preparing the tree needs on the host besides a compiler. */
    public static final List<String> PACKAGES =
            List.of("make", "flex", "bison", "bc", "libelf-dev", "libssl-dev", "xz-utils", "patch");
    static final List<String> TARGETS = List.of("olddefconfig", "prepare");
    private static final Pattern CC_TEXT = Pattern.compile("(?m)^CONFIG_CC_VERSION_TEXT=\"([^\" ]+)");
    private static final Pattern SERIES = Pattern.compile("^([0-9]+\\.[0-9]+)\\.");

    private KernelSource() {}

    /** The directory holding the tree of {@code kernel}'s source. */
    public static Path dir(KernelRelease kernel) {
        return kernel.dir().resolve("source");
    }

    /** The prepared source of {@code kernel}, if it is cached and its stamp matches; never downloads. */
    public static Optional<PreparedSource> cached(KernelRelease kernel) {
        PreparedSource s = describe(kernel);
        return SourceStamp.read(s.tree()).filter(st -> st.differences(stamp(s)).isEmpty()).map(st -> s);
    }

    /** The prepared source of {@code kernel}: downloaded, unpacked, configured and prepared when needed. */
    public static PreparedSource ensure(KernelRelease kernel) {
        PreparedSource s = describe(kernel);
        SourceStamp wanted = stamp(s);
        Optional<SourceStamp> have = SourceStamp.read(s.tree());
        if (have.isPresent() && have.get().differences(wanted).isEmpty()) {
            return s;
        }
        List<String> packages = new ArrayList<>(PACKAGES);
        packages.add(s.compiler());
        HostPackages.ensure(packages);
        if (!Files.isRegularFile(s.tree().resolve("Makefile"))) {
            unpack(s);
        } else if (have.isPresent()) {
            Progress.detail("the source tree was prepared differently (" + have.get().differences(wanted)
                    + "); preparing it again");
        }
        prepare(s);
        wanted.write(s.tree());
        return s;
    }

    /** The tree {@code kernel}'s source has or will have. */
    static PreparedSource describe(KernelRelease kernel) {
        ImageVersion v = ImageVersion.read(kernel.image());
        if (!v.release().equals(kernel.version())) {
            throw new SourceException(kernel.image() + " says it is release " + v.release() + ", not "
                    + kernel.version() + "; fetch the kernel again: dynamos kernel fetch --kernel-version "
                    + kernel.version() + " --force");
        }
        return new PreparedSource(kernel, v.debianVersion(), dir(kernel).resolve("tree"), compiler(kernel));
    }

    /** The stamp a tree prepared now for {@code s} gets. */
    static SourceStamp stamp(PreparedSource s) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("release", s.kernel().version());
        m.put("debian-version", s.debianVersion());
        m.put("package", sourcePackage(s.kernel().version()));
        m.put("config-sha256", sha256(s.kernel().config()));
        m.put("make-variables", String.join(" ", s.variables()));
        m.put("targets", String.join(" ", TARGETS));
        return new SourceStamp(m);
    }

    /** {@code linux-source-6.1} for release {@code 6.1.0-57-amd64}. */
    static String sourcePackage(String release) {
        Matcher m = SERIES.matcher(release);
        if (!m.find()) {
            throw new SourceException("cannot tell the kernel series of release '" + release + "'");
        }
        return "linux-source-" + m.group(1);
    }

    /** The compiler named by the config's {@code CONFIG_CC_VERSION_TEXT} ({@code gcc-12}). */
    static String compiler(KernelRelease kernel) {
        try {
            return compilerOf(Files.readString(kernel.config()), kernel.config().toString());
        } catch (IOException e) {
            throw new SourceException("cannot read the kernel config " + kernel.config() + ": " + e.getMessage()
                    + "; fetch the kernel again: dynamos kernel fetch --force", e);
        }
    }

    static String compilerOf(String config, String origin) {
        Matcher m = CC_TEXT.matcher(config);
        if (!m.find()) {
            throw new SourceException(origin + " has no CONFIG_CC_VERSION_TEXT; cannot tell which compiler built"
                    + " the kernel");
        }
        return m.group(1);
    }

    /** The versions {@code apt-cache madison PKG} lists. */
    static List<String> madisonVersions(String output) {
        List<String> out = new ArrayList<>();
        for (String line : output.lines().toList()) {
            String[] f = line.split("\\|");
            if (f.length >= 3 && !out.contains(f[1].strip())) {
                out.add(f[1].strip());
            }
        }
        return out;
    }

    /** Refuses when apt does not offer {@code version} of {@code pkg}, naming what it offers. */
    static void checkOffered(String pkg, String version, List<String> offered) {
        if (!offered.contains(version)) {
            throw new SourceException("the kernel is Debian's " + version + " but apt offers " + pkg + " only in "
                    + (offered.isEmpty() ? "no version" : "version " + String.join(", ", offered))
                    + "; a source of another version would not match the running code. Run apt-get update, or add"
                    + " the suite that has " + pkg + "=" + version + " (bookworm-security, snapshot.debian.org) to"
                    + " /etc/apt/sources.list");
        }
    }

    private static void unpack(PreparedSource s) {
        String pkg = sourcePackage(s.kernel().version());
        HostPackages.ensureLists();
        List<String> offered = madisonVersions(Exec.capture(List.of("apt-cache", "madison", pkg)).output());
        if (!offered.contains(s.debianVersion())) {
            HostPackages.refreshLists();
            offered = madisonVersions(Exec.capture(List.of("apt-cache", "madison", pkg)).output());
        }
        checkOffered(pkg, s.debianVersion(), offered);
        Path work = dir(s.kernel()).resolve(".partial");
        try {
            deleteTree(work);
            Files.createDirectories(work);
            Progress.step("Downloading Debian's " + pkg + " " + s.debianVersion() + " (about 140 MB)");
            Path pkgDir = work.resolve("pkg");
            AptInstaller.onHost().downloadAndUnpack(pkg + "=" + s.debianVersion(), work, pkgDir, Progress::step);
            Path tarball = pkgDir.resolve("usr/src/" + pkg + ".tar.xz");
            if (!Files.isRegularFile(tarball)) {
                throw new SourceException(pkg + " " + s.debianVersion() + " holds no usr/src/" + pkg + ".tar.xz");
            }
            Path tree = work.resolve("tree");
            Files.createDirectories(tree);
            Exec.capture(List.of("tar", "-xf", tarball.toString(), "-C", tree.toString(), "--strip-components=1"))
                    .orThrow("tar -x " + tarball.getFileName());
            if (!Files.isRegularFile(tree.resolve("Makefile"))) {
                throw new SourceException(tarball + " holds no kernel tree (no Makefile at its top)");
            }
            deleteTree(s.tree());
            Files.move(tree, s.tree(), StandardCopyOption.ATOMIC_MOVE);
            deleteTree(work);
        } catch (IOException e) {
            throw new SourceException("cannot unpack " + pkg + " into " + s.tree() + ": " + e.getMessage()
                    + " (is the disk full? about 1.6 GB are needed)", e);
        }
        Progress.detail("unpacked in " + s.tree());
    }

    private static void prepare(PreparedSource s) {
        try {
            Files.copy(s.kernel().config(), s.tree().resolve(".config"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new SourceException("cannot copy " + s.kernel().config() + " into " + s.tree() + ": "
                    + e.getMessage(), e);
        }
        for (String target : TARGETS) {
            Progress.step("make " + target + " in " + s.tree() + (target.equals("prepare") ? " (a minute)" : ""));
            List<String> cmd = new ArrayList<>(s.make(List.of(target)));
            cmd.add(3, "-s");
            cmd.add(4, "-j" + Runtime.getRuntime().availableProcessors());
            Exec.Result r = Exec.stream(cmd, null, Map.of(), Progress.sink());
            if (!r.ok()) {
                throw new SourceException("make " + target + " failed in " + s.tree() + " (exit " + r.exitCode() + ")"
                        + Exec.tail(r.output(), 15) + "\n    fix the cause (often a missing build tool), or delete "
                        + dir(s.kernel()) + " to unpack the source again");
            }
        }
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new SourceException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
