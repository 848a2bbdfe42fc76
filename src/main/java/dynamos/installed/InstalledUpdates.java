package dynamos.installed;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dynamos.host.FileLock;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The updates kept for the boot-time apply, under {@code STATE/updates/ORDER-NAME/}: a copy of the module and
 * {@code update.json} ({@link InstalledUpdate}). A copy is written beside its final place and moved in with one
 * rename, so a crash leaves either no update or a whole one; changes hold the lock of {@code STATE}. The module is
 * checked by the caller before it gets here (it is an update built for the kernel it names); its SHA-256 is
 * kept so that the boot applies exactly the file that was checked.
 */
public final class InstalledUpdates {
    /** An update name as the framework takes it (the declaration's name). */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,55}");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path state;

    public InstalledUpdates(Path state) {
        this.state = state;
    }

    /** {@code STATE/updates}. */
    public Path updatesDir() {
        return state.resolve("updates");
    }

    /** Every installed update, in install order. A directory without readable metadata is skipped. */
    public List<InstalledUpdate> list() {
        Path dir = updatesDir();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<InstalledUpdate> all = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path d : s.filter(Files::isDirectory).toList()) {
                Path meta = d.resolve(InstalledUpdate.METADATA);
                if (!Files.isRegularFile(meta)) {
                    continue; // a copy being written, or left by a crash: never applied
                }
                try {
                    InstalledUpdate u = JSON.readValue(meta.toFile(), InstalledUpdate.class);
                    if (u.dirName().equals(d.getFileName().toString())) {
                        all.add(u);
                    }
                } catch (IOException e) {
                    // A damaged record is not an update to apply; uninstall by name still removes the directory.
                }
            }
        } catch (IOException e) {
            throw new InstallException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        all.sort(Comparator.comparingInt(InstalledUpdate::order));
        return all;
    }

    /**
     * Keeps a copy of {@code module} as update {@code name} built for {@code kernel}, after the installed ones.
     * Refused when {@code name} is already installed for {@code kernel} (uninstall it first).
     */
    public InstalledUpdate install(String name, String moduleName, Path module, String kernel, String source) {
        if (!NAME.matcher(name).matches()) {
            throw new InstallException("'" + name + "' is not an update name (letters, digits, _ . -)");
        }
        return FileLock.holdingDirectory(state, "the installed updates in " + state, () -> {
            List<InstalledUpdate> all = list();
            for (InstalledUpdate u : all) {
                if (u.name().equals(name) && u.kernel().equals(kernel)) {
                    throw new InstallException("update " + name + " is already installed for kernel " + kernel
                            + " (" + u.modulePath(updatesDir()) + "); to replace it: dynamos uninstall " + name
                            + ", then install again");
                }
            }
            int order = all.stream().mapToInt(InstalledUpdate::order).max().orElse(0) + 1;
            String file = module.getFileName().toString();
            InstalledUpdate u = new InstalledUpdate(order, name, moduleName, file, kernel, "",
                    Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), source);
            Path fin = updatesDir().resolve(u.dirName());
            Path tmp = updatesDir().resolve(".new-" + u.dirName());
            try {
                Files.createDirectories(tmp);
                Path copy = tmp.resolve(file);
                Files.copy(module, copy, StandardCopyOption.REPLACE_EXISTING);
                u = new InstalledUpdate(u.order(), name, moduleName, file, kernel, sha256(copy), u.installedAt(),
                        source);
                JSON.writeValue(tmp.resolve(InstalledUpdate.METADATA).toFile(), u);
                try {
                    Files.move(tmp, fin, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, fin);
                }
            } catch (IOException e) {
                deleteTree(tmp);
                throw new InstallException("cannot install " + name + " into " + fin + ": " + e.getMessage()
                        + " (installing needs root)", e);
            }
            return u;
        });
    }

    /**
     * Removes every installed copy of {@code name} (all kernels), or only the one for {@code kernel} when it is
     * not null; returns what was removed. Refused when nothing matches.
     */
    public List<InstalledUpdate> uninstall(String name, String kernel) {
        return FileLock.holdingDirectory(state, "the installed updates in " + state, () -> {
            List<InstalledUpdate> gone = list().stream()
                    .filter(u -> u.name().equals(name) && (kernel == null || u.kernel().equals(kernel)))
                    .toList();
            if (gone.isEmpty()) {
                throw new InstallException("no update " + name + " is installed"
                        + (kernel == null ? "" : " for kernel " + kernel) + "; see: dynamos list --installed");
            }
            for (InstalledUpdate u : gone) {
                Path dir = updatesDir().resolve(u.dirName());
                // The record goes first: a half-removed directory is then never applied.
                try {
                    Files.deleteIfExists(dir.resolve(InstalledUpdate.METADATA));
                } catch (IOException e) {
                    throw new InstallException("cannot remove " + dir + ": " + e.getMessage(), e);
                }
                deleteTree(dir);
            }
            return gone;
        });
    }

    /** Whether the installed module file is still the one installed (its SHA-256 matches). */
    public boolean intact(InstalledUpdate u) {
        Path f = u.modulePath(updatesDir());
        try {
            return Files.isRegularFile(f) && sha256(f).equals(u.sha256());
        } catch (IOException e) {
            return false;
        }
    }

    static String sha256(Path f) throws IOException {
        try (DigestInputStream in = new DigestInputStream(Files.newInputStream(f),
                MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new InstallException("cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }
}
